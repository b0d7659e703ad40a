package daily

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/curpipe/curpipe/io/lake"
	_ "github.com/curpipe/curpipe/io/localfs" // the lake in a temporary folder
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/totals"
)

// TestMergeCells merges batches in every order, sorted or not, with
// shared and distinct cells: the result is sorted, holds each cell once
// with the exact sum of its parts, and the inputs are left as they were.
func TestMergeCells(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	want := make(totals.Table)
	var batches []element.Cells
	for b := range 6 {
		var c element.Cells
		for range 300 {
			d := totals.Dims{Day: "2024-01-05", Provider: "AWS", Account: fmt.Sprint(r.IntN(30)), Service: fmt.Sprint(r.IntN(20)), Currency: "USD"}
			if slices.ContainsFunc(c.Rows, func(x element.DayTotal) bool { return x.Dims == d }) {
				continue // a batch holds a cell once, as Parse emits them
			}
			s := totals.Sums{Unblended: decimal.MustParse(fmt.Sprintf("%.3f", r.NormFloat64())), NetUnblended: decimal.MustParse("1e-20"), LineItems: 1}
			c.Rows = append(c.Rows, element.DayTotal{Dims: d, Sums: s})
			want.Merge(d, s)
		}
		if b%2 == 0 {
			slices.SortFunc(c.Rows, compareRows)
		}
		batches = append(batches, c)
	}
	snapshot := make([]element.Cells, len(batches))
	for i, c := range batches {
		snapshot[i] = element.Cells{Rows: slices.Clone(c.Rows)}
	}
	for _, order := range [][]int{{0, 1, 2, 3, 4, 5}, {5, 4, 3, 2, 1, 0}, {1, 3, 5, 0, 2, 4}} {
		var acc element.Cells
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
		if !slices.EqualFunc(batches[i].Rows, snapshot[i].Rows, func(a, b element.DayTotal) bool { return a.Dims == b.Dims && a.Sums.Equal(b.Sums) }) {
			t.Errorf("batch %d was modified by the merge", i)
		}
	}
}

// TestSumDaySpilled: sumDay adds batches that came through the shuffle to
// those a parse spilled, exactly, with the verdict; a spilled batch that
// is gone leaves the day Missing, naming it; and RemoveSpilled leaves
// nothing of a version behind.
func TestSumDaySpilled(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	cell := func(account, cost string) element.DayTotal {
		return element.DayTotal{Dims: totals.Dims{Day: "2024-01-05", Provider: "AWS", Account: account, Currency: "USD"},
			Sums: totals.Sums{Unblended: decimal.MustParse(cost), LineItems: 1}}
	}
	first := element.FileTask{ReportKey: "rk", VersionKey: "vk", Index: 0}
	second := first
	second.Index = 1
	a, err := element.Spill(ctx, lake.PartialsURL(out, first.ReportKey, first.VersionKey, "2024-01-05", first.Index), element.Cells{Rows: []element.DayTotal{cell("1", "0.1"), cell("2", "5")}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := element.Spill(ctx, lake.PartialsURL(out, second.ReportKey, second.VersionKey, "2024-01-05", second.Index), element.Cells{Rows: []element.DayTotal{cell("1", "0.2")}})
	if err != nil {
		t.Fatal(err)
	}
	verdict := element.Cells{Verdicts: []element.DayVerdict{{Ref: "r@v", OK: true}}}
	inline := element.Cells{Rows: []element.DayTotal{cell("3", "1e-9")}}
	sum := func(batches ...element.Cells) element.Shard {
		var got []element.Shard
		i := 0
		sumDay(ctx, element.ShardKey{Ref: "r@v", Day: "2024-01-05"}, func(c *element.Cells) bool {
			if i == len(batches) {
				return false
			}
			*c, i = batches[i], i+1
			return true
		}, func(sh element.Shard) { got = append(got, sh) })
		if len(got) != 1 {
			t.Fatalf("%d shards, want 1", len(got))
		}
		return got[0]
	}

	sh := sum(a, verdict, inline, b)
	want := []element.DayTotal{cell("1", "0.3"), cell("2", "5"), cell("3", "1e-9")}
	want[0].Sums.LineItems = 2
	if sh.Missing != "" || len(sh.Verdicts) != 1 || !slices.EqualFunc(sh.Rows, want, func(x, y element.DayTotal) bool { return x.Dims == y.Dims && x.Sums.Equal(y.Sums) }) {
		t.Errorf("got %+v, want rows %+v with the verdict and nothing missing", sh, want)
	}

	if err := lake.RemoveSpilled(ctx, out, "rk", "vk"); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(out, "_curpipe", "partials", "*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	sh = sum(a, verdict, inline)
	if !strings.Contains(sh.Missing, "read partial sums") || !strings.Contains(sh.Missing, "2024-01-05-0.cells") {
		t.Errorf("a spilled batch gone: Missing = %q, want it named", sh.Missing)
	}
}

func TestMain(m *testing.M) {
	ptest.Main(m)
}

func init() {
	register.Function1x2(partialOf)
	register.Function1x1(describeShard)
	register.Function1x2(verdictOf)
}

func describeShard(sh element.Shard) string {
	if len(sh.Rows) != 1 {
		return fmt.Sprintf("%d rows, %d verdicts", len(sh.Rows), len(sh.Verdicts))
	}
	return fmt.Sprintf("%s %d verdicts", describe(sh.Rows[0]), len(sh.Verdicts))
}

// verdictOf is the verdict of report r@v, whose one file holds the days
// listed.
func verdictOf(days string) (string, element.Verdict) {
	r := element.Report{Ref: "r@v", ID: "r", Key: "r", Version: "v", VersionKey: "v", Files: []string{"f"}}
	return r.Ref, element.Verdict{Report: r, Files: []element.FileStatus{{Ref: r.Ref, Days: strings.Split(days, ",")}}}
}

// partialOf makes a one-line partial of a fixed cell, as a file's batch.
func partialOf(v string) (element.ShardKey, element.Cells) {
	return element.ShardKey{Ref: "r@v", Day: "2024-01-02"}, element.Cells{Rows: []element.DayTotal{{
		Dims: totals.Dims{Day: "2024-01-02"},
		Sums: totals.Sums{Unblended: decimal.MustParse(v), LineItems: 1},
	}}}
}

func describe(d element.DayTotal) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%d", d.Dims.Day, d.Dims.Account, d.Sums.Unblended, d.Sums.NetUnblended, d.Sums.Amortized, d.Sums.LineItems)
}

// TestDailyTotals: partial sums of one cell from two files combine
// exactly across the shuffle, and the verdict meets each day it names,
// with or without totals.
func TestDailyTotals(t *testing.T) {
	p, s := beam.NewPipelineWithRoot()
	partials := beam.ParDo(s, partialOf, beam.Create(s, "0.1", "2.5893953072562468e-05"))
	verdicts := beam.ParDo(s, verdictOf, beam.Create(s, "2024-01-02,2024-01-03"))
	sums := beam.ParDo(s, describeShard, DailyTotals(s, partials, verdicts))
	passert.Equals(s, sums, "2024-01-02||0.100025893953072562468|0|0|2 1 verdicts", "0 rows, 1 verdicts")
	ptest.RunAndValidate(t, p)
}
