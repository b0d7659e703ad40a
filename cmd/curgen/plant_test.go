package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/cur"
	"github.com/curpipe/curpipe/transforms/findings"
	"github.com/curpipe/curpipe/transforms/tabular"
	"github.com/curpipe/curpipe/transforms/totals"
)

// TestPlantFindings writes the planted findings in every format as the
// command does, picks the current files as curpipe does (report.Resolve),
// and checks that each format gives the expected totals byte for byte,
// the same totals as the others, and findings of exactly the resources
// planted.csv says must be found. (gen's TestPlantedFindings checks the
// savings.)
func TestPlantFindings(t *testing.T) {
	var want []byte
	for _, format := range []string{"cur1-csv", "cur1-parquet", "cur2-parquet", "focus-csv"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			out, expect := filepath.Join(dir, "out"), filepath.Join(dir, "expect")
			args := []string{"--plant-findings", "--out", out, "--expect", expect, "--format", format, "--seed", "5", "--start", "2025-03"}
			var stdout, stderr bytes.Buffer
			if err := run(context.Background(), args, &stdout, &stderr); err != nil {
				t.Fatalf("curgen %v: %v\n%s", args, err, stderr.String())
			}
			if !strings.Contains(stdout.String(), "10 resources to find, 10 look-alikes, 2025-03 to 2026-03") {
				t.Errorf("stdout %q", stdout.String())
			}
			files := currentFiles(t, out)
			if len(files) != 13 {
				t.Fatalf("resolved %d current files, want 13 periods: %v", len(files), files)
			}
			got := make(totals.Table)
			var acc findings.Acc
			for _, f := range files {
				parseInto(t, f, got)
				addFindings(t, f, &acc)
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
			// The costs are the same in every format; FOCUS counts more
			// rows, a commitment fee with an unused part being two, and
			// names services by ServiceName: compare the days' sums.
			sums := withoutLastColumn(daily.Bytes())
			if want == nil {
				want = sums
			} else if !bytes.Equal(want, sums) {
				t.Errorf("%s totals differ from cur1-csv's for the same seed", format)
			}

			var found, planted []string
			for _, f := range acc.Findings(findings.DefaultConfig()) {
				found = append(found, f.Rule+" "+f.ResourceID)
			}
			rows := readCSV(t, filepath.Join(expect, "planted.csv"))
			if h := strings.Join(rows[0], ","); h != "rule,expect,resource_id,payer_account_id,usage_account_id,region,what" {
				t.Fatalf("planted.csv header %s", h)
			}
			for _, row := range rows[1:] {
				if row[1] == "finding" {
					planted = append(planted, row[0]+" "+row[2])
				}
			}
			slices.Sort(found)
			slices.Sort(planted)
			if len(planted) != 10 || !slices.Equal(found, planted) {
				t.Errorf("found\n%s\nwant the planted\n%s", strings.Join(found, "\n"), strings.Join(planted, "\n"))
			}
		})
	}
}

// addFindings adds the lines of a data file to acc.
func addFindings(t *testing.T, name string, acc *findings.Acc) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := tabular.Open(tabular.Source{Name: name, Size: int64(len(b)), At: bytes.NewReader(b)})
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
	var l findings.Line
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Parse(row, &it); err != nil {
			t.Fatalf("%s:%d: %v", name, rd.Pos(), err)
		}
		findings.FromItem(&l, &it)
		if err := acc.Add(&l); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPlantFlags checks which flags --plant-findings takes.
func TestPlantFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string // in the error
	}{
		{[]string{"--rows", "100"}, "--rows does not apply to --plant-findings"},
		{[]string{"--history"}, "--history does not apply to --plant-findings"},
		{[]string{"--periods", "2"}, "--periods does not apply to --plant-findings"},
		{[]string{"--format", "focus-parquet"}, "unknown format \"focus-parquet\""},
	}
	for _, tc := range tests {
		dir := t.TempDir()
		args := append([]string{"--plant-findings", "--out", filepath.Join(dir, "out")}, tc.args...)
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("curgen %v: %v, want an error with %q", args, err, tc.want)
		}
	}
	// Without --plant-findings, focus-csv is refused: the generator's
	// other line item types have no FOCUS mapping.
	dir := t.TempDir()
	err := run(context.Background(), []string{"--out", dir, "--format", "focus-csv", "--rows", "10"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--plant-findings") {
		t.Errorf("curgen --format focus-csv: %v, want it refused", err)
	}
}

// withoutLastColumn drops the last field of every line of a CSV file
// whose fields hold no commas: the line item count of a totals file.
func withoutLastColumn(b []byte) []byte {
	var out []byte
	for line := range strings.Lines(string(b)) {
		if i := strings.LastIndexByte(line, ','); i >= 0 {
			line = line[:i] + "\n"
		}
		out = append(out, line...)
	}
	return out
}
