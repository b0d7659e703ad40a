package billing

import (
	"sort"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.Function2x1(mergeCells)
	register.Function3x0(toShard)
	register.Emitter1[Shard]()
}

// ShardKey keys one report's totals of one day.
type ShardKey struct {
	Ref string
	Day string
}

// Shard is one report's totals of one day: the unit the commit writes in
// parallel, so that a large report (31 days of hundreds of accounts and
// services) never funnels through one key.
type Shard struct {
	Ref  string
	Day  string
	Rows []DayTotal // sorted by Dims
}

// Cells are a batch of cells of one report and day: the unit partial sums
// travel in, so that the shuffle carries one element per file and day.
type Cells struct {
	Rows []DayTotal
}

// DailyTotals combines the partial sums of every file into one total per
// report and cell, exactly, and emits one Shard per report and day.
func DailyTotals(s beam.Scope, partials beam.PCollection) beam.PCollection {
	s = s.Scope("billing.DailyTotals")
	summed := beam.CombinePerKey(s, mergeCells, partials)
	return beam.ParDo(s, toShard, summed)
}

// mergeCells adds two batches of cells of the same report and day.
func mergeCells(a, b Cells) Cells {
	if len(a.Rows) == 0 {
		return b
	}
	if len(b.Rows) == 0 {
		return a
	}
	t := make(totals.Table, len(a.Rows)+len(b.Rows))
	for _, c := range [2]Cells{a, b} {
		for _, d := range c.Rows {
			t.Merge(d.Dims, d.Sums)
		}
	}
	out := Cells{Rows: make([]DayTotal, 0, len(t))}
	for d, s := range t {
		out.Rows = append(out.Rows, DayTotal{Dims: d, Sums: *s})
	}
	return out
}

func toShard(k ShardKey, c Cells, emit func(Shard)) {
	sh := Shard{Ref: k.Ref, Day: k.Day, Rows: c.Rows}
	sort.Slice(sh.Rows, func(i, j int) bool { return sh.Rows[i].Dims.Less(sh.Rows[j].Dims) })
	emit(sh)
}
