package commit

import (
	"bytes"
	"context"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/dynamodbio"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/billing"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.DoFn5x1[context.Context, beam.Window, billing.Shard, func(string) func(*billing.Verdict) bool, func(string, ShardAck), error](&shardFn{})
	register.Emitter2[string, ShardAck]()
	register.Iter1[billing.Verdict]()
}

// ShardAck says one day of a report was written.
type ShardAck struct {
	Day    string
	Cells  int
	Totals []CurrencyTotal // the day's sums per provider and currency
	// What a table write did: items written or deleted, left unchanged,
	// and left alone because a newer version holds them.
	Written, Unchanged, Stale int
}

// WriteShards writes each day of each report that may commit, in
// parallel across days, and acknowledges it keyed by report ref. The
// verdicts arrive as a side input: a report that fails writes no shard.
func WriteShards(s beam.Scope, shards, verdicts beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("commit.WriteShards")
	return beam.ParDo(s, &shardFn{Output: opts.Output, Table: opts.Table}, shards, beam.SideInput{Input: verdicts})
}

type shardFn struct {
	Output string
	Table  string // DynamoDB totals table; "" keeps the totals in the lake
	table  *dynamodbio.Table
	seen   map[string][]windowVerdict // verdicts looked up, by report ref
}

// maxSeen bounds the verdicts a shardFn remembers: a stream meets new
// reports and windows for as long as it runs.
const maxSeen = 1024

// windowVerdict is a report's verdict in one window.
type windowVerdict struct {
	w     beam.Window
	v     billing.Verdict
	found bool
}

// verdict looks up a report's verdict in the side input once per window:
// a report's 31 shards would otherwise fetch and decode it 31 times, a
// few milliseconds each on prism. A window's side input is final once it
// is read (it fires once, at the end of the window), so what was read
// stays true.
func (f *shardFn) verdict(w beam.Window, ref string, verdicts func(string) func(*billing.Verdict) bool) (billing.Verdict, bool) {
	for _, s := range f.seen[ref] {
		if s.w.Equals(w) {
			return s.v, s.found
		}
	}
	var v billing.Verdict
	found := false
	iter := verdicts(ref)
	for iter(&v) {
		found = true
	}
	if f.seen == nil || len(f.seen) >= maxSeen {
		f.seen = make(map[string][]windowVerdict)
	}
	f.seen[ref] = append(f.seen[ref], windowVerdict{w, v, found})
	return v, found
}

func (f *shardFn) Setup(ctx context.Context) error {
	if f.Table == "" {
		return nil
	}
	var err error
	f.table, err = dynamodbio.Open(ctx, f.Table)
	return err
}

func (f *shardFn) ProcessElement(ctx context.Context, w beam.Window, sh billing.Shard, verdicts func(string) func(*billing.Verdict) bool, emit func(string, ShardAck)) error {
	v, found := f.verdict(w, sh.Ref, verdicts)
	if !found || !v.OK() {
		return nil
	}
	rows := shardRows(sh.Rows)
	ack := ShardAck{Day: sh.Day, Cells: len(sh.Rows), Totals: byCurrency(sh.Rows)}
	if f.table != nil {
		st, err := f.table.WriteDay(ctx, tableVersion(v.Report), sh.Day, rows)
		if err != nil {
			return fmt.Errorf("report %s day %s: %w", v.Report.ID, sh.Day, err)
		}
		ack.Written, ack.Unchanged, ack.Stale = st.Written+st.Deleted, st.Unchanged, st.Stale
		emit(sh.Ref, ack)
		return nil
	}
	var buf bytes.Buffer
	if err := totals.WriteDetailRows(&buf, rows); err != nil {
		return err
	}
	u := DayTotalsURL(f.Output, v.Report.Key, sh.Day)
	if err := objstore.WriteAll(ctx, u, buf.Bytes()); err != nil {
		return fmt.Errorf("report %s day %s: %w", v.Report.ID, sh.Day, err)
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
func tableVersion(r billing.Report) dynamodbio.Version {
	return dynamodbio.Version{ReportKey: r.Key, ReportID: r.ID, Version: r.Version, VersionTime: r.VersionTime}
}

// DayTotalsURL is where the embedded default keeps one report's totals of
// one day.
func DayTotalsURL(output, reportKey, day string) string {
	return objstore.Join(ReportTotalsURL(output, reportKey), day+".csv")
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
