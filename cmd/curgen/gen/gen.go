// Package gen generates large, realistic AWS billing exports, and their
// exact expected daily totals, for benchmarks and tests at scale.
//
// A dataset is CUR 1.0 CSV (gzip, 136 columns, in the "create new report
// version" layout with manifests), CUR 1.0 Athena Parquet, or CUR 2.0
// Parquet (with its map columns), over several payer and usage accounts,
// services, billing periods and report versions, with every line item type
// and the traps of real files: scientific notation in Java's and Python's
// styles, quoted commas and quotes, CRLF, ids with leading zeros, several
// currencies, blank invoice ids and net costs.
//
// Everything is drawn from the seed: the same Config gives the same bytes,
// whatever the number of workers, and the same line items in every format,
// so one seed's totals hold for its CSV and its Parquet alike. Costs are
// doubles whose shortest decimal form is the exact value (see amount), and
// the expected totals are added as exact decimals with package decimal.
//
// History makes another kind of dataset: a labelled history of daily
// costs with planted anomalies, for measuring anomaly alerts (see
// HistoryData).
package gen

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/curpipe/curpipe/transforms/totals"
)

// Format is the kind of export to generate.
type Format string

// The formats Generate writes.
const (
	CUR1CSV     Format = "cur1-csv"     // CUR 1.0, gzip CSV, with manifests
	CUR1Parquet Format = "cur1-parquet" // CUR 1.0 Athena integration, year=/month= folders
	CUR2Parquet Format = "cur2-parquet" // CUR 2.0 (Data Exports), with its manifest
	// FOCUSCSV is AWS's "FOCUS 1.0 with AWS columns" Data Export, gzip
	// CSV, with its manifest. Only a planted dataset (NewPlant) is written
	// in it: the generator's other line item types have no FOCUS mapping.
	FOCUSCSV Format = "focus-csv"
)

// Config describes a dataset.
type Config struct {
	Seed   uint64
	Format Format
	// Rows is how many line items the current report versions hold, over
	// every period and file. When 0, Size decides instead.
	Rows int64
	// Size asks for as many rows as make this many bytes of CUR 1.0 CSV,
	// uncompressed, in the current versions, whatever the format: so a
	// Parquet dataset holds the same rows as the CSV one of equal Size.
	Size     int64
	Files    int       // data files per report version
	Periods  int       // billing periods, consecutive months from Start
	Versions int       // report versions per period; the last is current
	Payers   int       // payer (management) accounts
	Accounts int       // usage accounts per payer, the payer's own included
	Start    time.Time // the first billing period's month
	Prefix   string    // the report path prefix in the bucket
	Report   string    // the report or export name
	Bucket   string    // the bucket manifests name
	Level    int       // gzip level for CSV
	// MaxScale, when above 0, rounds every figure to at most this many
	// fractional digits. 0 keeps the full 16 or 17 digits a double
	// prints, which for a cost near 1e-9 makes 25 places.
	MaxScale int
	Workers  int // files written at once
}

// DefaultConfig is a dataset of 100 MB of CSV in one file, one period and
// one version, three payers of 40 accounts.
func DefaultConfig() Config {
	return Config{
		Seed: 1, Format: CUR1CSV, Size: 100e6, Files: 1, Periods: 1, Versions: 1, Payers: 3, Accounts: 40,
		Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Prefix: "cur", Report: "curgen",
		Bucket: "curgen-billing", Level: gzip.DefaultCompression, Workers: 1,
	}
}

func (c *Config) check() error {
	var errs []error
	switch c.Format {
	case CUR1CSV, CUR2Parquet:
	case FOCUSCSV:
		errs = append(errs, errors.New("focus-csv is written for planted findings only (--plant-findings)"))
	case CUR1Parquet:
		if c.Versions > 1 {
			errs = append(errs, errors.New("cur1-parquet has one version per period: the Athena integration overwrites its files"))
		}
	default:
		errs = append(errs, fmt.Errorf("unknown format %q (want cur1-csv, cur1-parquet or cur2-parquet)", c.Format))
	}
	if c.Rows <= 0 && c.Size <= 0 {
		errs = append(errs, errors.New("give a positive number of rows or a size"))
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"files", c.Files}, {"periods", c.Periods}, {"versions", c.Versions}, {"payers", c.Payers}, {"accounts", c.Accounts}, {"workers", c.Workers}} {
		if n.v < 1 {
			errs = append(errs, fmt.Errorf("%s must be at least 1, not %d", n.name, n.v))
		}
	}
	if c.MaxScale < 0 {
		errs = append(errs, fmt.Errorf("max scale %d is negative", c.MaxScale))
	}
	if c.Report == "" {
		errs = append(errs, errors.New("the report name is empty"))
	}
	if c.Level < gzip.HuffmanOnly || c.Level > gzip.BestCompression {
		errs = append(errs, fmt.Errorf("gzip level %d is out of range", c.Level))
	}
	return errors.Join(errs...)
}

// FileInfo is what one data file holds.
type FileInfo struct {
	Rows     int64
	CSVBytes int64 // uncompressed CSV written; 0 for Parquet
	Totals   totals.Table
}

// WriteFile writes one data file of the dataset cfg describes, holding
// rows line items of the current version of its first billing period, to
// w: gzip CSV or Parquet as cfg.Format says. It is the piece benchmarks
// use; Generate writes whole reports.
func WriteFile(w io.Writer, cfg Config, rows int64) (FileInfo, error) {
	cfg.Rows, cfg.Versions = max(rows, 1), 1
	if err := cfg.check(); err != nil {
		return FileInfo{}, fmt.Errorf("curgen: %w", err)
	}
	d := newDataset(cfg)
	j := &job{per: &d.periods[0], version: 0, file: 1, days: d.periods[0].days, rows: rows, current: true}
	info := FileInfo{Rows: rows, Totals: make(totals.Table)}
	var err error
	info.CSVBytes, err = d.writeData(w, j, info.Totals, nil)
	return info, err
}

// writeData writes the rows of j to w in the dataset's format, adding them
// to table when it is not nil. stop, when not nil, is polled for
// cancellation. It returns the uncompressed CSV bytes written.
func (d *dataset) writeData(w io.Writer, j *job, table totals.Table, stop func() error) (int64, error) {
	s1, s2 := j.seeds(d.cfg.Seed)
	g := newRowGen(d, j.per, j.days, s1, s2)
	each := func(write func(*item) error) error {
		for i := int64(0); i < j.rows; i++ {
			if stop != nil && i%8192 == 0 {
				if err := stop(); err != nil {
					return err
				}
			}
			it := g.next()
			if err := write(it); err != nil {
				return err
			}
			if table != nil {
				if err := it.account(table); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if d.cfg.Format != CUR1CSV {
		cols := athenaColumns()
		if d.cfg.Format == CUR2Parquet {
			cols = cur2Columns()
		}
		pw, err := newPQWriter(w, cols)
		if err != nil {
			return 0, err
		}
		if err := each(pw.write); err != nil {
			return 0, err
		}
		return 0, pw.Close()
	}
	return writeCSV(w, d.cfg.Level, rand.New(rand.NewPCG(s1^0x6e6f746174696f6e, s2)), each)
}

// writeCSV writes gzip CUR 1.0 CSV to w: the header, then the items each
// hands to its write function. notes draws the file's time style and each
// number's notation. It returns the uncompressed bytes written.
func writeCSV(w io.Writer, level int, notes *rand.Rand, each func(write func(*item) error) error) (int64, error) {
	zw, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		return 0, fmt.Errorf("gzip: %w", err)
	}
	aw := newAsyncWriter(zw, 1<<20)
	// Most files write times as CUR does; one in five as the docs do and
	// one in ten as tools that drop the zone.
	style := timeMillis
	switch n := notes.IntN(10); {
	case n < 2:
		style = timeZ
	case n < 3:
		style = timeSpace
	}
	cw := newCSVWriter(aw, style, notes)
	err = cw.writeHeader()
	if err == nil {
		err = each(cw.write)
	}
	if err == nil {
		err = cw.flush()
	}
	if cerr := aw.Close(); err == nil {
		err = cerr
	}
	if cerr := zw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("gzip: %w", cerr)
	}
	return cw.n, err
}

// estimateRows returns how many rows make size bytes of CSV, from the mean
// size of a sample of rows drawn apart from the dataset's own.
func (d *dataset) estimateRows(size int64) (int64, error) {
	const sample = 4000
	g := newRowGen(d, &d.periods[0], d.periods[0].days, d.cfg.Seed, 0x73616d706c65)
	cw := newCSVWriter(io.Discard, timeMillis, rand.New(rand.NewPCG(d.cfg.Seed, 1)))
	for i := 0; i < sample; i++ {
		if err := cw.write(g.next()); err != nil {
			return 0, err
		}
	}
	if err := cw.flush(); err != nil {
		return 0, err
	}
	return max(1, (size*sample+cw.n/2)/cw.n), nil
}
