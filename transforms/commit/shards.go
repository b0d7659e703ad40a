package commit

import (
	"bytes"
	"context"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/dynamodbio"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/billing"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.Function1x2(keyShard)
	register.Function3x0(dayVerdicts)
	register.DoFn5x1[context.Context, billing.ShardKey, func(*billing.Shard) bool, func(*billing.DayVerdict) bool, func(string, ShardAck), error](&shardFn{})
	register.Emitter2[billing.ShardKey, billing.DayVerdict]()
	register.Emitter2[string, ShardAck]()
	register.Iter1[billing.Shard]()
	register.Iter1[billing.DayVerdict]()
}

// ShardAck says what became of one day of a report.
type ShardAck struct {
	Day    string
	Cells  int
	Totals []CurrencyTotal // the day's sums per provider and currency
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
// Each day's totals meet their report's verdict in one group, keyed by
// (report, day): the verdict travels to every day it names. (It used to
// reach the writers as a side input, and a writer that did not see it in
// a later window of a stream dropped its day without a word.) A day whose
// verdict or totals are missing is acknowledged as missing, never skipped
// in silence.
func WriteShards(s beam.Scope, shards, verdicts beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("commit.WriteShards")
	keyed := beam.ParDo(s, keyShard, shards)
	days := beam.ParDo(s, dayVerdicts, verdicts)
	grouped := beam.CoGroupByKey(s, keyed, days)
	return beam.ParDo(s, &shardFn{Output: opts.Output, Table: opts.Table}, grouped)
}

func keyShard(sh billing.Shard) (billing.ShardKey, billing.Shard) {
	return billing.ShardKey{Ref: sh.Ref, Day: sh.Day}, sh
}

// dayVerdicts sends a report's verdict to each day it names.
func dayVerdicts(ref string, v billing.Verdict, emit func(billing.ShardKey, billing.DayVerdict)) {
	days := v.Days()
	for i, dv := range v.DayVerdicts() {
		emit(billing.ShardKey{Ref: ref, Day: days[i]}, dv)
	}
}

type shardFn struct {
	Output string
	Table  string // DynamoDB totals table; "" keeps the totals in the lake
	table  *dynamodbio.Table
}

func (f *shardFn) Setup(ctx context.Context) error {
	if f.Table == "" {
		return nil
	}
	var err error
	f.table, err = dynamodbio.Open(ctx, f.Table)
	return err
}

func (f *shardFn) ProcessElement(ctx context.Context, k billing.ShardKey, shards func(*billing.Shard) bool, verdicts func(*billing.DayVerdict) bool, emit func(string, ShardAck)) error {
	var (
		sh, s   billing.Shard
		nShards int
		v       billing.DayVerdict
		found   bool
	)
	for shards(&s) {
		sh, nShards = s, nShards+1
	}
	for verdicts(&v) {
		found = true
	}
	missing := func(why string) error {
		log.Errorf(ctx, "report %s day %s not written: %s", k.Ref, k.Day, why)
		emit(k.Ref, ShardAck{Day: k.Day, Missing: why})
		return nil
	}
	switch {
	case !found:
		return missing("its totals arrived without the report's verdict")
	case !v.OK:
		return nil // the report fails; its commit removes what it wrote
	case nShards == 0:
		return missing("the verdict names the day, but no totals arrived for it")
	case nShards > 1:
		return missing(fmt.Sprintf("%d batches of totals arrived for it, want one", nShards))
	}
	rows := shardRows(sh.Rows)
	ack := ShardAck{Day: sh.Day, Cells: len(sh.Rows), Totals: byCurrency(sh.Rows)}
	if f.table != nil {
		st, err := f.table.WriteDay(ctx, tableVersion(v), sh.Day, rows)
		if err != nil {
			return fmt.Errorf("report %s day %s: %w", v.ReportID, sh.Day, err)
		}
		ack.Written, ack.Unchanged, ack.Stale = st.Written+st.Deleted, st.Unchanged, st.Stale
		emit(sh.Ref, ack)
		return nil
	}
	var buf bytes.Buffer
	if err := totals.WriteDetailRows(&buf, rows); err != nil {
		return err
	}
	u := DayTotalsURL(f.Output, v.ReportKey, v.VersionKey, sh.Day)
	if err := objstore.WriteAll(ctx, u, buf.Bytes()); err != nil {
		return fmt.Errorf("report %s day %s: %w", v.ReportID, sh.Day, err)
	}
	emit(sh.Ref, ack)
	return nil
}

// shardRows converts a shard's rows, sorted by Dims as DailyTotals emits
// them, to totals rows, adding up any Dims that occur twice in a row.
func shardRows(in []billing.DayTotal) []totals.Row {
	rows := make([]totals.Row, 0, len(in))
	for _, d := range in {
		if n := len(rows); n > 0 && rows[n-1].Dims == d.Dims {
			rows[n-1].Sums = rows[n-1].Sums.Add(d.Sums)
			continue
		}
		rows = append(rows, totals.Row{Dims: d.Dims, Sums: d.Sums})
	}
	return rows
}

// tableVersion is a report's version as the totals table records it.
func tableVersion(v billing.DayVerdict) dynamodbio.Version {
	return dynamodbio.Version{ReportKey: v.ReportKey, ReportID: v.ReportID, Version: v.Version, VersionTime: v.VersionTime}
}

// reportVersion is tableVersion for a whole report.
func reportVersion(r billing.Report) dynamodbio.Version {
	return dynamodbio.Version{ReportKey: r.Key, ReportID: r.ID, Version: r.Version, VersionTime: r.VersionTime}
}

// DayTotalsURL is where the embedded default keeps one report version's
// totals of one day. Each version writes a folder of its own, so that a
// version that has not committed (or never will) cannot change what the
// committed one holds; the report's state in the lake names the version
// whose folder counts. A versionKey of "" gives the layout of lakes
// written before versions had folders.
func DayTotalsURL(output, reportKey, versionKey, day string) string {
	if versionKey == "" {
		return objstore.Join(ReportTotalsURL(output, reportKey), day+".csv")
	}
	return objstore.Join(ReportTotalsURL(output, reportKey), versionKey, day+".csv")
}

// ReportTotalsURL is the folder of one report's daily totals.
func ReportTotalsURL(output, reportKey string) string {
	return objstore.Join(output, "totals", "reports", reportKey)
}

// byCurrency sums rows per provider and currency, sorted. It adds with
// decimal.Sum, which gives what Decimal.Add from zero would, faster.
func byCurrency(rows []billing.DayTotal) []CurrencyTotal {
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
	out := make([]CurrencyTotal, len(acc))
	for i := range acc {
		a := &acc[i]
		out[i] = CurrencyTotal{Provider: a.provider, Currency: a.currency, Unblended: a.unblended.Value(),
			NetUnblended: a.net.Value(), Amortized: a.amortized.Value(), LineItems: a.items}
	}
	sortTotals(out)
	return out
}
