package commit

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.DoFn3x1[context.Context, element.Shard, func(string, ShardAck), error](&shardFn{})
	register.Emitter2[string, ShardAck]()
}

// ShardAck says what became of one day of a report.
type ShardAck struct {
	Day    string
	Cells  int
	Totals []element.CurrencyTotal // the day's sums per provider and currency
	Payers []string                // the payer accounts of the day's cells, sorted
	// What a table write did: items written or deleted, left unchanged,
	// and left alone because a newer version holds them.
	Written, Unchanged, Stale int
	// Missing says why the day was not written ("" when it was): its
	// verdict or its totals did not arrive. The commit refuses a report
	// with a missing day rather than commit fewer days than it parsed.
	Missing string
}

// WriteShards writes each day of each report that may commit, in
// parallel across days, and acknowledges it keyed by report ref.
//
// Each shard carries its report's verdict, which DailyTotals combined
// with the day's totals under one key. (The verdict used to reach the
// writers as a side input, and a writer that did not see it in a later
// window of a stream dropped its day without a word.) A day whose verdict
// or totals are missing is acknowledged as missing, never skipped in
// silence.
func WriteShards(s beam.Scope, shards beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("commit.WriteShards")
	return beam.ParDo(s, &shardFn{Output: opts.Output, Table: opts.Table}, shards)
}

type shardFn struct {
	Output string
	Table  string // DynamoDB totals table; "" keeps the totals in the lake
	store  totalstore.Store
}

func (f *shardFn) Setup(ctx context.Context) (err error) {
	f.store, err = totalstore.Open(ctx, f.Output, f.Table)
	return err
}

func (f *shardFn) ProcessElement(ctx context.Context, sh element.Shard, emit func(string, ShardAck)) (err error) {
	emitted := false
	emit1 := func(ref string, a ShardAck) { emitted = true; emit(ref, a) }
	defer func() {
		// A panic fails the report (its commit sees the day missing),
		// not the worker and every report in it.
		r := recover()
		switch {
		case r == nil:
		case emitted:
			err = fmt.Errorf("report %s day %s: internal error: %v", sh.Ref, sh.Day, r)
		default:
			log.Errorf(ctx, "report %s day %s: internal error: %v", sh.Ref, sh.Day, r)
			emit(sh.Ref, ShardAck{Day: sh.Day, Missing: fmt.Sprintf("internal error: %v", r)})
			err = nil
		}
	}()
	return f.write(ctx, sh, emit1)
}

func (f *shardFn) write(ctx context.Context, sh element.Shard, emit func(string, ShardAck)) error {
	missing := func(why string) error {
		log.Errorf(ctx, "report %s day %s not written: %s", sh.Ref, sh.Day, why)
		emit(sh.Ref, ShardAck{Day: sh.Day, Missing: why})
		return nil
	}
	switch {
	case len(sh.Verdicts) == 0:
		return missing("its totals arrived without the report's verdict")
	case len(sh.Verdicts) > 1:
		return missing(fmt.Sprintf("%d verdicts arrived for it, want one", len(sh.Verdicts)))
	case !sh.Verdicts[0].OK:
		return nil // the report fails; its commit removes what it wrote
	case sh.Missing != "":
		return missing(sh.Missing)
	case len(sh.Rows) == 0:
		return missing("the verdict names the day, but no totals arrived for it")
	}
	v := sh.Verdicts[0]
	rows := shardRows(sh.Rows)
	ack := ShardAck{Day: sh.Day, Cells: len(sh.Rows), Totals: byCurrency(sh.Rows), Payers: payers(sh.Rows)}
	w, err := f.store.WriteDay(ctx, dayVersion(v), sh.Day, rows)
	if err != nil {
		// An outage past the retries: the report does not commit this
		// time, and comes back (a stream's redelivery, a rerun).
		return missing(err.Error())
	}
	ack.Written, ack.Unchanged, ack.Stale = w.Written, w.Unchanged, w.Stale
	emit(sh.Ref, ack)
	return nil
}

// shardRows returns a shard's rows, sorted by Dims as DailyTotals emits
// them, with any Dims that occur twice in a row added up: the rows
// themselves when none does (the rule), else a summed copy.
func shardRows(in []element.DayTotal) []totals.Row {
	i := 1
	for i < len(in) && in[i].Dims != in[i-1].Dims {
		i++
	}
	if i >= len(in) {
		return in
	}
	rows := slices.Clone(in[:i])
	for _, d := range in[i:] {
		if n := len(rows); rows[n-1].Dims == d.Dims {
			rows[n-1].Sums = rows[n-1].Sums.Add(d.Sums)
			continue
		}
		rows = append(rows, d)
	}
	return rows
}

// dayVersion is a report's version as a shard's verdict names it.
func dayVersion(v element.DayVerdict) totalstore.Version {
	return totalstore.Version{ReportKey: v.ReportKey, ReportID: v.ReportID, Version: v.Version,
		VersionKey: v.VersionKey, VersionTime: v.VersionTime}
}

// reportVersion is a report's version as the totals store records it.
func reportVersion(r element.Report) totalstore.Version {
	return totalstore.Version{ReportKey: r.Key, ReportID: r.ID, Version: r.Version, VersionKey: r.VersionKey, VersionTime: r.VersionTime}
}

// byCurrency sums rows per provider and currency, sorted. It adds with
// decimal.Sum, which gives what Decimal.Add from zero would, faster.
func byCurrency(rows []element.DayTotal) []element.CurrencyTotal {
	type sums struct {
		provider, currency        string
		unblended, net, amortized decimal.Sum
		items                     int64
	}
	var acc []sums
	for _, d := range rows {
		i := 0
		for i < len(acc) && (acc[i].provider != d.Dims.Provider || acc[i].currency != d.Dims.Currency) {
			i++
		}
		if i == len(acc) {
			acc = append(acc, sums{provider: d.Dims.Provider, currency: d.Dims.Currency})
		}
		a := &acc[i]
		a.unblended.Add(d.Sums.Unblended)
		a.net.Add(d.Sums.NetUnblended)
		a.amortized.Add(d.Sums.Amortized)
		a.items += d.Sums.LineItems
	}
	out := make([]element.CurrencyTotal, len(acc))
	for i := range acc {
		a := &acc[i]
		out[i] = element.CurrencyTotal{Provider: a.provider, Currency: a.currency, Unblended: a.unblended.Value(),
			NetUnblended: a.net.Value(), Amortized: a.amortized.Value(), LineItems: a.items}
	}
	sortTotals(out)
	return out
}

// payers returns the distinct payer accounts of rows, sorted.
func payers(rows []element.DayTotal) []string {
	seen := map[string]bool{}
	for _, d := range rows {
		seen[d.Dims.Payer] = true
	}
	return slices.Sorted(maps.Keys(seen))
}
