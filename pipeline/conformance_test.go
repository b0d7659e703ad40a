package pipeline_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/curpipe/curpipe/pipeline"
	"github.com/curpipe/curpipe/transforms/decimal"
)

// refKey and refVal hold one reference_daily.csv row: per day, or per day
// and usage account.
type refKey struct{ day, provider, account, currency string }

type refVal struct {
	rows   int64
	c1, c2 decimal.Decimal // unblended (or billed) and amortized (or effective)
}

func (v refVal) equal(w refVal) bool {
	return v.rows == w.rows && v.c1.Equal(w.c1) && v.c2.Equal(w.c2)
}

// loadReference reads a sample's reference_daily.csv into its day and
// day-account levels.
func loadReference(t *testing.T, path string) (day, account map[refKey]refVal) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	day, account = map[refKey]refVal{}, map[refKey]refVal{}
	for _, r := range recs[1:] {
		n, err := strconv.ParseInt(r[5], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		v := refVal{rows: n, c1: decimal.MustParse(r[6]), c2: decimal.MustParse(r[7])}
		switch r[0] {
		case "day":
			day[refKey{r[1], r[2], "", r[4]}] = v
		case "day_account":
			account[refKey{r[1], r[2], r[3], r[4]}] = v
		default:
			t.Fatalf("unknown level %q", r[0])
		}
	}
	return day, account
}

// TestConformance runs every public sample through the pipeline and
// compares both totals files with the independently computed reference,
// as exact decimals, row by row.
func TestConformance(t *testing.T) {
	samples, err := filepath.Glob("../testdata/samples/*/reference_daily.csv")
	if err != nil || len(samples) < 4 {
		t.Fatalf("want the 4 public samples under testdata/samples, found %v (%v)", samples, err)
	}
	for _, ref := range samples {
		dir := filepath.Dir(ref)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			out := t.TempDir()
			sum := runBatch(t, pipeline.Config{Inputs: []string{filepath.Join(dir, "input")}, Output: out})
			for _, o := range sum.Outcomes {
				if o.Status != "committed" {
					t.Errorf("report %s: %s %s", o.Name, o.Status, o.Reason)
				}
			}
			wantDay, wantAccount := loadReference(t, ref)
			tab := readDetail(t, out)
			gotDay, gotAccount := map[refKey]refVal{}, map[refKey]refVal{}
			add := func(m map[refKey]refVal, k refKey, unblended, amortized decimal.Decimal, n int64) {
				v := m[k]
				m[k] = refVal{rows: v.rows + n, c1: v.c1.Add(unblended), c2: v.c2.Add(amortized)}
			}
			for d, s := range tab.Daily() {
				add(gotDay, refKey{d.Day, d.Provider, "", d.Currency}, s.Unblended, s.Amortized, s.LineItems)
			}
			for d, s := range tab {
				add(gotAccount, refKey{d.Day, d.Provider, d.Account, d.Currency}, s.Unblended, s.Amortized, s.LineItems)
			}
			compareLevel(t, "day", wantDay, gotDay)
			compareLevel(t, "day_account", wantAccount, gotAccount)
			// daily.csv must agree with the detail it summarizes.
			dailyCSV, err := os.ReadFile(filepath.Join(out, "totals", "daily.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if n := len(splitLines(dailyCSV)) - 1; n != len(wantDay) {
				t.Errorf("daily.csv has %d rows, the reference %d days", n, len(wantDay))
			}
		})
	}
}

func compareLevel(t *testing.T, level string, want, got map[refKey]refVal) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s %v: missing, want %+v", level, k, w)
			continue
		}
		if !g.equal(w) {
			t.Errorf("%s %v: got rows=%d %s %s, want rows=%d %s %s", level, k, g.rows, g.c1, g.c2, w.rows, w.c1, w.c2)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s %v: unexpected row %+v", level, k, g)
		}
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
