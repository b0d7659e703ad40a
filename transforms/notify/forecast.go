package notify

import (
	"context"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"

	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/forecast"
)

// Forecast is a payer's month to date and month-end forecast in net
// unblended cost, as of the newest complete day of the report, with its
// 80% and 95% intervals; exact decimal strings. It is what `curpipe
// forecast --as-of` prints for that day from what was committed when the
// report was.
type Forecast struct {
	Payer         string `json:"payer_account_id"`
	Currency      string `json:"currency"`
	BillingPeriod string `json:"billing_period"`
	AsOf          string `json:"as_of"`
	MonthToDate   string `json:"month_to_date"`
	Forecast      string `json:"forecast"`
	Lower80       string `json:"lower_80"`
	Upper80       string `json:"upper_80"`
	Lower95       string `json:"lower_95"`
	Upper95       string `json:"upper_95"`
}

// forecasts returns the forecasts of o's payers, or none when o has no
// complete day. A forecast is a help beside the report's figures: one
// that cannot be made leaves the message without it and says so.
func (f *publishFn) forecasts(ctx context.Context, o element.Outcome) []Forecast {
	if f.store == nil || o.Status != element.Committed || len(o.Payers) == 0 {
		return nil
	}
	asOf := o.NewestComplete()
	if asOf == "" {
		return nil
	}
	out, err := payerForecasts(ctx, f.store, o.Payers, asOf)
	if err != nil {
		log.Warnf(ctx, "notify report %s: no forecast in its message: %v", o.ReportID, err)
		return nil
	}
	return out
}

// payerForecasts forecasts the payers' totals as of asOf from what the
// store holds now.
func payerForecasts(ctx context.Context, store totalstore.Store, payers []string, asOf string) ([]Forecast, error) {
	end, err := anomaly.ParseDay(asOf)
	if err != nil {
		return nil, err
	}
	tab, err := store.Current(ctx, (end - forecast.History).String(), asOf, payers)
	if err != nil {
		return nil, fmt.Errorf("read the history to %s from %s: %w", asOf, store, err)
	}
	rows, err := forecast.Rows(tab, asOf, []string{"net_unblended"}, nil)
	if err != nil {
		return nil, err
	}
	out := make([]Forecast, 0, len(rows))
	for _, r := range rows {
		out = append(out, ForecastOf(r))
	}
	return out, nil
}

// ForecastOf is a payer's forecast row as a message carries it.
func ForecastOf(r forecast.Row) Forecast {
	return Forecast{Payer: r.Payer, Currency: r.Currency, BillingPeriod: r.Month.String()[:7], AsOf: r.AsOf.String(),
		MonthToDate: r.MonthToDate.String(), Forecast: r.Forecast.String(), Lower80: r.Lower80.String(), Upper80: r.Upper80.String(),
		Lower95: r.Lower95.String(), Upper95: r.Upper95.String()}
}
