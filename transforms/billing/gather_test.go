package billing

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

// TestMergeCells merges batches in every order, sorted or not, with
// shared and distinct cells: the result is sorted, holds each cell once
// with the exact sum of its parts, and the inputs are left as they were.
func TestMergeCells(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	want := make(totals.Table)
	var batches []Cells
	for b := range 6 {
		var c Cells
		for range 300 {
			d := totals.Dims{Day: "2024-01-05", Provider: "AWS", Account: fmt.Sprint(r.IntN(30)), Service: fmt.Sprint(r.IntN(20)), Currency: "USD"}
			if slices.ContainsFunc(c.Rows, func(x DayTotal) bool { return x.Dims == d }) {
				continue // a batch holds a cell once, as Parse emits them
			}
			s := totals.Sums{Unblended: decimal.MustParse(fmt.Sprintf("%.3f", r.NormFloat64())), NetUnblended: decimal.MustParse("1e-20"), LineItems: 1}
			c.Rows = append(c.Rows, DayTotal{Dims: d, Sums: s})
			want.Merge(d, s)
		}
		if b%2 == 0 {
			slices.SortFunc(c.Rows, compareRows)
		}
		batches = append(batches, c)
	}
	snapshot := make([]Cells, len(batches))
	for i, c := range batches {
		snapshot[i] = Cells{Rows: slices.Clone(c.Rows)}
	}
	for _, order := range [][]int{{0, 1, 2, 3, 4, 5}, {5, 4, 3, 2, 1, 0}, {1, 3, 5, 0, 2, 4}} {
		var acc Cells
		for _, i := range order {
			acc = mergeCells(acc, batches[i])
		}
		if !slices.IsSortedFunc(acc.Rows, compareRows) {
			t.Errorf("order %v: the merge is not sorted", order)
		}
		if len(acc.Rows) != len(want) {
			t.Fatalf("order %v: %d cells, want %d", order, len(acc.Rows), len(want))
		}
		for _, row := range acc.Rows {
			if w := want[row.Dims]; w == nil || !w.Equal(row.Sums) {
				t.Errorf("order %v: %v = %+v, want %+v", order, row.Dims, row.Sums, w)
			}
		}
	}
	for i := range batches {
		if !slices.EqualFunc(batches[i].Rows, snapshot[i].Rows, func(a, b DayTotal) bool { return a.Dims == b.Dims && a.Sums.Equal(b.Sums) }) {
			t.Errorf("batch %d was modified by the merge", i)
		}
	}
}
