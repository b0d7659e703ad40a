package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/forecast"
	"github.com/curpipe/curpipe/transforms/totals"
)

// forecastHistory is how many days before the as-of day a forecast reads:
// the model's 56 days of weekday factors with room to spare.
const forecastHistory = 180

// forecastHeader is the CSV header of curpipe forecast; --detail inserts
// usage_account_id and service after payer_account_id.
var forecastHeader = []string{"billing_period", "payer_account_id", "currency", "month_to_date", "forecast",
	"lower_80", "upper_80", "lower_95", "upper_95", "as_of", "measure", "step_charges",
	"next_month_forecast", "next_lower_80", "next_upper_80", "next_lower_95", "next_upper_95", "usage_days"}

// forecastCommand prints month-end forecasts computed from the committed
// totals as of a day, reading no later day, so that any past day can be
// checked against what happened.
func forecastCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("forecast", flag.ContinueOnError)
	fs.SetOutput(stderr)
	table := fs.String("table", "", "DynamoDB totals table to read")
	output := fs.String("output", "", "lake root (folder or s3:// prefix), when there is no --table")
	asOf := fs.String("as-of", "", "forecast from the days up to this one, YYYY-MM-DD (default: the latest day held; required with --table)")
	detail := fs.Bool("detail", false, "per usage account and service too (payer rows are the sums of theirs)")
	measure := fs.String("measure", "net_unblended", "net_unblended or amortized")
	format := fs.String("format", "csv", "csv, table or json")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: curpipe forecast (--output PATH | --table NAME) [--as-of DATE] [--detail] [--measure net_unblended|amortized] [--format csv|table|json]\n\n")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if (*table == "") == (*output == "") {
		return &exitError{code: 2, err: errors.New("give exactly one of --table and --output")}
	}
	if *table != "" && *asOf == "" {
		return &exitError{code: 2, err: errors.New("--table needs --as-of: the table is read day by day")}
	}
	if *asOf != "" {
		if _, err := time.Parse(time.DateOnly, *asOf); err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--as-of %q: want YYYY-MM-DD", *asOf)}
		}
	}
	pick, ok := measures[*measure]
	if !ok {
		return &exitError{code: 2, err: fmt.Errorf("--measure %q: want net_unblended or amortized", *measure)}
	}
	switch *format {
	case "csv", "table", "json":
	default:
		return &exitError{code: 2, err: fmt.Errorf("--format %q: want csv, table or json", *format)}
	}
	store, err := totalstore.Open(ctx, absLocal([]string{*output})[0], *table)
	if err != nil {
		return err
	}
	from := ""
	if *asOf != "" {
		d := anomaly.MustParseDay(*asOf)
		from = (d - forecastHistory).String()
	}
	tab, err := store.Query(ctx, from, *asOf)
	if err != nil {
		return err
	}
	rows, err := forecastRows(tab, *asOf, pick, *detail)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].measure = *measure
	}
	return printForecasts(stdout, rows, *detail, *format)
}

// measures pick a measure from a day's sums.
var measures = map[string]func(totals.Sums) decimal.Decimal{
	"net_unblended": func(s totals.Sums) decimal.Decimal { return s.NetUnblended },
	"amortized":     func(s totals.Sums) decimal.Decimal { return s.Amortized },
}

// forecastRow is one line of curpipe forecast.
type forecastRow struct {
	key      anomaly.Key
	currency string
	measure  string
	r        forecast.Result
}

// forecastRows forecasts every series of tab as of asOf ("" the latest
// day in tab): each usage account and service with spend in the last five
// weeks, and each payer's total as their sum (forecast.Sum), per currency.
func forecastRows(tab totals.Table, asOf string, pick func(totals.Sums) decimal.Decimal, detail bool) ([]forecastRow, error) {
	if asOf == "" {
		for d := range tab {
			asOf = max(asOf, d.Day)
		}
		if asOf == "" {
			return nil, errors.New("no totals to forecast from")
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
		if b, ok := begins[d.Payer]; (!ok || day < b) && day >= end-forecastHistory {
			begins[d.Payer] = day
		}
	}
	series := map[seriesID]*anomaly.Series{}
	for d, sums := range tab {
		day, _ := anomaly.ParseDay(d.Day)
		if day > end || day < end-forecastHistory {
			continue // no look-ahead, and a bounded history
		}
		id := seriesID{anomaly.Key{Payer: d.Payer, Account: d.Account, Service: d.Service}, d.Currency}
		s := series[id]
		if s == nil {
			s = anomaly.NewSeries(id.key, begins[d.Payer])
			series[id] = s
		}
		if err := s.Add(day, pick(*sums)); err != nil {
			return nil, err
		}
	}
	parts := map[seriesID][]forecast.Result{} // by payer total
	var out []forecastRow
	for _, id := range slices.SortedFunc(maps.Keys(series), compareSeries) {
		s := series[id]
		if !recent(s, end) {
			continue // no spend for five weeks: nothing to forecast
		}
		r, err := forecast.Forecast(s, end)
		if err != nil {
			return nil, fmt.Errorf("forecast %s %s: %w", id.key, id.currency, err)
		}
		total := seriesID{anomaly.PayerTotal(id.key.Payer), id.currency}
		parts[total] = append(parts[total], r)
		if detail {
			out = append(out, forecastRow{key: id.key, currency: id.currency, r: r})
		}
	}
	for _, id := range slices.SortedFunc(maps.Keys(parts), compareSeries) {
		r, err := forecast.Sum(parts[id])
		if err != nil {
			return nil, fmt.Errorf("forecast payer %s %s: %w", id.key.Payer, id.currency, err)
		}
		out = append(out, forecastRow{key: id.key, currency: id.currency, r: r})
	}
	slices.SortStableFunc(out, func(a, b forecastRow) int {
		return compareSeries(seriesID{a.key, a.currency}, seriesID{b.key, b.currency})
	})
	return out, nil
}

// seriesID is a series of one currency.
type seriesID struct {
	key      anomaly.Key
	currency string
}

func compareSeries(a, b seriesID) int {
	return strings.Compare(a.key.Payer+"\x00"+a.currency+"\x00"+a.key.Account+"\x00"+a.key.Service,
		b.key.Payer+"\x00"+b.currency+"\x00"+b.key.Account+"\x00"+b.key.Service)
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

func (f forecastRow) fields(detail bool) []string {
	r := f.r
	out := []string{r.Month.String()[:7], f.key.Payer}
	if detail {
		out = append(out, f.key.Account, f.key.Service)
	}
	return append(out, f.currency, r.MonthToDate.String(), r.Forecast.String(), r.Lower80.String(), r.Upper80.String(),
		r.Lower95.String(), r.Upper95.String(), r.AsOf.String(), f.measure, r.Steps.String(), r.Next.Forecast.String(),
		r.Next.Lower80.String(), r.Next.Upper80.String(), r.Next.Lower95.String(), r.Next.Upper95.String(), strconv.Itoa(r.UsageDays))
}

func printForecasts(w io.Writer, rows []forecastRow, detail bool, format string) error {
	header := slices.Clone(forecastHeader)
	if detail {
		header = slices.Insert(header, 2, "usage_account_id", "service")
	}
	if format == "json" {
		docs := make([]map[string]string, 0, len(rows))
		for _, r := range rows {
			doc := map[string]string{}
			for i, v := range r.fields(detail) {
				doc[header[i]] = v
			}
			docs = append(docs, doc)
		}
		b, err := json.MarshalIndent(docs, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write(header)
	for _, r := range rows {
		cw.Write(r.fields(detail))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if format == "csv" {
		_, err := w.Write(buf.Bytes())
		return err
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, rec := range recs {
		if i == 0 {
			for j := range rec {
				rec[j] = strings.ToUpper(rec[j])
			}
		}
		fmt.Fprintln(tw, strings.Join(rec, "\t"))
	}
	return tw.Flush()
}
