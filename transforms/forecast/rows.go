package forecast

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

// History is how many days before the as-of day Rows reads: the model's
// 56 days of weekday factors with room to spare.
const History = 180

// Measures pick a measure from a day's sums, by name.
var Measures = map[string]func(totals.Sums) decimal.Decimal{
	"net_unblended": func(s totals.Sums) decimal.Decimal { return s.NetUnblended },
	"amortized":     func(s totals.Sums) decimal.Decimal { return s.Amortized },
}

// Header is the CSV header of forecasts; DetailHeader adds the usage
// account and service after the payer.
var (
	Header = []string{"billing_period", "payer_account_id", "currency", "month_to_date", "forecast",
		"lower_80", "upper_80", "lower_95", "upper_95", "as_of", "measure", "step_charges",
		"next_month_forecast", "next_lower_80", "next_upper_80", "next_lower_95", "next_upper_95", "usage_days"}
	DetailHeader = slices.Insert(slices.Clone(Header), 2, "usage_account_id", "service")
)

// Row is the forecast of one series of committed totals: a usage account
// and service, or (Account and Service empty) a payer's total, the exact
// sum of its series' rows.
type Row struct {
	Payer, Account, Service, Currency, Measure string
	Result
}

// ID names the series, measure and month of a row, for keeping the
// latest forecast of each.
func (r Row) ID() string {
	return strings.Join([]string{r.Month.String()[:7], r.Payer, r.Account, r.Service, r.Currency, r.Measure}, "|")
}

// Fields are r's CSV fields under Header, or DetailHeader when detail is
// set.
func (r Row) Fields(detail bool) []string {
	out := []string{r.Month.String()[:7], r.Payer}
	if detail {
		out = append(out, r.Account, r.Service)
	}
	return append(out, r.Currency, r.MonthToDate.String(), r.Forecast.String(), r.Lower80.String(), r.Upper80.String(),
		r.Lower95.String(), r.Upper95.String(), r.AsOf.String(), r.Measure, r.Steps.String(), r.Next.Forecast.String(),
		r.Next.Lower80.String(), r.Next.Upper80.String(), r.Next.Lower95.String(), r.Next.Upper95.String(), strconv.Itoa(r.UsageDays))
}

// Compare orders rows by payer, currency, then series, a payer's total
// before its series.
func Compare(a, b Row) int {
	return cmp.Or(strings.Compare(a.Payer, b.Payer), strings.Compare(a.Currency, b.Currency),
		strings.Compare(a.Account, b.Account), strings.Compare(a.Service, b.Service), strings.Compare(a.Measure, b.Measure))
}

// Rows forecasts the series of tab in each of the measures as of asOf
// ("" the latest day in tab), reading only the History days up to it. It
// calls each, when not nil, with the row of every usage account and
// service that cost anything in the five weeks to asOf, in Compare's
// order, and returns each payer's total per currency and measure, the
// exact sum of those rows (Sum). The series' rows are handed over one at
// a time, so a caller that writes them out holds none.
func Rows(tab totals.Table, asOf string, measures []string, each func(Row) error) ([]Row, error) {
	measures = slices.Sorted(slices.Values(measures)) // Compare's order
	picks := make([]func(totals.Sums) decimal.Decimal, len(measures))
	for i, m := range measures {
		pick, ok := Measures[m]
		if !ok {
			return nil, fmt.Errorf("forecast: measure %q: want net_unblended or amortized", m)
		}
		picks[i] = pick
	}
	if asOf == "" {
		for d := range tab {
			asOf = max(asOf, d.Day)
		}
		if asOf == "" {
			return nil, errors.New("forecast: no totals to forecast from")
		}
	}
	end, err := anomaly.ParseDay(asOf)
	if err != nil {
		return nil, err
	}
	begins := map[string]anomaly.Day{}
	for d := range tab {
		day, err := anomaly.ParseDay(d.Day)
		if err != nil {
			return nil, err
		}
		if b, ok := begins[d.Payer]; (!ok || day < b) && day >= end-History {
			begins[d.Payer] = day
		}
	}
	type seriesID struct {
		anomaly.Key
		currency string
	}
	// One series per measure of each key, built in one pass.
	series := map[seriesID][]*anomaly.Series{}
	for d, sums := range tab {
		day, _ := anomaly.ParseDay(d.Day)
		if day > end || day < end-History {
			continue // no look-ahead, and a bounded history
		}
		id := seriesID{anomaly.Key{Payer: d.Payer, Account: d.Account, Service: d.Service}, d.Currency}
		ss := series[id]
		if ss == nil {
			ss = make([]*anomaly.Series, len(measures))
			for i := range ss {
				ss[i] = anomaly.NewSeries(id.Key, begins[d.Payer])
			}
			series[id] = ss
		}
		for i, s := range ss {
			if err := s.Add(day, picks[i](*sums)); err != nil {
				return nil, err
			}
		}
	}
	ids := slices.SortedFunc(maps.Keys(series), func(a, b seriesID) int {
		return cmp.Or(strings.Compare(a.Payer, b.Payer), strings.Compare(a.currency, b.currency),
			strings.Compare(a.Account, b.Account), strings.Compare(a.Service, b.Service))
	})
	type totalID struct {
		payer, currency, measure string
	}
	payers := map[totalID]*Total{}
	for _, id := range ids {
		for i, s := range series[id] {
			if !recent(s, end) {
				continue // no spend for five weeks: nothing to forecast
			}
			r, err := Forecast(s, end)
			if err != nil {
				return nil, fmt.Errorf("forecast %s %s: %w", id.Key, id.currency, err)
			}
			t := payers[totalID{id.Payer, id.currency, measures[i]}]
			if t == nil {
				t = new(Total)
				payers[totalID{id.Payer, id.currency, measures[i]}] = t
			}
			if err := t.Add(r); err != nil {
				return nil, err
			}
			if each != nil {
				row := Row{Payer: id.Payer, Account: id.Account, Service: id.Service, Currency: id.currency, Measure: measures[i], Result: r}
				if err := each(row); err != nil {
					return nil, err
				}
			}
		}
		delete(series, id) // what is forecast is let go
	}
	var out []Row
	for id, t := range payers {
		r, err := t.Result()
		if err != nil {
			return nil, err
		}
		out = append(out, Row{Payer: id.payer, Currency: id.currency, Measure: id.measure, Result: r})
	}
	slices.SortFunc(out, Compare)
	return out, nil
}

// recent reports whether s cost anything in the five weeks to end.
func recent(s *anomaly.Series, end anomaly.Day) bool {
	for d := end - 34; d <= end; d++ {
		if !s.Cost(d).IsZero() {
			return true
		}
	}
	return false
}
