// Package forecasts is the stage that keeps month-end forecasts beside
// the totals: once a window's commits are summed (in batch, after the
// run's last), it forecasts every payer, usage account and service from
// the committed history up to the newest complete day the window
// touched, for net unblended and amortized cost, and stores the latest
// forecast of each series, measure and month.
package forecasts

import (
	"context"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/forecast"
)

func init() {
	register.Function1x2(keyAll)
	register.DoFn3x1[context.Context, int, func(*element.Outcome) bool, error](&forecastFn{})
	register.Iter1[element.Outcome]()
}

// Options name the totals store, as commit's Options do.
type Options struct {
	Output, Table string
}

// Forecast forecasts as of the newest complete day the committed outcomes
// touched, once per window, and stores the forecasts.
func Forecast(s beam.Scope, committed beam.PCollection, opts Options) {
	s = s.Scope("forecasts.Forecast")
	grouped := beam.GroupByKey(s, beam.ParDo(s, keyAll, committed))
	beam.ParDo0(s, &forecastFn{Opts: opts}, grouped)
}

func keyAll(o element.Outcome) (int, element.Outcome) { return 0, o }

type forecastFn struct {
	Opts  Options
	store totalstore.Store
}

func (f *forecastFn) Setup(ctx context.Context) (err error) {
	f.store, err = totalstore.Open(ctx, f.Opts.Output, f.Opts.Table)
	return err
}

func (f *forecastFn) ProcessElement(ctx context.Context, _ int, outcomes func(*element.Outcome) bool) error {
	asOf := ""
	var o element.Outcome
	for outcomes(&o) {
		if d := newestComplete(o); d > asOf {
			asOf = d
		}
	}
	if asOf == "" {
		return nil
	}
	end := anomaly.MustParseDay(asOf)
	tab, err := f.store.Query(ctx, (end - forecast.History).String(), asOf)
	if err != nil {
		// The store's outage leaves the forecast to the next commit.
		log.Errorf(ctx, "forecasts: read the history to %s from %s: %v; not forecast", asOf, f.store, err)
		return nil
	}
	var rows []forecast.Row
	for _, m := range []string{"net_unblended", "amortized"} {
		r, err := forecast.FromTotals(tab, asOf, m, true)
		if err != nil {
			log.Errorf(ctx, "forecasts: as of %s, %s: %v", asOf, m, err)
			return nil
		}
		rows = append(rows, r...)
	}
	if err := f.store.SaveForecasts(ctx, rows); err != nil {
		log.Errorf(ctx, "forecasts: store %d forecasts in %s: %v", len(rows), f.store, err)
		return nil
	}
	log.Infof(ctx, "forecasts: %d series forecast as of %s", len(rows), asOf)
	return nil
}

// newestComplete returns the newest complete day of a report version: its
// newest day, or the day before when that one is the incomplete newest
// day of a billing period not yet over ("" when there is none).
func newestComplete(o element.Outcome) string {
	if len(o.Days) == 0 {
		return ""
	}
	newest := slices.Max(o.Days)
	if len(o.BillingPeriod) < 7 {
		return newest
	}
	start, err := time.Parse("2006-01", o.BillingPeriod[:7])
	if err != nil {
		return newest
	}
	if newest >= start.AddDate(0, 1, -1).Format(time.DateOnly) {
		return newest
	}
	d, err := anomaly.ParseDay(newest)
	if err != nil {
		return ""
	}
	return (d - 1).String()
}
