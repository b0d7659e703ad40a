package forecast

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

// History is how many days before the as-of day FromTotals reads: the
// model's 56 days of weekday factors with room to spare.
const History = 180

// Measures are the costs a forecast is made of, by name.
var Measures = map[string]func(totals.Sums) decimal.Decimal{
	"net_unblended": func(s totals.Sums) decimal.Decimal { return s.NetUnblended },
	"amortized":     func(s totals.Sums) decimal.Decimal { return s.Amortized },
}

// Row is the forecast of one series of committed totals: a usage account
// and service, or (Account and Service empty) a payer's total, the exact
// sum of its series' rows.
type Row struct {
	Payer, Account, Service, Currency, Measure string
	Result
}

// ID names a row's series and month, for storing the latest forecast of
// each.
func (r Row) ID() string {
	return strings.Join([]string{r.Month.String()[:7], r.Payer, r.Account, r.Service, r.Currency, r.Measure}, "|")
}

// FromTotals forecasts the series of tab as of asOf ("" the latest day in
// tab), reading only the History days up to it: each usage account and
// service with spend in the last five weeks when detail is set, and each
// payer's total, per currency, as the sum of those (Sum).
func FromTotals(tab totals.Table, asOf, measure string, detail bool) ([]Row, error) {
	pick, ok := Measures[measure]
	if !ok {
		return nil, fmt.Errorf("forecast: measure %q: want net_unblended or amortized", measure)
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
	days := map[totals.Dims]anomaly.Day{}
	for d := range tab {
		day, err := anomaly.ParseDay(d.Day)
		if err != nil {
			return nil, err
		}
		if day > end || day < end-History {
			continue // no look-ahead, and a bounded history
		}
		days[d] = day
		if b, ok := begins[d.Payer]; !ok || day < b {
			begins[d.Payer] = day
		}
	}
	type seriesID struct {
		anomaly.Key
		currency string
	}
	series := map[seriesID]*anomaly.Series{}
	for d, day := range days {
		id := seriesID{anomaly.Key{Payer: d.Payer, Account: d.Account, Service: d.Service}, d.Currency}
		s := series[id]
		if s == nil {
			s = anomaly.NewSeries(id.Key, begins[d.Payer])
			series[id] = s
		}
		if err := s.Add(day, pick(*tab[d])); err != nil {
			return nil, err
		}
	}
	order := func(a, b seriesID) int {
		return strings.Compare(a.Payer+"\x00"+a.currency+"\x00"+a.Account+"\x00"+a.Service,
			b.Payer+"\x00"+b.currency+"\x00"+b.Account+"\x00"+b.Service)
	}
	parts := map[seriesID][]Result{}
	var out []Row
	for _, id := range slices.SortedFunc(maps.Keys(series), order) {
		s := series[id]
		if !recent(s, end) {
			continue // no spend for five weeks: nothing to forecast
		}
		r, err := Forecast(s, end)
		if err != nil {
			return nil, fmt.Errorf("forecast %s %s: %w", id.Key, id.currency, err)
		}
		total := seriesID{anomaly.PayerTotal(id.Payer), id.currency}
		parts[total] = append(parts[total], r)
		if detail {
			out = append(out, Row{Payer: id.Payer, Account: id.Account, Service: id.Service, Currency: id.currency, Measure: measure, Result: r})
		}
	}
	for _, id := range slices.SortedFunc(maps.Keys(parts), order) {
		r, err := Sum(parts[id])
		if err != nil {
			return nil, fmt.Errorf("forecast payer %s %s: %w", id.Payer, id.currency, err)
		}
		out = append(out, Row{Payer: id.Payer, Currency: id.currency, Measure: measure, Result: r})
	}
	slices.SortStableFunc(out, func(a, b Row) int {
		return order(seriesID{anomaly.Key{Payer: a.Payer, Account: a.Account, Service: a.Service}, a.Currency},
			seriesID{anomaly.Key{Payer: b.Payer, Account: b.Account, Service: b.Service}, b.Currency})
	})
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

// Header is the CSV header of forecast rows; with detail, usage_account_id
// and service follow payer_account_id.
func Header(detail bool) []string {
	h := []string{"billing_period", "payer_account_id", "currency", "month_to_date", "forecast",
		"lower_80", "upper_80", "lower_95", "upper_95", "as_of", "measure", "step_charges",
		"next_month_forecast", "next_lower_80", "next_upper_80", "next_lower_95", "next_upper_95", "usage_days"}
	if detail {
		h = slices.Insert(h, 2, "usage_account_id", "service")
	}
	return h
}

// Fields are a row's CSV fields under Header(detail).
func (r Row) Fields(detail bool) []string {
	out := []string{r.Month.String()[:7], r.Payer}
	if detail {
		out = append(out, r.Account, r.Service)
	}
	return append(out, r.Currency, r.MonthToDate.String(), r.Forecast.String(), r.Lower80.String(), r.Upper80.String(),
		r.Lower95.String(), r.Upper95.String(), r.AsOf.String(), r.Measure, r.Steps.String(), r.Next.Forecast.String(),
		r.Next.Lower80.String(), r.Next.Upper80.String(), r.Next.Lower95.String(), r.Next.Upper95.String(), strconv.Itoa(r.UsageDays))
}

// WriteCSV writes rows with Header(true), the form they are stored in.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header(true)); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(r.Fields(true)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
