package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/transforms/cur"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/report"
	"github.com/curpipe/curpipe/transforms/tabular"
	"github.com/curpipe/curpipe/transforms/totals"
)

// TestGeneratedTotals generates a small dataset in every format, with
// several periods, files and (where the format has them) versions, picks
// the current files as curpipe does (report.Resolve), parses them with
// tabular, cur and totals, and compares the result with the expected files
// byte for byte.
func TestGeneratedTotals(t *testing.T) {
	var want []byte // every format holds the same line items, so the same totals
	for _, format := range []string{"cur1-csv", "cur1-parquet", "cur2-parquet"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			out, expect := filepath.Join(dir, "out"), filepath.Join(dir, "expect")
			args := []string{"--out", out, "--expect", expect, "--format", format, "--rows", "3000",
				"--files", "2", "--periods", "2", "--payers", "3", "--accounts", "5", "--seed", "7"}
			if format != "cur1-parquet" {
				args = append(args, "--versions", "3")
			}
			var stdout, stderr bytes.Buffer
			if err := run(context.Background(), args, &stdout, &stderr); err != nil {
				t.Fatalf("curgen %v: %v\n%s", args, err, stderr.String())
			}
			files := currentFiles(t, out)
			if len(files) != 4 {
				t.Fatalf("resolved %d current files, want 2 periods x 2 files: %v", len(files), files)
			}
			got := make(totals.Table)
			rows := 0
			for _, f := range files {
				rows += parseInto(t, f, got)
			}
			if rows != 3000 {
				t.Errorf("parsed %d rows, want 3000", rows)
			}
			var daily, detail bytes.Buffer
			if err := got.WriteDaily(&daily); err != nil {
				t.Fatal(err)
			}
			if err := got.WriteDetail(&detail); err != nil {
				t.Fatal(err)
			}
			sameFile(t, filepath.Join(expect, "daily.csv"), daily.Bytes())
			sameFile(t, filepath.Join(expect, "daily_detail.csv"), detail.Bytes())
			if want == nil {
				want = detail.Bytes()
			} else if !bytes.Equal(want, detail.Bytes()) {
				t.Errorf("%s totals differ from cur1-csv's for the same seed and rows", format)
			}
		})
	}
}

// currentFiles resolves the reports under root and returns their files.
func currentFiles(t *testing.T, root string) []string {
	t.Helper()
	var objs []report.Object
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		objs = append(objs, report.Object{URL: p, Key: filepath.ToSlash(rel), Size: info.Size(), ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func(_ context.Context, u string) ([]byte, error) { return os.ReadFile(u) }
	reports, _, err := report.Resolve(context.Background(), objs, read)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, r := range reports {
		if r.Err != "" {
			t.Fatalf("report %s: %s", r.ID, r.Err)
		}
		files = append(files, r.Files...)
	}
	return files
}

// parseInto adds the line items of one file to tab and returns their count.
func parseInto(t *testing.T, name string, tab totals.Table) int {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := tabular.Open(tabular.Source{Name: name, Size: st.Size(), At: f})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	schema, err := cur.Detect(rd.Header())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := rd.Select(schema.Columns()); err != nil {
		t.Fatal(err)
	}
	var it cur.Item
	n := 0
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Parse(row, &it); err != nil {
			t.Fatalf("%s:%d: %v", name, rd.Pos(), err)
		}
		tab.Add(totals.Dims{Day: it.Day(), Provider: it.Provider, Payer: it.Payer, Account: it.Account,
			Service: it.Service, Currency: it.Currency}, it.Unblended, it.NetUnblended, it.Amortized)
		n++
	}
}

func sameFile(t *testing.T, name string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(g) && i < len(w); i++ {
			if g[i] != w[i] {
				t.Fatalf("%s: line %d\n got %s\nwant %s", filepath.Base(name), i+1, g[i], w[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d", filepath.Base(name), len(g), len(w))
	}
}

// TestDeterministic checks that a seed gives the same bytes whatever the
// number of workers.
func TestDeterministic(t *testing.T) {
	var first map[string][]byte
	for _, workers := range []int{1, 3} {
		cfg := gen.DefaultConfig()
		cfg.Rows, cfg.Files, cfg.Periods, cfg.Versions, cfg.Workers = 2000, 3, 2, 2, workers
		out := t.TempDir()
		if _, err := gen.Generate(context.Background(), out, cfg); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		filepath.WalkDir(out, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				b, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(out, p)
				files[rel] = b
			}
			return err
		})
		if first == nil {
			first = files
			continue
		}
		if len(files) != len(first) {
			t.Fatalf("%d files with %d workers, %d with 1", len(files), workers, len(first))
		}
		for k, b := range first {
			if !bytes.Equal(files[k], b) {
				t.Errorf("%s differs between 1 and %d workers", k, workers)
			}
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"10MB": 10e6, "1GB": 1e9, "2GiB": 2 << 30, "1.5g": 1.5e9, "512": 512, "64 KiB": 64 << 10} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1GB", "ten"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) succeeded", in)
		}
	}
}

// TestHistoryThroughCurpipe generates the default history, runs curpipe
// on it (the in-process prism runner) and wants its totals to be the
// expected ones byte for byte. It then reads the older report version
// that held the restated spike: the spike is there, and the version's
// newest day is partial.
func TestHistoryThroughCurpipe(t *testing.T) {
	dir := t.TempDir()
	out, expect, lake := filepath.Join(dir, "out"), filepath.Join(dir, "expect"), filepath.Join(dir, "lake")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"--history", "--out", out, "--expect", expect}, &stdout, &stderr); err != nil {
		t.Fatalf("curgen --history: %v\n%s", err, stderr.String())
	}
	bin := filepath.Join(dir, "curpipe")
	if b, err := exec.Command("go", "build", "-o", bin, "github.com/curpipe/curpipe/cmd/curpipe").CombinedOutput(); err != nil {
		t.Fatalf("go build curpipe: %v\n%s", err, b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	began := time.Now()
	if b, err := exec.CommandContext(ctx, bin, "run", "--input", out, "--output", lake, "--reprocess").CombinedOutput(); err != nil {
		t.Fatalf("curpipe run: %v\n%s", err, b)
	}
	t.Logf("curpipe run: %s", time.Since(began).Round(time.Millisecond))
	for _, name := range []string{"daily.csv", "daily_detail.csv"} {
		got, err := os.ReadFile(filepath.Join(lake, "totals", name))
		if err != nil {
			t.Fatal(err)
		}
		sameFile(t, filepath.Join(expect, name), got)
	}

	labels := readCSV(t, filepath.Join(expect, "labels.csv"))
	var spike []string
	for _, row := range labels[1:] {
		if row[0] == "restated_spike" {
			spike = row
		}
	}
	if spike == nil {
		t.Fatal("no restated_spike label")
	}
	var files []string
	filepath.WalkDir(out, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && filepath.Base(filepath.Dir(p)) == spike[8] && strings.HasSuffix(p, ".csv.gz") {
			files = append(files, p)
		}
		return err
	})
	if len(files) != 1 {
		t.Fatalf("report version %s has files %v, want one", spike[8], files)
	}
	older := make(totals.Table)
	parseInto(t, files[0], older)
	cell := totals.Dims{Day: spike[4], Provider: "AWS", Payer: spike[1], Account: spike[2], Service: spike[3]}
	var held *totals.Sums
	for k, s := range older {
		if k.Day == cell.Day && k.Payer == cell.Payer && k.Account == cell.Account && k.Service == cell.Service {
			held = s
		}
	}
	if want := decimal.MustParse(spike[6]).Add(decimal.MustParse(spike[7])); held == nil || !held.NetUnblended.Equal(want) {
		t.Errorf("version %s holds %v for %v, want expected + impact = %s", spike[8], held, cell, want)
	}
	// The version's newest day is partial: each currency's total is below
	// the current one.
	newest := ""
	for k := range older {
		newest = max(newest, k.Day)
	}
	current := map[string]decimal.Decimal{}
	for _, row := range readCSV(t, filepath.Join(expect, "daily.csv"))[1:] {
		if row[0] == newest {
			current[row[2]] = decimal.MustParse(row[4])
		}
	}
	for k, s := range older.Daily() {
		if k.Day == newest && s.NetUnblended.Cmp(current[k.Currency]) >= 0 {
			t.Errorf("version %s: its newest day %s costs %s %s, the complete day %s", spike[8], newest, s.NetUnblended, k.Currency, current[k.Currency])
		}
	}
}

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}

// TestHistoryFlags checks which flags --history takes.
func TestHistoryFlags(t *testing.T) {
	shape := []string{"--history", "--days", "60", "--series", "30", "--payers", "2", "--accounts", "3"}
	small := slices.Concat(shape, []string{"--events", "spike=2,level_shift=1,drift=1,new_account=1,new_service=1,masked_pair=1,bump=2,restated_spike=1"})
	tests := []struct {
		name string
		args []string
		want string // in the error, or in stdout when it succeeds
	}{
		{"small", small, "labels: drift=1 level_shift=2 masked_pair=2"},
		{"two versions", slices.Concat(small, []string{"--versions", "2"}), "12 labels, 4 report versions"},
		{"rows", slices.Concat(small, []string{"--rows", "1000"}), "--rows does not apply to --history"},
		{"parquet", slices.Concat(small, []string{"--format", "cur2-parquet"}), "writes cur1-csv"},
		{"bad events", slices.Concat(small, []string{"--events", "spikes=3"}), "--events: \"spikes=3\" is not kind=count"},
		{"too many", slices.Concat(shape, []string{"--events", "spike=100,level_shift=0,drift=0,bump=0"}), "could not plant spike"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var stdout, stderr bytes.Buffer
			args := append([]string{"--out", filepath.Join(dir, "out"), "--expect", filepath.Join(dir, "expect")}, tc.args...)
			err := run(context.Background(), args, &stdout, &stderr)
			got := stdout.String()
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("curgen %v: %q (%v), want %q", tc.args, stdout.String(), err, tc.want)
			}
		})
	}
}
