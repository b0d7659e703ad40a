package billing

import (
	"context"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
)

func init() {
	register.Function3x0(verdictCells)
	register.Function4x0(sumDay)
	register.Iter1[Cells]()
	register.Emitter1[Shard]()
}

// ShardKey keys one report's totals of one day.
type ShardKey struct {
	Ref string
	Day string
}

// Shard is one report's totals of one day: the unit the commit writes in
// parallel, so that a large report (31 days of hundreds of accounts and
// services) never funnels through one key. It carries the verdict of its
// report, which met its totals under the same key.
type Shard struct {
	Ref      string
	Day      string
	Rows     []DayTotal   // sorted by Dims
	Verdicts []DayVerdict // the report's verdict: one, unless something went amiss
	// Missing says why Rows lack some of the day's cells ("" when they
	// do not): the writer then writes nothing and acknowledges the day
	// missing, and the report does not commit.
	Missing string
}

// Cells are a batch of cells of one report and day: the unit partial sums
// travel in, so that the shuffle carries one element per file and day.
// A report's verdict travels to each of its days as Cells of no rows.
type Cells struct {
	Rows     []DayTotal
	Verdicts []DayVerdict
	// Spilled name objects that hold more of the day's cells, in this
	// encoding: what a parse wrote to the lake instead of the shuffle
	// (see Parse).
	Spilled []string
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
	s = s.Scope("billing.DailyTotals")
	days := beam.ParDo(s, verdictCells, verdicts)
	return beam.ParDo(s, sumDay, beam.GroupByKey(s, beam.Flatten(s, partials, days)))
}

// sumDay merges one report's batches of one day, one batch at a time,
// reading those the parse spilled. A spilled batch that cannot be read
// leaves the day incomplete (Shard.Missing): the report does not commit,
// and comes back.
func sumDay(ctx context.Context, k ShardKey, batches func(*Cells) bool, emit func(Shard)) {
	var sum, c Cells
	var missing []string
	for batches(&c) {
		for _, u := range c.Spilled {
			part, err := readSpilled(ctx, u)
			if err != nil {
				missing = append(missing, err.Error())
				continue
			}
			sum = mergeCells(sum, part)
		}
		c.Spilled = nil
		sum = mergeCells(sum, c)
		c = Cells{}
	}
	emit(Shard{Ref: k.Ref, Day: k.Day, Rows: sortedRows(sum.Rows), Verdicts: sum.Verdicts, Missing: strings.Join(missing, "; ")})
}

// verdictCells sends a report's verdict to each day it names.
func verdictCells(ref string, v Verdict, emit func(ShardKey, Cells)) {
	dv := []DayVerdict{v.DayVerdict()}
	for _, day := range v.Days() {
		emit(ShardKey{Ref: ref, Day: day}, Cells{Verdicts: dv})
	}
}

// mergeCells adds two batches of cells of the same report and day. Parse
// emits its batches sorted by Dims and the merge keeps them so, which
// makes it one linear pass with no hashing. Verdicts are kept, all.
func mergeCells(a, b Cells) Cells {
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
	out := Cells{Rows: make([]DayTotal, 0, len(x)+len(y))}
	for len(x) > 0 && len(y) > 0 {
		switch c := x[0].Dims.Compare(y[0].Dims); {
		case c < 0:
			out.Rows, x = append(out.Rows, x[0]), x[1:]
		case c > 0:
			out.Rows, y = append(out.Rows, y[0]), y[1:]
		default:
			out.Rows = append(out.Rows, DayTotal{Dims: x[0].Dims, Sums: x[0].Sums.Add(y[0].Sums)})
			x, y = x[1:], y[1:]
		}
	}
	out.Rows = append(append(out.Rows, x...), y...)
	return out
}

// sortedRows returns rows sorted by Dims: rows itself when it already is,
// else a sorted copy (inputs are not to be modified).
func sortedRows(rows []DayTotal) []DayTotal {
	if slices.IsSortedFunc(rows, compareRows) {
		return rows
	}
	rows = slices.Clone(rows)
	slices.SortFunc(rows, compareRows)
	return rows
}

func compareRows(a, b DayTotal) int { return a.Dims.Compare(b.Dims) }
