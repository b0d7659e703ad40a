// Package savings is the stage that keeps the savings findings beside the
// totals. The parse gathers, file by file, what the findings' rules read
// of the billing lines (transforms/findings); once a window's reports are
// committed (in batch, after the run's last), this stage merges each
// committed report version's files, evaluates the rules over it and the
// report's period before, updates the standing findings in the totals'
// store, and sends one digest of the new ones.
//
// It reads no totals and no billing file a second time: a report's files
// were read once, by the parse.
package savings

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/snsio"
	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/findings"
)

func init() {
	register.Function1x2(keyAll)
	register.DoFn3x1[context.Context, int, func(*element.Outcome) bool, error](&findFn{})
	register.Iter1[element.Outcome]()
}

// Options configure Find.
type Options struct {
	// Output and Table name the totals' store, as commit's Options do;
	// the findings' state is kept in the lake at Output either way.
	Output, Table string
	// Rules are the rules' thresholds; a zero IdleDays means
	// findings.DefaultConfig().
	Rules findings.Config
	// Topic is the SNS topic the digest of new findings goes to; "" sends
	// none (they are still stored). Digests carry the message attribute
	// type=findings.
	Topic string
	// DigestMin is the least estimated monthly saving a new finding needs
	// to be in a digest; a window with none sends no digest.
	DigestMin decimal.Decimal
}

// DefaultDigestMin is Options.DigestMin unless told otherwise.
var DefaultDigestMin = decimal.MustParse("10")

// Find evaluates the findings of the committed report versions, once per
// window, and stores them.
func Find(s beam.Scope, committed beam.PCollection, opts Options) {
	s = s.Scope("savings.Find")
	grouped := beam.GroupByKey(s, beam.ParDo(s, keyAll, committed))
	beam.ParDo0(s, &findFn{Opts: opts}, grouped)
}

func keyAll(o element.Outcome) (int, element.Outcome) { return 0, o }

type findFn struct {
	Opts  Options
	store totalstore.Store
	pub   *snsio.Publisher
}

func (f *findFn) Setup(ctx context.Context) error {
	var err error
	if f.store, err = totalstore.Open(ctx, f.Opts.Output, f.Opts.Table); err != nil {
		return err
	}
	if f.Opts.Topic != "" {
		f.pub, err = snsio.New(ctx, f.Opts.Topic)
	}
	return err
}

func (f *findFn) ProcessElement(ctx context.Context, _ int, outcomes func(*element.Outcome) bool) error {
	var todo []element.Outcome
	var o element.Outcome
	for outcomes(&o) {
		if o.Status == element.Committed {
			todo = append(todo, o)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	// An export's periods in order, so that the period before is in place
	// when the next one is evaluated, whatever order the commits came in.
	slices.SortFunc(todo, func(x, y element.Outcome) int {
		return cmp.Or(cmp.Compare(x.ExportKey, y.ExportKey), cmp.Compare(x.BillingPeriod, y.BillingPeriod),
			cmp.Compare(x.ReportID, y.ReportID))
	})
	stored, err := f.store.Findings(ctx)
	if err != nil {
		// The store's outage leaves the findings to the next commit: the
		// report's gathered state stays in the lake meanwhile.
		log.Errorf(ctx, "savings: read the findings from %s: %v; not evaluated", f.store, err)
		return nil
	}
	known := make(map[string]bool, len(stored))
	for _, s := range stored {
		known[s.ID()] = true
	}
	cfg := f.Opts.Rules
	if cfg.IdleDays == 0 {
		cfg = findings.DefaultConfig()
	}
	var fresh []findings.Finding
	var done []element.Outcome
	for _, o := range todo {
		found, err := f.evaluate(ctx, o, cfg)
		if err != nil {
			// Its gathered files stay: a rerun of the report reads them.
			log.Errorf(ctx, "savings: %s (%s): %v; its findings are left as they were", o.Name, o.BillingPeriod, err)
			continue
		}
		stored = update(stored, found, o)
		fresh = append(fresh, found...)
		done = append(done, o)
	}
	if err := f.store.SaveFindings(ctx, stored); err != nil {
		log.Errorf(ctx, "savings: store %d findings in %s: %v", len(stored), f.store, err)
		return nil
	}
	evaluated := make(map[string]bool, len(fresh))
	for _, fd := range fresh {
		evaluated[fd.ID()] = true
	}
	var news []findings.Finding
	for _, fd := range stored {
		if evaluated[fd.ID()] && !known[fd.ID()] && fd.MonthlySaving.Cmp(f.digestMin()) >= 0 {
			news = append(news, fd)
		}
	}
	log.Infof(ctx, "savings: %d report versions evaluated: %d findings standing, %d new worth a digest", len(done), len(stored), len(news))
	f.digest(ctx, news)
	for _, o := range done {
		for _, u := range o.Findings {
			if err := objstore.Remove(ctx, u); err != nil {
				log.Warnf(ctx, "savings: remove %s: %v", u, err)
			}
		}
	}
	return nil
}

func (f *findFn) digestMin() decimal.Decimal {
	if f.Opts.DigestMin.IsZero() {
		return DefaultDigestMin
	}
	return f.Opts.DigestMin
}

// digest publishes one message of the new findings, if any and a topic.
// A digest that cannot be sent is logged, not retried: the findings are
// stored, and `curpipe findings` lists them.
func (f *findFn) digest(ctx context.Context, news []findings.Finding) {
	if f.pub == nil || len(news) == 0 {
		return
	}
	d := findings.NewDigest(news)
	id, err := f.pub.Publish(ctx, snsio.Message{Subject: d.Subject, Body: []byte(d.Body),
		Attributes: map[string]string{"type": "findings"}, GroupID: "findings",
		DedupID: fmt.Sprintf("findings|%d|%s", len(news), d.Total)})
	if err != nil {
		log.Errorf(ctx, "savings: publish the digest of %d new findings to %s: %v", len(news), f.Opts.Topic, err)
		return
	}
	log.Infof(ctx, "savings: %s (message %s)", d.Subject, id)
}

// evaluate merges what a committed report version's files gathered,
// keeps it as the report's state for its period, and returns the
// findings of its period, judged with the period before.
func (f *findFn) evaluate(ctx context.Context, o element.Outcome, cfg findings.Config) ([]findings.Finding, error) {
	var acc findings.Acc
	for _, u := range o.Findings {
		part, err := readAcc(ctx, u)
		if err != nil {
			return nil, err
		}
		acc.Merge(part)
	}
	if o.BillingPeriod == "" || o.ExportKey == "" {
		// A period is what orders a report's state; without one the
		// version is judged on its own lines.
		return acc.Findings(cfg), nil
	}
	b, err := acc.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if err := objstore.WriteAll(ctx, lake.FindingsPeriodURL(f.Opts.Output, o.ExportKey, o.BillingPeriod), b); err != nil {
		return nil, err
	}
	first, err := f.firstSeen(ctx, o.ExportKey, acc.FirstSeen())
	if err != nil {
		return nil, err
	}
	cfg.FirstSeen = first
	judged := &acc
	if prev, err := previousPeriod(o.BillingPeriod); err == nil {
		before, err := readAcc(ctx, lake.FindingsPeriodURL(f.Opts.Output, o.ExportKey, prev))
		switch {
		case errors.Is(err, objstore.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			judged = new(findings.Acc)
			judged.Merge(before)
			judged.Merge(&acc)
		}
	}
	// What the period before shows of a resource this period no longer
	// bills is no finding of this period: the resource is gone.
	start := o.BillingPeriod + "-01"
	var out []findings.Finding
	for _, fd := range judged.Findings(cfg) {
		if fd.LastSeen >= start {
			out = append(out, fd)
		}
	}
	return out, nil
}

// firstSeen returns the report's snapshots' first days billed, with
// those of this version taken in and kept when earlier.
func (f *findFn) firstSeen(ctx context.Context, exportKey string, now map[string]string) (map[string]string, error) {
	u := lake.FirstSeenURL(f.Opts.Output, exportKey)
	first := map[string]string{}
	b, err := objstore.ReadAll(ctx, u)
	switch {
	case errors.Is(err, objstore.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		if first, err = findings.ReadFirstSeen(bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("read %s: %w", u, err)
		}
	}
	changed := false
	for id, d := range now {
		if old, ok := first[id]; !ok || d < old {
			first[id], changed = d, true
		}
	}
	if changed {
		var buf bytes.Buffer
		if err := findings.WriteFirstSeen(&buf, first); err != nil {
			return nil, err
		}
		if err := objstore.WriteAll(ctx, u, buf.Bytes()); err != nil {
			return nil, err
		}
	}
	return first, nil
}

// update makes the findings of o's period the standing ones of its
// payers: besides findings.Update's rule, a payer of the report left with
// no finding of its period loses those it had up to the report's last
// day (the resources were removed or put to work).
func update(stored, found []findings.Finding, o element.Outcome) []findings.Finding {
	last := ""
	if len(o.Days) > 0 {
		last = slices.Max(o.Days)
	}
	has := map[string]bool{}
	for _, fd := range found {
		has[fd.Payer] = true
	}
	kept := stored[:0:0]
	for _, s := range stored {
		if slices.Contains(o.Payers, s.Payer) && !has[s.Payer] && s.LastSeen <= last {
			continue
		}
		kept = append(kept, s)
	}
	return findings.Update(kept, found)
}

func readAcc(ctx context.Context, u string) (*findings.Acc, error) {
	b, err := objstore.ReadAll(ctx, u)
	if err != nil {
		return nil, err
	}
	acc := new(findings.Acc)
	if err := acc.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	return acc, nil
}

// previousPeriod returns the billing period before "YYYY-MM".
func previousPeriod(p string) (string, error) {
	t, err := time.Parse("2006-01", p)
	if err != nil {
		return "", err
	}
	return t.AddDate(0, -1, 0).Format("2006-01"), nil
}
