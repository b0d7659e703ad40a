package dynamodbio

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/curpipe/curpipe/transforms/totals"
)

// Two payers' reports over the same days. The "shared" rows have the same
// dimensions in both (an account that moved between organisations), so
// that their sum is tested at the detailed grain too.
var (
	payerA1 = report{version("ka", "a1", 10), []totals.Row{
		row(d1, "111", "A", "AmazonEC2", "USD", "1.000000000000000000001", "1", "1", 1),
		row(d1, "999", "S", "AmazonS3", "USD", "0.5", "0.5", "0.5", 1),
		row(d2, "111", "A", "AmazonEC2", "USD", "2", "2", "2", 2),
	}}
	payerA2 = report{version("ka", "a2", 30), []totals.Row{
		row(d1, "111", "A", "AmazonEC2", "USD", "1.100000000000000000001", "1", "1", 1),
		row(d1, "999", "S", "AmazonS3", "USD", "0.25", "0.25", "0.25", 1),
	}}
	payerB1 = report{version("kb", "b1", 20), []totals.Row{
		row(d1, "222", "B", "AmazonEC2", "USD", "3", "3", "3", 3),
		row(d1, "999", "S", "AmazonS3", "USD", "0.125", "0.125", "0.125", 1),
		row(d2, "222", "B", "AmazonEC2", "EUR", long, long, long, 1),
	}}
	payerB2 = report{version("kb", "b2", 40), []totals.Row{
		row(d1, "222", "B", "AmazonEC2", "USD", "3.000000000000000000000007", "3", "3", 3),
		row(d1, "999", "S", "AmazonS3", "USD", "0.0625", "0.0625", "0.0625", 1),
		row(d2, "222", "B", "AmazonEC2", "EUR", long, long, long, 1),
		row(d2, "222", "C", "AmazonRDS", "USD", "4", "4", "4", 4),
	}}
)

// TestTwoReportsAnyOrder applies two reports' versions in every order: the
// sums come out as those of the two newest versions.
func TestTwoReportsAnyOrder(t *testing.T) {
	want := tableOf(payerA2.rows, payerB2.rows)
	for _, order := range permutations([]report{payerA1, payerA2, payerB1, payerB2}) {
		name := ""
		for _, r := range order {
			name += r.v.Version
		}
		t.Run(name, func(t *testing.T) {
			tbl := createdTable(t)
			for _, r := range order {
				if _, _, err := apply(t, tbl, r); err != nil && !errors.Is(err, ErrStale) {
					t.Fatalf("apply %s: %v", r.v.Version, err)
				}
			}
			wantQuery(t, tbl, d1, d3, want)
		})
	}
}

func permutations(rs []report) [][]report {
	if len(rs) <= 1 {
		return [][]report{rs}
	}
	var out [][]report
	for i := range rs {
		rest := append(append([]report{}, rs[:i]...), rs[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]report{rs[i]}, p...))
		}
	}
	return out
}

// TestReplaySequence replays a whole delivery sequence, with late and
// repeated versions: the second pass writes and deletes nothing.
func TestReplaySequence(t *testing.T) {
	seq := []report{payerA1, payerB1, payerA2, payerA1, payerB2, payerA2, payerB1}
	tbl := createdTable(t)
	want := tableOf(payerA2.rows, payerB2.rows)
	for pass := range 2 {
		var total Stats
		for _, r := range seq {
			w, c, err := apply(t, tbl, r)
			if err != nil && !errors.Is(err, ErrStale) {
				t.Fatalf("pass %d, apply %s: %v", pass, r.v.Version, err)
			}
			total.add(w)
			total.add(c)
		}
		if pass == 1 && (total.Written != 0 || total.Deleted != 0) {
			t.Errorf("replay wrote: %+v", total)
		}
		wantQuery(t, tbl, d1, d3, want)
	}
}

func TestQueryRange(t *testing.T) {
	tbl := createdTable(t)
	tbl.parallel = 3
	var rows []totals.Row
	for day := range 40 { // across a month end, more days than workers
		d := fmt.Sprintf("2025-01-%02d", day+1)
		if day >= 31 {
			d = fmt.Sprintf("2025-02-%02d", day-30)
		}
		rows = append(rows, row(d, "111", "A", "AmazonEC2", "USD", fmt.Sprintf("%d.01", day), "1", "1", 1))
	}
	if _, _, err := apply(t, tbl, report{version("k1", "v1", 1), rows}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, to string
		want     []totals.Row
	}{
		{"2025-01-01", "2025-02-09", rows},
		{"2024-12-01", "2025-03-31", rows},
		{"2025-01-31", "2025-02-01", rows[30:32]},
		{"2025-01-05", "2025-01-05", rows[4:5]},
		{"2025-03-01", "2025-03-05", nil},
	}
	for _, tc := range tests {
		t.Run(tc.from+"_"+tc.to, func(t *testing.T) {
			wantQuery(t, tbl, tc.from, tc.to, tableOf(tc.want))
		})
	}
	if _, err := tbl.Query(context.Background(), "2025-02-01", "2025-01-01"); err == nil {
		t.Error("Query accepted from after to")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tbl.Query(ctx, "2025-01-01", "2025-02-09"); !errors.Is(err, context.Canceled) {
		t.Errorf("Query with a cancelled context: %v", err)
	}
}
