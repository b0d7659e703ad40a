package gen

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

// checkPlantFormat fails for a format the planted dataset is not written in.
func checkPlantFormat(f Format) error {
	switch f {
	case CUR1CSV, CUR1Parquet, CUR2Parquet, FOCUSCSV:
		return nil
	}
	return fmt.Errorf("curgen: unknown format %q (want cur1-csv, cur1-parquet, cur2-parquet or focus-csv)", f)
}

// WriteFile writes the line items of billing period pi (0-based, of
// PlantMonths) to w in format f, as the data file of that period: gzip
// CSV for cur1-csv and focus-csv, Parquet for the others.
func (p *Plant) WriteFile(w io.Writer, f Format, pi int) error {
	if err := checkPlantFormat(f); err != nil {
		return err
	}
	if pi < 0 || pi >= len(p.items) {
		return fmt.Errorf("curgen: period %d of a planted dataset of %d", pi, len(p.items))
	}
	_, err := p.writeData(w, f, pi, nil)
	return err
}

// writeData writes period pi's items to w in f, adding them to table
// when it is not nil. It returns the uncompressed CSV bytes of cur1-csv.
func (p *Plant) writeData(w io.Writer, f Format, pi int, table totals.Table) (int64, error) {
	each := func(write func(*item) error) error {
		for _, it := range p.items[pi] {
			if err := write(it); err != nil {
				return err
			}
			if table == nil {
				continue
			}
			var err error
			if f == FOCUSCSV {
				err = accountFOCUS(it, table)
			} else {
				err = it.account(table)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	switch f {
	case CUR1CSV:
		notes := rand.New(rand.NewPCG(p.cfg.Seed^0x6e6f746174696f6e, mix(uint64(pi))))
		return writeCSV(w, p.cfg.Level, notes, each)
	case FOCUSCSV:
		return 0, writeFOCUS(w, p.cfg.Level, each)
	}
	cols := athenaColumns()
	if f == CUR2Parquet {
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

// Write writes the planted dataset under out in format f, one data file
// a billing period in the format's delivery layout (as Generate lays
// out one version of one file), with its manifests, and returns what it
// wrote with the expected totals. Result.Rows counts the rows written:
// FOCUS writes a commitment fee with an unused part as two.
func (p *Plant) Write(out string, f Format) (*Result, error) {
	if err := checkPlantFormat(f); err != nil {
		return nil, err
	}
	d := *p.d
	d.cfg.Format = f
	res := &Result{Totals: make(totals.Table)}
	var jobs []*job
	for pi := range d.periods {
		per := &d.periods[pi]
		j := &job{per: per, file: 1, days: per.days, rows: int64(len(p.items[pi])), current: true, mtime: d.delivered(per, 0)}
		j.path = d.dataPath(j)
		jobs = append(jobs, j)
		name := filepath.Join(out, filepath.FromSlash(j.path))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return nil, fmt.Errorf("curgen: %w", err)
		}
		fh, err := os.Create(name)
		if err != nil {
			return nil, fmt.Errorf("curgen: %w", err)
		}
		bw := bufio.NewWriter(fh)
		n, err := p.writeData(bw, f, pi, res.Totals)
		if err == nil {
			err = bw.Flush()
		}
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chtimes(name, j.mtime, j.mtime)
		}
		if err != nil {
			return nil, fmt.Errorf("curgen: write %s: %w", name, err)
		}
		st, err := os.Stat(name)
		if err != nil {
			return nil, fmt.Errorf("curgen: %w", err)
		}
		res.DataFiles = append(res.DataFiles, j.path)
		res.CSVBytes += n
		res.StoredBytes += st.Size()
	}
	sort.Strings(res.DataFiles)
	for _, sums := range res.Totals {
		res.Rows += sums.LineItems // FOCUS rows, for focus-csv
	}
	var err error
	if res.OtherFiles, err = d.writeManifests(out, jobs); err != nil {
		return nil, err
	}
	return res, nil
}

// WritePlanted writes planted.csv in dir: one row per planted resource,
// with the rule it is planted for and whether the rule must flag it
// (expect "finding") or not (expect "none", a busy look-alike).
func (p *Plant) WritePlanted(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("curgen: %w", err)
	}
	name := filepath.Join(dir, "planted.csv")
	fh, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("curgen: %w", err)
	}
	w := csv.NewWriter(fh)
	w.Write([]string{"rule", "expect", "resource_id", "payer_account_id", "usage_account_id", "region", "what"})
	for _, r := range p.Resources {
		expect := "none"
		if r.Flagged {
			expect = "finding"
		}
		w.Write([]string{r.Rule, expect, r.ResourceID, r.Payer, r.Account, r.Region, r.What})
	}
	w.Flush()
	err = w.Error()
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("curgen: write %s: %w", name, err)
	}
	return nil
}

// accountFOCUS adds the FOCUS rows of it to the expected totals: the same
// sums as it.account, but a commitment fee with an unused part is two
// rows (see focusRows), and the service is FOCUS's ServiceName, which
// curpipe's totals keep for FOCUS.
func accountFOCUS(it *item, t totals.Table) error {
	rows, err := focusRows(it)
	if err != nil {
		return err
	}
	for _, r := range rows {
		billed, err := decimal.Parse(r["BilledCost"])
		if err != nil {
			return fmt.Errorf("line item %s: %w", it.id, err)
		}
		effective, err := decimal.Parse(r["EffectiveCost"])
		if err != nil {
			return fmt.Errorf("line item %s: %w", it.id, err)
		}
		t.Add(totals.Dims{Day: it.start.UTC().Format(time.DateOnly), Provider: "AWS", Payer: it.payer.id,
			Account: it.acct.id, Service: r["ServiceName"], Currency: it.payer.currency}, billed, billed, effective)
	}
	return nil
}
