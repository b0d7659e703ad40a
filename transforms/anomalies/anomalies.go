// Package anomalies is the stage that turns committed totals into cost
// anomaly alerts. After each window's commits are summed (in batch, after
// the run's last), it reads back the history of the days the new report
// versions touched, evaluates every day of every series (payer x usage
// account x service, and each payer's total) only against the days before
// it, stores the anomalies beside the totals and publishes each change
// worth a person's time once.
//
// The evaluation replays the history in the store from a fixed number of
// days before the first touched day, so a backfill raises what a live
// stream would have raised, and a redelivery, a rerun or a later window
// finds the anomalies it already announced under the same IDs.
package anomalies

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/snsio"
	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.Function1x2(keyAll)
	register.DoFn4x1[context.Context, int, func(*element.Outcome) bool, func(element.Outcome), error](&evaluateFn{})
	register.Iter1[element.Outcome]()
	register.Emitter1[element.Outcome]()
}

// Options configure Evaluate.
type Options struct {
	// Output and Table name the totals store, as commit's Options do; the
	// anomalies are stored in it too.
	Output, Table string
	// Topic is the SNS topic alerts go to; "" publishes none (they are
	// still stored). Alerts carry the message attribute type=anomaly, so
	// the report events' topic can carry them as well.
	Topic string
	// Thresholds decide which anomalies are published.
	Thresholds alert.Thresholds
	// HorizonDays: anomalies whose last day is more than this many days
	// before today are recorded, not published (a backfill pages nobody).
	HorizonDays int
	// Causes reads the root causes of new and changed anomalies from the
	// lake's curated files; off when the run writes none.
	Causes bool
	// Today, when set (YYYY-MM-DD), is the day the horizon is counted
	// back from instead of the clock's: tests and replays of a past day.
	Today string
}

// DefaultHorizonDays is Options.HorizonDays unless told otherwise: the
// few days a delivery restates.
const DefaultHorizonDays = 3

// Evaluate evaluates the days the committed outcomes touched, once per
// window, stores what it finds and publishes the announcements. It
// passes the outcomes on once they are evaluated, so that a stage after
// it reads the history after this one is done with it.
func Evaluate(s beam.Scope, committed beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("anomalies.Evaluate")
	grouped := beam.GroupByKey(s, beam.ParDo(s, keyAll, committed))
	return beam.ParDo(s, &evaluateFn{Opts: opts}, grouped)
}

func keyAll(o element.Outcome) (int, element.Outcome) { return 0, o }

type evaluateFn struct {
	Opts  Options
	store totalstore.Store
	pub   *snsio.Publisher
}

func (f *evaluateFn) Setup(ctx context.Context) error {
	var err error
	if f.store, err = totalstore.Open(ctx, f.Opts.Output, f.Opts.Table); err != nil {
		return err
	}
	if f.Opts.Topic != "" {
		f.pub, err = snsio.New(ctx, f.Opts.Topic)
	}
	return err
}

// history is how many days before the first touched day are read: twice
// the model's weeks (the weeks a day is judged by, and the weeks that
// judged those, whose anomalies it leaves out), its month starts and its
// learning days.
func history(c anomaly.Config) int {
	return 2*c.Weeks*7 + c.Months*31 + c.Learn
}

func (f *evaluateFn) ProcessElement(ctx context.Context, _ int, outcomes func(*element.Outcome) bool, emit func(element.Outcome)) error {
	var all []element.Outcome
	var o element.Outcome
	for outcomes(&o) {
		all = append(all, o)
	}
	err := f.evaluate(ctx, all)
	for _, o := range all {
		emit(o)
	}
	return err
}

// evaluate evaluates the days the outcomes touched.
func (f *evaluateFn) evaluate(ctx context.Context, outcomes []element.Outcome) error {
	var touched []string
	partial := map[string]bool{}
	for _, o := range outcomes {
		touched = append(touched, o.Days...)
		if d, ok := newestPartial(o); ok {
			partial[d] = true
		}
	}
	if len(touched) == 0 {
		return nil
	}
	slices.Sort(touched)
	first, last := touched[0], touched[len(touched)-1]
	cfg := anomaly.DefaultConfig()
	firstDay, err := anomaly.ParseDay(first)
	if err != nil {
		return fmt.Errorf("anomalies: %w", err)
	}
	from := (firstDay - anomaly.Day(history(cfg))).String()
	last = f.through(last)
	tab, err := f.store.Query(ctx, from, last)
	if err != nil {
		// The totals were just written; an outage of the store now leaves
		// these days for their next delivery to evaluate.
		log.Errorf(ctx, "anomalies: read the history %s..%s from %s: %v; not evaluated", from, last, f.store, err)
		return nil
	}
	found, err := detect(cfg, tab, from, last, first, partial)
	if err != nil {
		return fmt.Errorf("anomalies: %w", err)
	}
	stored, err := f.store.Anomalies(ctx)
	if err != nil {
		log.Errorf(ctx, "anomalies: read the stored anomalies from %s: %v; not evaluated", f.store, err)
		return nil
	}
	if f.Opts.Causes {
		f.explain(ctx, found, stored)
	}
	policy := alert.Policy{Thresholds: f.Opts.Thresholds, Horizon: f.horizon()}
	save, changed := f.advance(ctx, policy, stored, found, first, last)
	if len(save) == 0 {
		return nil
	}
	if err := f.store.SaveAnomalies(ctx, save); err != nil {
		// What was announced is announced again when these days are next
		// evaluated: a repeat, never a loss.
		log.Errorf(ctx, "anomalies: store %d anomalies in %s: %v", len(save), f.store, err)
		return nil
	}
	for _, r := range changed {
		log.Infof(ctx, "anomalies: %s %s (%s, published %v)", r.Status, r.ID(), r.Kind, r.Published)
	}
	return nil
}

// horizon is the first day whose anomalies are published.
func (f *evaluateFn) horizon() string {
	today := f.today()
	d, err := anomaly.ParseDay(today)
	if err != nil {
		return today
	}
	return (d - anomaly.Day(f.Opts.HorizonDays)).String()
}

func (f *evaluateFn) today() string {
	if f.Opts.Today != "" {
		return f.Opts.Today
	}
	return time.Now().UTC().Format(time.DateOnly)
}

// lookAhead is how far past the newest touched day the history is
// replayed: a version that fills a hole in a payer's history (a late
// restatement of last month) changes how the days after the hole are
// judged, and those days were committed in earlier windows.
const lookAhead = 62

// through returns the last day to replay when last is the newest touched
// day: lookAhead days on, but not past today.
func (f *evaluateFn) through(last string) string {
	d, err := anomaly.ParseDay(last)
	if err != nil {
		return last
	}
	return max(last, min(f.today(), (d+lookAhead).String()))
}

// newestPartial returns the newest day of a report version when it is
// still incomplete: a delivery before its billing period ended.
func newestPartial(o element.Outcome) (string, bool) {
	if len(o.Days) == 0 || len(o.BillingPeriod) < 7 {
		return "", false
	}
	newest := slices.Max(o.Days)
	start, err := time.Parse("2006-01", o.BillingPeriod[:7])
	if err != nil {
		return "", false
	}
	lastOfPeriod := start.AddDate(0, 1, -1).Format(time.DateOnly)
	return newest, newest < lastOfPeriod
}

// seriesKey is a series and its currency.
type seriesKey struct {
	anomaly.Key
	Currency string
}

// detect replays every series of tab from from to last and returns the
// anomalies that reach first or later.
//
// A day a payer's data has no row on is not known yet (a version that
// ended early whose successor is not committed, a month never loaded), not
// a day that cost nothing: a payer's series are replayed over each
// unbroken run of the days its data covers, each run as if the payer were
// new, so a hole reads neither as a fall nor, after it, as a rise.
func detect(cfg anomaly.Config, tab totals.Table, from, last, first string, partial map[string]bool) ([]alert.Anomaly, error) {
	start, err := anomaly.ParseDay(from)
	if err != nil {
		return nil, err
	}
	end, err := anomaly.ParseDay(last)
	if err != nil {
		return nil, err
	}
	days := map[string][]anomaly.Day{}
	for dims := range tab {
		d, err := anomaly.ParseDay(dims.Day)
		if err != nil {
			return nil, err
		}
		if d >= start && d <= end {
			days[dims.Payer] = append(days[dims.Payer], d)
		}
	}
	covered := map[string]coverage{}
	for payer, ds := range days {
		covered[payer] = covers(ds, end)
	}
	type runKey struct {
		seriesKey
		run anomaly.Day // the first day of the run of the payer's data
	}
	series := map[runKey]*anomaly.Series{}
	add := func(k seriesKey, d anomaly.Day, cost decimal.Decimal) error {
		rk := runKey{k, covered[k.Payer].runs[d]}
		s := series[rk]
		if s == nil {
			s = anomaly.NewSeries(k.Key, rk.run)
			series[rk] = s
		}
		return s.Add(d, cost)
	}
	for dims, sums := range tab {
		d, err := anomaly.ParseDay(dims.Day)
		if err != nil {
			return nil, err
		}
		if d < start || d > end {
			continue
		}
		if err := add(seriesKey{anomaly.Key{Payer: dims.Payer, Account: dims.Account, Service: dims.Service}, dims.Currency}, d, sums.NetUnblended); err != nil {
			return nil, err
		}
		if err := add(seriesKey{anomaly.PayerTotal(dims.Payer), dims.Currency}, d, sums.NetUnblended); err != nil {
			return nil, err
		}
	}
	var out []alert.Anomaly
	for k, s := range series {
		c := covered[k.Payer]
		tr := anomaly.NewTracker(cfg)
		for d := k.run; d <= c.ends[k.run]; d++ {
			tr.Evaluate(s, d, partial[d.String()] || c.partial[d])
		}
		for _, a := range tr.Anomalies(k.Key) {
			if a.End.String() < first {
				continue
			}
			out = append(out, fromModel(a, k.Currency))
		}
	}
	return explained(out), nil
}

// coverage is what one payer's data covers of the days read.
type coverage struct {
	runs    map[anomaly.Day]anomaly.Day // a covered day -> the first day of its run of covered days
	ends    map[anomaly.Day]anomaly.Day // a run's first day -> its last
	partial map[anomaly.Day]bool        // the newest day of a month that ends later: an incomplete delivery's
}

// covers returns the coverage of the days (in any order, repeats allowed)
// a payer's data has within a history read through end. The newest day
// of a month short of its end is partial, unless it is end itself: the
// read cannot tell whether days after end are there.
func covers(days []anomaly.Day, end anomaly.Day) coverage {
	slices.Sort(days)
	days = slices.Compact(days)
	c := coverage{runs: map[anomaly.Day]anomaly.Day{}, ends: map[anomaly.Day]anomaly.Day{}, partial: map[anomaly.Day]bool{}}
	var run anomaly.Day
	for i, d := range days {
		if i == 0 || d != days[i-1]+1 {
			run = d
		}
		c.runs[d], c.ends[run] = run, d
		newest := i == len(days)-1 || month(days[i+1]) != month(d)
		if newest && !(d + 1).MonthStart() && d != end {
			c.partial[d] = true
		}
	}
	return c
}

// month returns d's month as year*12 + month.
func month(d anomaly.Day) int {
	t := d.Time()
	return t.Year()*12 + int(t.Month())
}

// explained drops a payer's total anomaly that anomalies of its series on
// the same days explain: one EC2 spike is one anomaly to announce, not
// two. A total stays when its series' anomalies make up less than half
// of its impact (many small rises, none anomalous alone).
func explained(all []alert.Anomaly) []alert.Anomaly {
	out := all[:0:0]
	for _, a := range all {
		if a.Account != "" || a.Service != "" {
			out = append(out, a)
			continue
		}
		var parts decimal.Decimal
		for _, b := range all {
			if (b.Account != "" || b.Service != "") && b.Payer == a.Payer && b.Currency == a.Currency &&
				b.Start <= a.End && a.Start <= b.End && b.Impact.Sign() == a.Impact.Sign() {
				parts = parts.Add(b.Impact)
			}
		}
		if twice := parts.Add(parts); abs(twice).Cmp(abs(a.Impact)) < 0 {
			out = append(out, a)
		}
	}
	return out
}

func abs(d decimal.Decimal) decimal.Decimal {
	if d.Sign() < 0 {
		return d.Neg()
	}
	return d
}

// fromModel is the alert's view of the model's anomaly.
func fromModel(a anomaly.Anomaly, currency string) alert.Anomaly {
	return alert.Anomaly{Payer: a.Key.Payer, Account: a.Key.Account, Service: a.Key.Service, Currency: currency,
		Kind: a.Kind.String(), Start: a.Start.String(), End: a.End.String(), Expected: a.Expected, Actual: a.Actual,
		Impact: a.Impact, MaxImpact: a.MaxImpact, ImpactPercent: a.ImpactPercent, Score: a.Score}
}
