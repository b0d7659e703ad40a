// Package forecasts is the stage that keeps month-end forecasts beside
// the totals: once a window's commits are summed and evaluated for
// anomalies (in batch, after the run's last commit), it forecasts every
// payer, usage account and service from the committed history up to the
// newest complete day the window touched, for net unblended and
// amortized cost, and stores them: the payers' in the totals' store, the
// series' in the lake.
//
// The series' forecasts go to their file as they are made, and each
// payer's total is summed as they go, so the stage holds the history it
// reads, not a forecast per series.
package forecasts

import (
	"context"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
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

// Options name the totals store, as commit's Options do; the series'
// forecasts go to the lake at Output either way.
type Options struct {
	Output, Table string
}

// Measures are the costs forecast; each series' rows of both are written
// side by side, in forecast.Compare's order.
var Measures = []string{"net_unblended", "amortized"}

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
		if d := o.NewestComplete(); d > asOf {
			asOf = d
		}
	}
	if asOf == "" {
		return nil
	}
	end, err := anomaly.ParseDay(asOf)
	if err != nil {
		return fmt.Errorf("forecasts: %w", err)
	}
	tab, err := f.store.Query(ctx, (end - forecast.History).String(), asOf)
	if err != nil {
		// The store's outage leaves the forecast to the next commit.
		log.Errorf(ctx, "forecasts: read the history to %s from %s: %v; not forecast", asOf, f.store, err)
		return nil
	}
	period := asOf[:len("2006-01")]
	n, payers, err := write(ctx, lake.ForecastSeriesURL(f.Opts.Output, period), func(each func(forecast.Row) error) ([]forecast.Row, error) {
		return forecast.Rows(tab, asOf, Measures, each)
	})
	if err != nil {
		log.Errorf(ctx, "forecasts: as of %s: %v; not stored", asOf, err)
		return nil
	}
	if err := f.store.SaveForecasts(ctx, period, payers); err != nil {
		log.Errorf(ctx, "forecasts: store %d payers' forecasts in %s: %v", len(payers), f.store, err)
		return nil
	}
	log.Infof(ctx, "forecasts: %s as of %s: %d payer and %d series forecasts stored", period, asOf, len(payers), n)
	return nil
}

// write creates the series file at u and fills it with the rows that
// forecast hands over; it returns their count and what forecast returns.
// The file appears whole or not at all.
func write(ctx context.Context, u string, forecastAll func(each func(forecast.Row) error) ([]forecast.Row, error)) (n int, payers []forecast.Row, err error) {
	store, err := objstore.For(u)
	if err != nil {
		return 0, nil, err
	}
	w, err := store.Create(ctx, u)
	if err != nil {
		return 0, nil, fmt.Errorf("create %s: %w", u, err)
	}
	sw := forecast.NewWriter(w)
	payers, err = forecastAll(func(r forecast.Row) error { n++; return sw.Write(r) })
	if err == nil {
		err = sw.Flush()
	}
	if err != nil {
		w.Abort()
		return 0, nil, err
	}
	if err := w.Close(); err != nil {
		return 0, nil, fmt.Errorf("write %s: %w", u, err)
	}
	return n, payers, nil
}
