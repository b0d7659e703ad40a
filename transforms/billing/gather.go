package billing

import (
	"sort"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.Function2x1(addSums)
	register.Function3x0(toShardKey)
	register.Function3x0(toShard)
	register.Emitter2[ShardKey, DayTotal]()
	register.Emitter1[Shard]()
	register.Iter1[DayTotal]()
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

// DailyTotals combines the partial sums of every file into one total per
// report and cell, exactly, and groups them into one Shard per report and
// day.
func DailyTotals(s beam.Scope, partials beam.PCollection) beam.PCollection {
	s = s.Scope("billing.DailyTotals")
	summed := beam.CombinePerKey(s, addSums, partials)
	byDay := beam.GroupByKey(s, beam.ParDo(s, toShardKey, summed))
	return beam.ParDo(s, toShard, byDay)
}

func addSums(a, b totals.Sums) totals.Sums { return a.Add(b) }

func toShardKey(k PartialKey, s totals.Sums, emit func(ShardKey, DayTotal)) {
	emit(ShardKey{Ref: k.Ref, Day: k.Dims.Day}, DayTotal{Dims: k.Dims, Sums: s})
}

func toShard(k ShardKey, rows func(*DayTotal) bool, emit func(Shard)) {
	sh := Shard{Ref: k.Ref, Day: k.Day}
	var d DayTotal
	for rows(&d) {
		sh.Rows = append(sh.Rows, d)
	}
	sort.Slice(sh.Rows, func(i, j int) bool { return sh.Rows[i].Dims.Less(sh.Rows[j].Dims) })
	emit(sh)
}
