// Package commit makes a report's results visible, all or nothing. The
// days of a report that may commit are written in parallel shards; then
// one small step per report records the version as committed, retires
// what the version it replaces left behind, and says what happened. A
// report that fails writes nothing and has what it wrote removed. Every
// step is idempotent, so a replayed commit changes nothing.
package commit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/dynamodbio"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/transforms/billing"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/rowcoder"
	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.DoFn5x1[context.Context, string, func(*billing.Verdict) bool, func(*ShardAck) bool, func(Outcome), error](&commitFn{})
	register.Emitter1[Outcome]()
	register.Iter1[ShardAck]()
	rowcoder.Register(encodeOutcome, decodeOutcome)
	rowcoder.Register(encodeShardAck, decodeShardAck)
}

var outcomeCodec rowcoder.Codec[Outcome]

func encodeOutcome(v Outcome) ([]byte, error) { return outcomeCodec.Encode(v) }
func decodeOutcome(b []byte) (Outcome, error) { return outcomeCodec.Decode(b) }

var shardAckCodec rowcoder.Codec[ShardAck]

func encodeShardAck(v ShardAck) ([]byte, error) { return shardAckCodec.Encode(v) }
func decodeShardAck(b []byte) (ShardAck, error) { return shardAckCodec.Decode(b) }

// The outcomes of a report.
const (
	Committed = "committed"
	Failed    = "failed"
	Skipped   = "skipped"
)

// Outcome is what happened to one report, for the run summary and the
// notifications.
type Outcome struct {
	Ref           string
	ReportID      string
	Name          string
	BillingPeriod string
	Version       string
	Status        string // Committed, Failed or Skipped
	Reason        string // why it failed or was skipped
	Files         int
	Rows          int64
	BadRows       int64
	Days          []string
	Totals        []CurrencyTotal
	Millis        int64 // parse time summed over the report's files
	// Messages announced the report (stream mode): acknowledged when it
	// is committed or skipped, left for redelivery when it failed.
	Messages []billing.Message
}

// CurrencyTotal is a sum for one provider and currency.
type CurrencyTotal struct {
	Provider     string
	Currency     string
	Unblended    decimal.Decimal
	NetUnblended decimal.Decimal
	Amortized    decimal.Decimal
	LineItems    int64
}

func (c CurrencyTotal) add(s totals.Sums) CurrencyTotal {
	c.Unblended = c.Unblended.Add(s.Unblended)
	c.NetUnblended = c.NetUnblended.Add(s.NetUnblended)
	c.Amortized = c.Amortized.Add(s.Amortized)
	c.LineItems += s.LineItems
	return c
}

func sortTotals(ts []CurrencyTotal) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].Provider != ts[j].Provider {
			return ts[i].Provider < ts[j].Provider
		}
		return ts[i].Currency < ts[j].Currency
	})
}

// Options configure the commit.
type Options struct {
	Output string // the lake root
	Table  string // DynamoDB totals table; "" keeps the totals in the lake as CSV
}

// Commit gathers each report's verdict with its shards' acknowledgements
// and commits or fails the report as a whole. Output: one Outcome each.
func Commit(s beam.Scope, verdicts, acks beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("commit.Commit")
	grouped := beam.CoGroupByKey(s, verdicts, acks)
	return beam.ParDo(s, &commitFn{Output: opts.Output, Table: opts.Table}, grouped)
}

type commitFn struct {
	Output string
	Table  string
	table  *dynamodbio.Table
}

func (f *commitFn) Setup(ctx context.Context) error {
	if f.Table == "" {
		return nil
	}
	var err error
	f.table, err = dynamodbio.Open(ctx, f.Table)
	return err
}

func (f *commitFn) ProcessElement(ctx context.Context, ref string, verdicts func(*billing.Verdict) bool, acks func(*ShardAck) bool, emit func(Outcome)) error {
	var v billing.Verdict
	for verdicts(&v) {
	}
	var days []ShardAck
	var a ShardAck
	for acks(&a) {
		days = append(days, a)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Day < days[j].Day })
	if len(v.Report.Messages) > 0 {
		stop, err := sqsio.KeepInvisible(ctx, billing.Receipts(v.Report.Messages))
		if err != nil {
			return err
		}
		defer stop()
	}
	out := summarize(v, days)
	r := v.Report
	switch {
	case r.Ref == "":
		return fmt.Errorf("report %s: shards without a verdict", ref)
	case r.Skip != "":
		out.Status, out.Reason = Skipped, r.Skip
		log.Infof(ctx, "report %s skipped: %s", r.ID, r.Skip)
	case !v.OK():
		// Nothing of a failed report may stay visible.
		if err := f.removeProduced(ctx, v); err != nil {
			return err
		}
		out.Status, out.Reason = Failed, v.Err
		log.Errorf(ctx, "report %s version %s failed: %s", r.ID, r.Version, v.Err)
	default:
		stale, err := f.commit(ctx, v, out.Days)
		if err != nil {
			return fmt.Errorf("commit report %s version %s: %w", r.ID, r.Version, err)
		}
		if stale {
			// A newer version reached the table first (another run, a
			// redelivery): this one changes nothing, which is right.
			out.Status, out.Reason = Skipped, "a newer version is committed in table "+f.Table
			log.Infof(ctx, "report %s version %s: %s", r.ID, r.Version, out.Reason)
			break
		}
		out.Status = Committed
		log.Infof(ctx, "report %s version %s committed: %d files, %d rows, %d days", r.ID, r.Version, out.Files, out.Rows, len(out.Days))
	}
	emit(out)
	return nil
}

// commit records the report's version as committed, then retires what
// the version it replaces left behind: its curated files and the totals
// of days the new version no longer has. The state is written first, so
// a crash in between leaves extra files, never missing ones, and a rerun
// cleans up.
func (f *commitFn) commit(ctx context.Context, v billing.Verdict, days []string) (stale bool, err error) {
	r := v.Report
	if f.table != nil {
		_, err := f.table.Commit(ctx, tableVersion(r), r.Name, r.BillingPeriod, days)
		if errors.Is(err, dynamodbio.ErrStale) {
			return true, f.removeProduced(ctx, v)
		}
		if err != nil {
			return false, err
		}
	}
	return false, f.commitLake(ctx, v, days)
}

// removeProduced removes the files a report version wrote.
func (f *commitFn) removeProduced(ctx context.Context, v billing.Verdict) error {
	for _, u := range producedFiles(v) {
		if err := objstore.Remove(ctx, u); err != nil {
			return fmt.Errorf("report %s: remove %s: %w", v.Report.ID, u, err)
		}
	}
	return nil
}

// commitLake records the version in the lake and retires what the version
// it replaces left there.
func (f *commitFn) commitLake(ctx context.Context, v billing.Verdict, days []string) error {
	r := v.Report
	prev, err := billing.LoadState(ctx, f.Output, r.Key)
	if err != nil {
		return err
	}
	st := billing.State{
		ID:            r.ID,
		Name:          r.Name,
		Kind:          r.Kind,
		BillingPeriod: r.BillingPeriod,
		Version:       r.Version,
		VersionTime:   time.Unix(0, r.VersionTime).UTC().Format(time.RFC3339Nano),
		Manifest:      r.Manifest,
		Sources:       r.Files,
		Curated:       []string{},
		Days:          days,
	}
	for _, fs := range v.Files {
		st.Curated = append(st.Curated, fs.Curated...)
	}
	sort.Strings(st.Curated)
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := objstore.WriteAll(ctx, billing.StateURL(f.Output, r.Key), append(b, '\n')); err != nil {
		return err
	}
	if f.Table == "" {
		if err := f.retireDays(ctx, r.Key, days); err != nil {
			return err
		}
	}
	if prev == nil {
		return nil
	}
	keep := make(map[string]bool, len(st.Curated))
	for _, u := range st.Curated {
		keep[u] = true
	}
	for _, u := range prev.Curated {
		if !keep[u] {
			if err := objstore.Remove(ctx, u); err != nil {
				return fmt.Errorf("retire %s of version %s: %w", u, prev.Version, err)
			}
		}
	}
	return nil
}

// retireDays removes the report's day totals that the committed version
// does not have.
func (f *commitFn) retireDays(ctx context.Context, key string, days []string) error {
	dir := ReportTotalsURL(f.Output, key)
	store, err := objstore.For(dir)
	if err != nil {
		return err
	}
	objs, err := store.List(ctx, dir)
	if errors.Is(err, objstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	keep := make(map[string]bool, len(days))
	for _, d := range days {
		keep[d+".csv"] = true
	}
	for _, o := range objs {
		if !keep[o.Key] {
			if err := store.Remove(ctx, o.URL); err != nil {
				return fmt.Errorf("retire %s: %w", o.URL, err)
			}
		}
	}
	return nil
}

func producedFiles(v billing.Verdict) []string {
	var out []string
	for _, st := range v.Files {
		out = append(out, st.Curated...)
		if st.Quarantine != "" {
			out = append(out, st.Quarantine)
		}
	}
	return out
}

// summarize fills the figures of an Outcome.
func summarize(v billing.Verdict, days []ShardAck) Outcome {
	r := v.Report
	out := Outcome{
		Ref: r.Ref, ReportID: r.ID, Name: r.Name, BillingPeriod: r.BillingPeriod, Version: r.Version,
		Files: len(r.Files), Days: []string{}, Messages: r.Messages,
	}
	for _, st := range v.Files {
		out.Rows += st.Rows
		out.BadRows += st.BadRows
		out.Millis += st.Millis
	}
	for _, d := range days {
		out.Days = append(out.Days, d.Day)
		for _, ct := range d.Totals {
			i := 0
			for i < len(out.Totals) && (out.Totals[i].Provider != ct.Provider || out.Totals[i].Currency != ct.Currency) {
				i++
			}
			if i == len(out.Totals) {
				out.Totals = append(out.Totals, CurrencyTotal{Provider: ct.Provider, Currency: ct.Currency})
			}
			out.Totals[i] = out.Totals[i].add(totals.Sums{Unblended: ct.Unblended, NetUnblended: ct.NetUnblended, Amortized: ct.Amortized, LineItems: ct.LineItems})
		}
	}
	sortTotals(out.Totals)
	if strings.TrimSpace(out.Name) == "" {
		out.Name = r.ID
	}
	return out
}
