package parse

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/transforms/element"
)

// TestParseFileChunks parses one file, holding bad rows of both kinds,
// sequentially (one core) and in small chunks on several: the statuses,
// sums, quarantine files and curated files are the same, and so is the
// error once the bad rows are too many.
func TestParseFileChunks(t *testing.T) {
	var gz bytes.Buffer
	cfg := gen.DefaultConfig()
	cfg.MaxScale = 24 // the lake's DECIMAL(38,24) usage amounts
	if _, err := gen.WriteFile(&gz, cfg, 3000); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&gz)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, line := range strings.SplitAfter(string(text), "\n") {
		switch {
		case i > 0 && i%251 == 0:
			b.WriteString("1,2,3\r\n") // too few fields
		case i > 0 && i%397 == 0:
			line = strings.ReplaceAll(line, "2024-01-", "2024-13-") // bad dates
		}
		b.WriteString(line)
	}
	name := filepath.Join(t.TempDir(), "chunks-1.csv")
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	task := element.FileTask{Ref: "r@1", ReportKey: "rk", ReportName: "r", ReportID: "r", Version: "1", VersionKey: "vk",
		BillingPeriod: "2024-01", URL: name, Index: 1}
	defer func(old int) { chunkSize = old }(chunkSize)
	chunkSize = 4096

	parse := func(procs int, maxBad int64) (fileResult, string) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		out := t.TempDir()
		opts := ParseOptions{Output: out, MaxBadRows: maxBad}
		return parseFile(context.Background(), task, opts, shareOf(opts, 1)), out
	}
	seq, seqOut := parse(1, 1000)
	par, parOut := parse(4, 1000)
	if seq.Status.Err != "" || seq.Status.BadRows < 15 {
		t.Fatalf("sequential parse: %+v; want success with bad rows", seq.Status)
	}
	if par.Status.Rows != seq.Status.Rows || par.Status.BadRows != seq.Status.BadRows || par.Status.Err != "" {
		t.Errorf("in chunks: %d rows, %d bad, %q; sequentially %d, %d", par.Status.Rows, par.Status.BadRows,
			par.Status.Err, seq.Status.Rows, seq.Status.BadRows)
	}
	if len(par.Rows) != len(seq.Rows) {
		t.Fatalf("in chunks: %d cells, sequentially %d", len(par.Rows), len(seq.Rows))
	}
	for i := range seq.Rows {
		if par.Rows[i].Dims != seq.Rows[i].Dims || !par.Rows[i].Sums.Equal(seq.Rows[i].Sums) {
			t.Fatalf("cell %d: in chunks %v, sequentially %v", i, par.Rows[i], seq.Rows[i])
		}
	}
	want, got := files(t, seqOut), files(t, parOut)
	if len(want) < 2 {
		t.Fatalf("sequential parse wrote %d files, want curated and quarantine files", len(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("in chunks: no %s", name)
		} else if !bytes.Equal(g, w) {
			t.Errorf("in chunks: %s differs", name)
		}
	}
	if len(got) != len(want) {
		t.Errorf("in chunks: %d files, sequentially %d", len(got), len(want))
	}

	seq, _ = parse(1, 5)
	par, _ = parse(4, 5)
	if seq.Status.Err == "" || par.Status.Err != seq.Status.Err {
		t.Errorf("past the allowance: in chunks %q, sequentially %q", par.Status.Err, seq.Status.Err)
	}
}

// files returns the files under dir by their path in it.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestParseFileCells: a file's sums are the same whether its chunk
// workers hand their cells to the file's sums often or once; and a file
// of more cells than its share fails naming --max-cells, on one core or
// several, while one of exactly its share parses.
func TestParseFileCells(t *testing.T) {
	var gz bytes.Buffer
	cfg := gen.DefaultConfig()
	cfg.Accounts = 60
	if _, err := gen.WriteFile(&gz, cfg, 4000); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "cells-1.csv.gz")
	if err := os.WriteFile(name, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	task := element.FileTask{Ref: "r@1", ReportKey: "rk", ReportName: "r", ReportID: "r", Version: "1", VersionKey: "vk",
		BillingPeriod: "2024-01", URL: name, Index: 1}
	defer func(size, flush int) { chunkSize, flushCells = size, flush }(chunkSize, flushCells)
	chunkSize = 4096

	parse := func(procs, flush, maxCells int) fileResult {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		flushCells = flush
		opts := ParseOptions{MaxCells: maxCells}
		return parseFile(context.Background(), task, opts, shareOf(opts, 1))
	}
	want := parse(1, 1<<15, 0)
	n := len(want.Rows)
	if want.Status.Err != "" || n < 1000 {
		t.Fatalf("parse: %d cells, %q; want over 1000 cells", n, want.Status.Err)
	}
	for _, tc := range []struct {
		name         string
		procs, flush int
		maxCells     int
		err          string
	}{
		{"one core, at the limit", 1, 1 << 15, n, ""},
		{"four cores, flushing often, at the limit", 4, 16, n, ""},
		{"four cores, flushing once, at the limit", 4, 1 << 15, n, ""},
		{"one core, one cell over", 1, 1 << 15, n - 1, "over the limit of %d cells (--max-cells)"},
		{"four cores, flushing often, one cell over", 4, 16, n - 1, "over the limit of %d cells (--max-cells)"},
		{"four cores, flushing once, far over", 4, 1 << 15, 10, "over the limit of %d cells (--max-cells)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := parse(tc.procs, tc.flush, tc.maxCells)
			if tc.err != "" {
				msg := fmt.Sprintf(tc.err, tc.maxCells)
				if !strings.Contains(got.Status.Err, msg) || !strings.HasPrefix(got.Status.Err, name) || got.Rows != nil {
					t.Fatalf("got %d cells, error %q; want no cells and an error naming the file and %q", len(got.Rows), got.Status.Err, msg)
				}
				return
			}
			if got.Status.Err != "" || len(got.Rows) != n {
				t.Fatalf("got %d cells, error %q; want %d cells", len(got.Rows), got.Status.Err, n)
			}
			for i := range want.Rows {
				if got.Rows[i].Dims != want.Rows[i].Dims || !got.Rows[i].Sums.Equal(want.Rows[i].Sums) {
					t.Fatalf("cell %d: %v, want %v", i, got.Rows[i], want.Rows[i])
				}
			}
		})
	}
}

// FuzzMaxCells: under any --max-cells a file either parses to the very
// sums it has without the bound, holding no more cells than the bound, or
// fails naming the flag because it has more; in small chunks on several
// workers that hand their cells over often.
func FuzzMaxCells(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7}, uint8(4))
	f.Add([]byte("the same few cells again and again"), uint8(12))
	f.Add(bytes.Repeat([]byte{7}, 300), uint8(1))
	dir := f.TempDir()
	defer func(size, flush int) { chunkSize, flushCells = size, flush }(chunkSize, flushCells)
	chunkSize, flushCells = 256, 3
	f.Fuzz(func(t *testing.T, cells []byte, max uint8) {
		var b strings.Builder
		b.WriteString("bill/PayerAccountId,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/CurrencyCode,lineItem/UnblendedCost\n")
		for i, c := range cells {
			// A byte picks the row's cell: one of 3 days, 8 accounts, 4 services.
			fmt.Fprintf(&b, "1,%d,Usage,2024-01-0%dT00:00:00Z,svc%d,USD,%d.%02d\n", c%8, 1+c/8%3, c/24%4, i, c)
		}
		name := filepath.Join(dir, "fuzz-1.csv")
		if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		task := element.FileTask{Ref: "r@1", ReportKey: "rk", VersionKey: "vk", URL: name}
		parse := func(maxCells int) fileResult {
			opts := ParseOptions{MaxCells: maxCells}
			return parseFile(context.Background(), task, opts, shareOf(opts, 1))
		}
		free := parse(1 << 20)
		if free.Status.Err != "" {
			t.Fatalf("unbounded: %s", free.Status.Err)
		}
		limit := int(max%64) + 1
		got := parse(limit)
		if len(free.Rows) > limit {
			if !strings.Contains(got.Status.Err, "(--max-cells)") || got.Rows != nil {
				t.Fatalf("%d cells under a bound of %d: %d cells, error %q", len(free.Rows), limit, len(got.Rows), got.Status.Err)
			}
			return
		}
		if got.Status.Err != "" || len(got.Rows) != len(free.Rows) {
			t.Fatalf("%d cells under a bound of %d: %d cells, error %q", len(free.Rows), limit, len(got.Rows), got.Status.Err)
		}
		for i := range free.Rows {
			if got.Rows[i].Dims != free.Rows[i].Dims || !got.Rows[i].Sums.Equal(free.Rows[i].Sums) {
				t.Fatalf("cell %d: %v, want %v", i, got.Rows[i], free.Rows[i])
			}
		}
	})
}
