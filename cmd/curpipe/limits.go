package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/curpipe/curpipe/transforms/parse"
	rep "github.com/curpipe/curpipe/transforms/report"
	"github.com/curpipe/curpipe/transforms/tabular"
)

// limits are the bounds a run or a stream takes from its flags.
type limits struct {
	files   tabular.Limits
	reports rep.Limits
	cells   int // a report's distinct cells (billing.ParseOptions.MaxCells)
}

// limitFlags adds the flags that bound what an input may make curpipe
// hold, with tabular's and report's DefaultLimits as their defaults, and
// returns the limits they fill.
func limitFlags(fs *flag.FlagSet) *limits {
	all := &limits{files: tabular.DefaultLimits, reports: rep.DefaultLimits, cells: parse.DefaultMaxCells}
	l := &all.files
	fs.Var((*bytesFlag)(&l.HeaderBytes), "max-header-bytes", "bytes in a CSV header line (1MiB, 500KB, 4096)")
	fs.Var((*bytesFlag)(&l.RecordBytes), "max-record-bytes", "bytes in one CSV record, quoted line breaks included")
	fs.Var((*bytesFlag)(&l.FieldBytes), "max-field-bytes", "bytes in one field curpipe reads")
	fs.IntVar(&l.Fields, "max-fields", l.Fields, "columns in a header")
	fs.Int64Var(&l.InflateRatio, "max-inflate-ratio", l.InflateRatio, "bytes a gzip or zip file may inflate to per compressed byte (at least 64MiB)")
	fs.Var((*bytes64Flag)(&l.ZipEntryBytes), "max-zip-entry-bytes", "inflated bytes of the CSV inside a zip")
	fs.Var((*bytes64Flag)(&l.ParquetColumnChunkBytes), "max-parquet-column-chunk-bytes", "compressed bytes of one Parquet column chunk curpipe reads")
	fs.Var((*bytes64Flag)(&l.ParquetRowGroupBytes), "max-parquet-row-group-bytes", "compressed bytes of the column chunks curpipe reads from one Parquet row group")
	fs.Var((*bytes64Flag)(&l.ParquetPageBytes), "max-parquet-page-bytes", "bytes of one page of a Parquet column curpipe reads, compressed or not, and its values, one per 8 bytes")
	fs.Var((*bytes64Flag)(&all.reports.ManifestBytes), "max-manifest-bytes", "bytes in a report's manifest")
	fs.IntVar(&all.reports.Files, "max-files-per-report", all.reports.Files, "data files in one report, and entries in its manifest")
	fs.IntVar(&all.cells, "max-cells", all.cells, "distinct day, payer, account, service and currency cells of one report (about 1 KB of memory each)")
	return all
}

// bytesFlag is a byte count given as a number with an optional unit:
// KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024).
type bytesFlag int

func (b *bytesFlag) String() string { return strconv.Itoa(int(*b)) }
func (b *bytesFlag) Set(s string) error {
	n, err := parseBytes(s)
	if err != nil {
		return err
	}
	if n > int64(^uint(0)>>2) {
		return fmt.Errorf("%q is too large", s)
	}
	*b = bytesFlag(n)
	return nil
}

// bytes64Flag is bytesFlag for an int64.
type bytes64Flag int64

func (b *bytes64Flag) String() string { return strconv.FormatInt(int64(*b), 10) }
func (b *bytes64Flag) Set(s string) error {
	n, err := parseBytes(s)
	*b = bytes64Flag(n)
	return err
}

func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size such as 8MiB, 500KB or 4096", s)
	}
	return n * mult, nil
}
