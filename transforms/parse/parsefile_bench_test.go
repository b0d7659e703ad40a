package parse

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	_ "github.com/curpipe/curpipe/io/localfs" // local files for parseFile
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/totals"
)

// benchRows is the size of the generated report: about 53 MB of CSV, 11 MB
// gzip.
const benchRows = 50000

// BenchmarkParseFile times the per-file parse of a generated report on
// local disk, with its pre-aggregation into daily cells: a CUR 1.0 csv.gz
// and a CUR 2.0 Parquet file (its product and resource_tags maps included),
// each totals only (no Output), with the curated Parquet written too, and
// each of those with the savings findings gathered.
// MB/s is of uncompressed CSV for CUR 1.0 and of the Parquet file for
// CUR 2.0. Each run's totals are checked against the generator's.
func BenchmarkParseFile(b *testing.B) {
	for _, format := range []gen.Format{gen.CUR1CSV, gen.CUR2Parquet} {
		b.Run(string(format), func(b *testing.B) { benchParseFile(b, format) })
	}
}

func benchParseFile(b *testing.B, format gen.Format) {
	dir := b.TempDir()
	name := filepath.Join(dir, "bench-1.csv.gz")
	if format != gen.CUR1CSV {
		name = filepath.Join(dir, "bench-1.snappy.parquet")
	}
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	// The curated lake keeps usage amounts as DECIMAL(38,24) and fails a
	// file with a finer one; both runs read figures rounded to 24 places so
	// that they parse the same file.
	cfg := gen.DefaultConfig()
	cfg.Format = format
	cfg.MaxScale = 24
	info, err := gen.WriteFile(f, cfg, benchRows)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	size := info.CSVBytes
	if format != gen.CUR1CSV {
		st, err := os.Stat(name)
		if err != nil {
			b.Fatal(err)
		}
		size = st.Size()
	}
	task := element.FileTask{
		Ref: "bench@1", ReportKey: "benchreport", ReportName: "bench", ReportID: "bench",
		Version: "1", VersionKey: "benchversion", BillingPeriod: "2024-01", URL: name, Index: 1,
	}
	lake := filepath.Join(dir, "lake")
	for _, c := range []struct {
		name string
		opts ParseOptions
	}{
		{"totals", ParseOptions{}},
		{"curated", ParseOptions{Output: lake}},
		// What the savings findings add: reading the lines' usage types,
		// resources and attributes, and summing those a rule reads.
		{"totals+findings", ParseOptions{Output: lake, NoCurated: true, Findings: true}},
		{"curated+findings", ParseOptions{Output: lake, Findings: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				res := parseFile(context.Background(), task, c.opts, shareOf(ParseOptions{}, 1))
				if res.Status.Err != "" {
					b.Fatal(res.Status.Err)
				}
				checkTotals(b, res.Rows, info.Totals)
			}
			b.ReportMetric(float64(info.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// checkTotals fails b unless got holds exactly the cells of want, in
// order. It runs inside the timed loop, but costs a hundredth of the parse.
func checkTotals(b *testing.B, got []totals.Row, want totals.Table) {
	b.Helper()
	if len(got) != len(want) {
		b.Fatalf("%d cells, the generator expects %d", len(got), len(want))
	}
	for i, r := range got {
		if i > 0 && !got[i-1].Dims.Less(r.Dims) {
			b.Fatalf("rows out of order: %v before %v", got[i-1].Dims, r.Dims)
		}
		if s := want[r.Dims]; s == nil || !s.Equal(r.Sums) {
			b.Fatalf("%v: got %+v, want %+v", r.Dims, r.Sums, s)
		}
	}
}
