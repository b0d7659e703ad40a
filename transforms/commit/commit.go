// Package commit makes a report's results visible, all or nothing: when
// every file of a report parsed, it records the report's totals and its
// curated files as the committed version and retires the files of the
// version it replaces; when any file failed, it removes what the report
// wrote and reports why. Every step is idempotent, so a replayed commit
// changes nothing.
package commit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/billing"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.DoFn3x1[context.Context, billing.Result, func(Outcome), error](&commitFn{})
	register.Emitter1[Outcome]()
	beam.RegisterType(reflectTypeOf[Outcome]())
}

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
}

// CurrencyTotal is a report's sum for one provider and currency.
type CurrencyTotal struct {
	Provider     string
	Currency     string
	Unblended    decimal.Decimal
	NetUnblended decimal.Decimal
	Amortized    decimal.Decimal
	LineItems    int64
}

// Options configure Commit.
type Options struct {
	Output     string // the lake root
	MaxBadRows int64  // the allowance per report
}

// Commit commits each gathered report and emits its Outcome.
func Commit(s beam.Scope, results beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("commit.Commit")
	return beam.ParDo(s, &commitFn{Output: opts.Output, MaxBadRows: opts.MaxBadRows}, results)
}

type commitFn struct {
	Output     string
	MaxBadRows int64
}

func (f *commitFn) ProcessElement(ctx context.Context, res billing.Result, emit func(Outcome)) error {
	out := summarize(res)
	r := res.Report
	if r.Skip != "" {
		out.Status, out.Reason = Skipped, r.Skip
		log.Infof(ctx, "report %s skipped: %s", r.ID, r.Skip)
		emit(out)
		return nil
	}
	if reason := f.failure(res); reason != "" {
		// Nothing of a failed report may stay visible.
		for _, u := range producedFiles(res) {
			if err := objstore.Remove(ctx, u); err != nil {
				return fmt.Errorf("report %s: remove %s: %w", r.ID, u, err)
			}
		}
		out.Status, out.Reason = Failed, reason
		log.Errorf(ctx, "report %s version %s failed: %s", r.ID, r.Version, reason)
		emit(out)
		return nil
	}
	if err := f.commit(ctx, res); err != nil {
		return fmt.Errorf("commit report %s version %s: %w", r.ID, r.Version, err)
	}
	out.Status = Committed
	log.Infof(ctx, "report %s version %s committed: %d files, %d rows, %d days", r.ID, r.Version, out.Files, out.Rows, len(out.Days))
	emit(out)
	return nil
}

// failure returns why a report cannot be committed, or "".
func (f *commitFn) failure(res billing.Result) string {
	r := res.Report
	if r.Err != "" {
		return r.Err
	}
	var errs []string
	var bad int64
	for _, st := range res.Files {
		bad += st.BadRows
		if st.Err != "" {
			errs = append(errs, st.Err)
		}
	}
	if len(errs) > 0 {
		if len(errs) > 3 {
			errs = append(errs[:3], fmt.Sprintf("and %d more files", len(errs)-3))
		}
		return strings.Join(errs, "; ")
	}
	if len(res.Files) != len(r.Files) {
		return fmt.Sprintf("%d of %d files reported back", len(res.Files), len(r.Files))
	}
	if bad > f.MaxBadRows {
		return fmt.Sprintf("%d bad rows, more than the %d allowed (--max-bad-rows)", bad, f.MaxBadRows)
	}
	return ""
}

// commit writes the report's totals and state, then retires the files of
// the version it replaces. The state is written before the old files go,
// so a crash in between leaves extra files, never missing ones.
func (f *commitFn) commit(ctx context.Context, res billing.Result) error {
	r := res.Report
	prev, err := billing.LoadState(ctx, f.Output, r.Key)
	if err != nil {
		return err
	}
	table := make(totals.Table)
	for _, d := range res.Totals {
		table.Merge(d.Dims, d.Sums)
	}
	var buf bytes.Buffer
	if err := table.WriteDetail(&buf); err != nil {
		return err
	}
	totalsURL := TotalsURL(f.Output, r.Key)
	if err := objstore.WriteAll(ctx, totalsURL, buf.Bytes()); err != nil {
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
		Totals:        totalsURL,
	}
	for _, fs := range res.Files {
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

// TotalsURL is where the embedded default keeps one report's totals.
func TotalsURL(output, key string) string {
	return objstore.Join(output, "totals", "reports", key+".csv")
}

func producedFiles(res billing.Result) []string {
	var out []string
	for _, st := range res.Files {
		out = append(out, st.Curated...)
		if st.Quarantine != "" {
			out = append(out, st.Quarantine)
		}
	}
	return out
}

// summarize fills the figures of an Outcome from a Result.
func summarize(res billing.Result) Outcome {
	r := res.Report
	out := Outcome{
		Ref: r.Ref, ReportID: r.ID, Name: r.Name, BillingPeriod: r.BillingPeriod, Version: r.Version,
		Files: len(r.Files),
	}
	days := map[string]bool{}
	byCurrency := map[[2]string]*CurrencyTotal{}
	for _, st := range res.Files {
		out.Rows += st.Rows
		out.BadRows += st.BadRows
		out.Millis += st.Millis
	}
	for _, d := range res.Totals {
		days[d.Dims.Day] = true
		k := [2]string{d.Dims.Provider, d.Dims.Currency}
		ct := byCurrency[k]
		if ct == nil {
			ct = &CurrencyTotal{Provider: k[0], Currency: k[1]}
			byCurrency[k] = ct
		}
		ct.Unblended = ct.Unblended.Add(d.Sums.Unblended)
		ct.NetUnblended = ct.NetUnblended.Add(d.Sums.NetUnblended)
		ct.Amortized = ct.Amortized.Add(d.Sums.Amortized)
		ct.LineItems += d.Sums.LineItems
	}
	for d := range days {
		out.Days = append(out.Days, d)
	}
	sort.Strings(out.Days)
	for _, ct := range byCurrency {
		out.Totals = append(out.Totals, *ct)
	}
	sort.Slice(out.Totals, func(i, j int) bool {
		a, b := out.Totals[i], out.Totals[j]
		return a.Provider+"\x00"+a.Currency < b.Provider+"\x00"+b.Currency
	})
	return out
}
