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

// BenchmarkParseFile times the per-file parse of a generated CUR 1.0
// csv.gz on local disk, with its pre-aggregation into daily cells: totals
// only (no Output), and with the curated Parquet written too. MB/s is of
// uncompressed CSV. Each run's totals are checked against the generator's.
func BenchmarkParseFile(b *testing.B) {
	dir := b.TempDir()
	name := filepath.Join(dir, "bench-1.csv.gz")
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	// The curated lake keeps usage amounts as DECIMAL(38,24) and fails a
	// file with a finer one; both runs read figures rounded to 24 places so
	// that they parse the same file.
	cfg := gen.DefaultConfig()
	cfg.MaxScale = 24
	info, err := gen.WriteFile(f, cfg, benchRows)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	task := element.FileTask{
		Ref: "bench@1", ReportKey: "benchreport", ReportName: "bench", ReportID: "bench",
		Version: "1", VersionKey: "benchversion", BillingPeriod: "2024-01", URL: name, Index: 1,
	}
	for _, c := range []struct {
		name   string
		output string
	}{
		{"totals", ""},
		{"curated", filepath.Join(dir, "lake")},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(info.CSVBytes)
			b.ReportAllocs()
			for b.Loop() {
				res := parseFile(context.Background(), task, ParseOptions{Output: c.output}, shareOf(ParseOptions{}, 1))
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
