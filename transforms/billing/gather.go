package billing

import (
	"sort"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.Function2x1(addSums)
	register.Function3x0(toDayTotal)
	register.Function2x0(keyReport)
	register.Function5x0(gather)
	register.Emitter2[string, DayTotal]()
	register.Emitter2[string, Report]()
	register.Emitter1[Result]()
	register.Iter1[Report]()
	register.Iter1[FileStatus]()
	register.Iter1[DayTotal]()
}

// DailyTotals combines the partial sums of every file into one total per
// report and cell, exactly, and keys them by report ref.
func DailyTotals(s beam.Scope, partials beam.PCollection) beam.PCollection {
	s = s.Scope("billing.DailyTotals")
	summed := beam.CombinePerKey(s, addSums, partials)
	return beam.ParDo(s, toDayTotal, summed)
}

func addSums(a, b totals.Sums) totals.Sums { return a.Add(b) }

func toDayTotal(k PartialKey, s totals.Sums, emit func(string, DayTotal)) {
	emit(k.Ref, DayTotal{Dims: k.Dims, Sums: s})
}

// Gather brings together, per report, the report itself, its files'
// statuses and its totals, so that the commit sees the whole report.
func Gather(s beam.Scope, reports, statuses, dayTotals beam.PCollection) beam.PCollection {
	s = s.Scope("billing.Gather")
	keyed := beam.ParDo(s, keyReport, reports)
	grouped := beam.CoGroupByKey(s, keyed, statuses, dayTotals)
	return beam.ParDo(s, gather, grouped)
}

func keyReport(r Report, emit func(string, Report)) { emit(r.Ref, r) }

func gather(ref string, reports func(*Report) bool, files func(*FileStatus) bool, days func(*DayTotal) bool, emit func(Result)) {
	var res Result
	var r Report
	for reports(&r) {
		res.Report = r
	}
	var f FileStatus
	for files(&f) {
		res.Files = append(res.Files, f)
	}
	var d DayTotal
	for days(&d) {
		res.Totals = append(res.Totals, d)
	}
	if res.Report.Ref == "" {
		return // pieces without their report cannot happen in one graph
	}
	sort.Slice(res.Files, func(i, j int) bool { return res.Files[i].Index < res.Files[j].Index })
	sort.Slice(res.Totals, func(i, j int) bool { return res.Totals[i].Dims.Less(res.Totals[j].Dims) })
	emit(res)
}
