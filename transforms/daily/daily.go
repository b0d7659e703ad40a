// Package daily holds the Beam stages that decide and sum a report:
// Verdicts gathers each report with its files' statuses and decides
// whether it may commit; DailyTotals merges the partial sums of each
// report and day, exactly, into the shards the commit writes, each with
// its report's verdict.
package daily

import (
	"context"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/curpipe/curpipe/transforms/element"
)

func init() {
	register.Function3x0(verdictCells)
	register.Function4x0(sumDay)
	register.Iter1[element.Cells]()
	register.Emitter1[element.Shard]()
}

// DailyTotals combines the partial sums of every file into one total per
// report and cell, exactly, and emits one Shard per report and day, with
// the report's verdict (KV<string, Verdict>) joined to each day it names.
// The verdict and the totals meet under the one key: a writer never has
// totals whose verdict it has to look for elsewhere.
//
// It groups and merges rather than using CombinePerKey: the parse has
// summed each group of files already, so a lifted combine's precombine
// found nothing to combine, and it cost a shuffle more and held every day
// of its bundle decoded until the bundle ended (on a report of 2 million
// cells those decoded days were the largest part of the live heap, 290 MB
// of 670 MB; without the combine the parse's own sums are).
func DailyTotals(s beam.Scope, partials, verdicts beam.PCollection) beam.PCollection {
	s = s.Scope("daily.DailyTotals")
	days := beam.ParDo(s, verdictCells, verdicts)
	return beam.ParDo(s, sumDay, beam.GroupByKey(s, beam.Flatten(s, partials, days)))
}

// sumDay merges one report's batches of one day, one batch at a time,
// reading those the parse spilled. A spilled batch that cannot be read
// leaves the day incomplete (Shard.Missing): the report does not commit,
// and comes back.
func sumDay(ctx context.Context, k element.ShardKey, batches func(*element.Cells) bool, emit func(element.Shard)) {
	var sum, c element.Cells
	var missing []string
	for batches(&c) {
		for _, u := range c.Spilled {
			part, err := element.ReadSpilled(ctx, u)
			if err != nil {
				missing = append(missing, err.Error())
				continue
			}
			sum = mergeCells(sum, part)
		}
		c.Spilled = nil
		sum = mergeCells(sum, c)
		c = element.Cells{}
	}
	emit(element.Shard{Ref: k.Ref, Day: k.Day, Rows: sortedRows(sum.Rows), Verdicts: sum.Verdicts, Missing: strings.Join(missing, "; ")})
}

// verdictCells sends a report's verdict to each day it names.
func verdictCells(ref string, v element.Verdict, emit func(element.ShardKey, element.Cells)) {
	dv := []element.DayVerdict{v.DayVerdict()}
	for _, day := range v.Days() {
		emit(element.ShardKey{Ref: ref, Day: day}, element.Cells{Verdicts: dv})
	}
}

// mergeCells adds two batches of cells of the same report and day. Parse
// emits its batches sorted by Dims and the merge keeps them so, which
// makes it one linear pass with no hashing. Verdicts are kept, all.
func mergeCells(a, b element.Cells) element.Cells {
	if len(a.Verdicts)+len(b.Verdicts) > 0 {
		v := slices.Concat(a.Verdicts, b.Verdicts)
		a.Verdicts, b.Verdicts = nil, nil
		out := mergeCells(a, b)
		out.Verdicts = v
		return out
	}
	if len(a.Rows) == 0 {
		return b
	}
	if len(b.Rows) == 0 {
		return a
	}
	x, y := sortedRows(a.Rows), sortedRows(b.Rows)
	out := element.Cells{Rows: make([]element.DayTotal, 0, len(x)+len(y))}
	for len(x) > 0 && len(y) > 0 {
		switch c := x[0].Dims.Compare(y[0].Dims); {
		case c < 0:
			out.Rows, x = append(out.Rows, x[0]), x[1:]
		case c > 0:
			out.Rows, y = append(out.Rows, y[0]), y[1:]
		default:
			out.Rows = append(out.Rows, element.DayTotal{Dims: x[0].Dims, Sums: x[0].Sums.Add(y[0].Sums)})
			x, y = x[1:], y[1:]
		}
	}
	out.Rows = append(append(out.Rows, x...), y...)
	return out
}

// sortedRows returns rows sorted by Dims: rows itself when it already is,
// else a sorted copy (inputs are not to be modified).
func sortedRows(rows []element.DayTotal) []element.DayTotal {
	if slices.IsSortedFunc(rows, compareRows) {
		return rows
	}
	rows = slices.Clone(rows)
	slices.SortFunc(rows, compareRows)
	return rows
}

func compareRows(a, b element.DayTotal) int { return a.Dims.Compare(b.Dims) }
