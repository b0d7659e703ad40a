package pipeline_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/curpipe/curpipe/pipeline"
	"github.com/curpipe/curpipe/pipeline/pipelinetest"
)

// TestConformance runs every public sample through the pipeline and
// compares both totals files with the independently computed reference,
// as exact decimals, row by row.
func TestConformance(t *testing.T) {
	samples, err := pipelinetest.Samples("..")
	if err != nil || len(samples) < 4 {
		t.Fatalf("want the 4 public samples under testdata/samples, found %v (%v)", samples, err)
	}
	for _, dir := range samples {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ref, err := pipelinetest.Load(filepath.Join(dir, "reference_daily.csv"))
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			sum := runBatch(t, pipeline.Config{Inputs: []string{filepath.Join(dir, "input")}, Output: out})
			for _, o := range sum.Outcomes {
				if o.Status != "committed" {
					t.Errorf("report %s: %s %s", o.Name, o.Status, o.Reason)
				}
			}
			for _, d := range ref.Compare(readDetail(t, out)) {
				t.Error(d)
			}
			// daily.csv must agree with the detail it summarizes.
			dailyCSV, err := os.ReadFile(filepath.Join(out, "totals", "daily.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if n := len(splitLines(dailyCSV)) - 1; n != len(ref.Day) {
				t.Errorf("daily.csv has %d rows, the reference %d days", n, len(ref.Day))
			}
		})
	}
}

func splitLines(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, string(b[start:i]))
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, string(b[start:]))
	}
	return out
}
