package lake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/curpipe/curpipe/io/localfs" // the lake in a temporary folder
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

func TestRebuildTotals(t *testing.T) {
	dec := decimal.MustParse
	row := func(day, payer, account, cost string, items int64) totals.Row {
		return totals.Row{
			Dims: totals.Dims{Day: day, Provider: "AWS", Payer: payer, Account: account, Service: "AmazonEC2", Currency: "USD"},
			Sums: totals.Sums{Unblended: dec(cost), NetUnblended: dec(cost), Amortized: dec(cost), LineItems: items},
		}
	}
	// Report a alone holds 2024-01-01; both hold 2024-01-02, with one cell
	// in common; b alone holds 2024-01-03.
	reports := map[string][]totals.Row{
		"a": {
			row("2024-01-01", "111", "1", "1.10", 2),
			row("2024-01-01", "111", "2", "-0.000000001", 1),
			row("2024-01-02", "111", "1", "3", 1),
			row("2024-01-02", "333", "1", "0.5", 1),
		},
		"b": {
			row("2024-01-02", "111", "1", "0.25", 4),
			row("2024-01-02", "222", "9", "7E-12", 1),
			row("2024-01-03", "222", "9", "8", 1),
		},
	}
	// More days than one batch of workers, for the order across batches.
	for d := 1; d <= 40; d++ {
		day := time.Date(2024, 2, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		reports["c"] = append(reports["c"], row(day, "444", "1", strconv.Itoa(d)+".5", int64(d)))
	}
	out := t.TempDir()
	want := make(totals.Table)
	for key, rows := range reports {
		byDay := map[string][]totals.Row{}
		for _, r := range rows {
			byDay[r.Day] = append(byDay[r.Day], r)
			want.Merge(r.Dims, r.Sums)
		}
		var days []string
		for day, rows := range byDay {
			var b bytes.Buffer
			if err := totals.WriteDetailRows(&b, rows); err != nil {
				t.Fatal(err)
			}
			writeFile(t, DayTotalsURL(out, key, "v2", day), b.Bytes())
			days = append(days, day)
		}
		writeState(t, out, key, "v2", days)
	}
	writeFile(t, filepath.Join(out, "totals", "reports", "a", "notes.txt"), []byte("not a day"))
	// What no committed version holds counts for nothing: an older
	// version's leftovers, and a version still being written.
	for _, v := range []string{"v1", "v3"} {
		writeFile(t, DayTotalsURL(out, "a", v, "2024-01-01"), []byte(detailHeader+"2024-01-01,AWS,111,1,AmazonEC2,USD,5,5,5,1\n"))
	}

	if err := RebuildTotals(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	var wantDaily, wantDetail bytes.Buffer
	if err := want.WriteDaily(&wantDaily); err != nil {
		t.Fatal(err)
	}
	if err := want.WriteDetail(&wantDetail); err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string][]byte{"daily.csv": wantDaily.Bytes(), "daily_detail.csv": wantDetail.Bytes()} {
		got, err := os.ReadFile(filepath.Join(out, "totals", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, w) {
			t.Errorf("%s:\n%s\nwant:\n%s", name, got, w)
		}
	}
}

func TestRebuildTotalsEmpty(t *testing.T) {
	out := t.TempDir()
	if err := RebuildTotals(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"daily.csv":        "usage_date,provider,currency,unblended_cost,net_unblended_cost,amortized_cost,line_items\n",
		"daily_detail.csv": "usage_date,provider,payer_account_id,usage_account_id,service,currency,unblended_cost,net_unblended_cost,amortized_cost,line_items\n",
	} {
		got, err := os.ReadFile(filepath.Join(out, "totals", name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestRebuildTotalsBadFile(t *testing.T) {
	good := detailHeader + "2024-01-01,AWS,111,1,AmazonEC2,USD,1,1,1,1\n"
	tests := []struct {
		name  string
		files map[string]string // report -> its file of 2024-01-01
		want  string
	}{
		{"foreign header", map[string]string{"a": "day,cost\n2024-01-01,1\n"}, "header"},
		{"foreign header in a shared day", map[string]string{"a": good, "b": "day,cost\n2024-01-01,1\n"}, "header"},
		{"bad figure in a shared day", map[string]string{"a": good, "b": detailHeader + "2024-01-01,AWS,111,1,AmazonEC2,USD,1,x,1,1\n"}, "net_unblended_cost"},
		{"shared day out of order", map[string]string{"a": good, "b": detailHeader + "2024-01-01,AWS,222,1,AmazonEC2,USD,1,1,1,1\n2024-01-01,AWS,111,1,AmazonEC2,USD,1,1,1,1\n"}, "not in ascending order"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			for key, f := range tc.files {
				writeFile(t, DayTotalsURL(out, key, "v1", "2024-01-01"), []byte(f))
				writeState(t, out, key, "v1", []string{"2024-01-01"})
			}
			err := RebuildTotals(context.Background(), out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("RebuildTotals = %v, want an error about %q", err, tc.want)
			}
		})
	}
}

// BenchmarkRebuildSharedDay rebuilds one day that eight reports (payers)
// share, 40,000 cells each. Run it under a peak-memory probe to see that
// the merge holds a row per report, not the day's cells.
func BenchmarkRebuildSharedDay(b *testing.B) {
	out := b.TempDir()
	for r := range 8 {
		var rows []totals.Row
		for c := range 40_000 {
			rows = append(rows, totals.Row{
				Dims: totals.Dims{Day: "2024-01-01", Provider: "AWS", Payer: strconv.Itoa(100 + r),
					Account: strconv.Itoa(100_000 + c/20), Service: fmt.Sprintf("Service%02d", c%20), Currency: "USD"},
				Sums: totals.Sums{Unblended: decimal.MustParse("1.25"), NetUnblended: decimal.MustParse("1"),
					Amortized: decimal.MustParse("0.000001"), LineItems: 3},
			})
		}
		var f bytes.Buffer
		if err := totals.WriteDetailRows(&f, rows); err != nil {
			b.Fatal(err)
		}
		key := "r" + strconv.Itoa(r)
		writeFile(b, DayTotalsURL(out, key, "v1", "2024-01-01"), f.Bytes())
		writeState(b, out, key, "v1", []string{"2024-01-01"})
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := RebuildTotals(context.Background(), out); err != nil {
			b.Fatal(err)
		}
	}
}

// writeState records a report's committed version and its days.
func writeState(t testing.TB, out, key, versionKey string, days []string) {
	t.Helper()
	slices.Sort(days)
	b, err := json.Marshal(State{ID: key, Version: versionKey, VersionKey: versionKey, Days: days})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, StateURL(out, key), b)
}

func writeFile(t testing.TB, name string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCommittedCurated(t *testing.T) {
	out := t.TempDir()
	curated := func(period, day, base string) string {
		return CuratedURL(out, "billing_period="+period+"/usage_date="+day+"/"+base+".parquet")
	}
	for key, files := range map[string][]string{
		"a": {curated("2024-01", "2024-01-01", "a-v2"), curated("2024-01", "2024-01-02", "a-v2")},
		"b": {curated("2024-01", "2024-01-02", "b-v1"), curated("2024-02", "2024-01-31", "b-v1")},
	} {
		b, err := json.Marshal(State{ID: key, Version: "v", Curated: files})
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, StateURL(out, key), b)
	}
	got, err := CommittedCurated(context.Background(), out, []string{"2024-01-02", "2024-01-31", "2024-03-01"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"2024-01-02": {curated("2024-01", "2024-01-02", "a-v2"), curated("2024-01", "2024-01-02", "b-v1")},
		"2024-01-31": {curated("2024-02", "2024-01-31", "b-v1")},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("CommittedCurated = %v, want %v", got, want)
	}
	if got, err := CommittedCurated(context.Background(), t.TempDir(), []string{"2024-01-02"}); err != nil || len(got) != 0 {
		t.Errorf("CommittedCurated of an empty lake = %v, %v", got, err)
	}
}
