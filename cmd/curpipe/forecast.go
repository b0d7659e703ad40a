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
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/forecast"
	"github.com/curpipe/curpipe/transforms/totals"
)

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
	stored := fs.String("stored", "", "print what run and stream stored for this billing period, YYYY-MM, instead of forecasting (--detail reads the series from the lake)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: curpipe forecast (--output PATH | --table NAME) [--as-of DATE | --stored YYYY-MM] [--detail] [--measure net_unblended|amortized] [--format csv|table|json]\n\n")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	switch *format {
	case "csv", "table", "json":
	default:
		return &exitError{code: 2, err: fmt.Errorf("--format %q: want csv, table or json", *format)}
	}
	if *stored != "" {
		return printStored(ctx, stdout, *output, *table, *stored, *measure, *detail, *format, *asOf)
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
	if _, ok := forecast.Measures[*measure]; !ok {
		return &exitError{code: 2, err: fmt.Errorf("--measure %q: want net_unblended or amortized", *measure)}
	}
	store, err := totalstore.Open(ctx, absLocal([]string{*output})[0], *table)
	if err != nil {
		return err
	}
	from := ""
	if *asOf != "" {
		d := anomaly.MustParseDay(*asOf)
		from = (d - forecast.History).String()
	}
	tab, err := store.Query(ctx, from, *asOf)
	if err != nil {
		return err
	}
	rows, err := forecastRows(tab, *asOf, *measure, *detail)
	if err != nil {
		return err
	}
	return printForecasts(stdout, rows, *detail, *format)
}

// printStored prints the forecasts run and stream stored for a billing
// period: the payers' from the totals' store, with detail the series'
// from the lake.
func printStored(ctx context.Context, stdout io.Writer, output, table, period, measure string, detail bool, format, asOf string) error {
	switch {
	case asOf != "":
		return &exitError{code: 2, err: errors.New("--stored prints what was stored as of its own day: no --as-of")}
	case output == "" && table == "":
		return &exitError{code: 2, err: errors.New("give --output, --table, or both (the series' forecasts are in the lake)")}
	case detail && output == "":
		return &exitError{code: 2, err: errors.New("--stored --detail reads the series' forecasts from the lake: give --output")}
	}
	if _, err := time.Parse("2006-01", period); err != nil || len(period) != 7 {
		return &exitError{code: 2, err: fmt.Errorf("--stored %q: want YYYY-MM", period)}
	}
	if _, ok := forecast.Measures[measure]; !ok {
		return &exitError{code: 2, err: fmt.Errorf("--measure %q: want net_unblended or amortized", measure)}
	}
	if output != "" {
		output = absLocal([]string{output})[0]
	}
	store, err := totalstore.Open(ctx, output, table)
	if err != nil {
		return err
	}
	rows, err := store.Forecasts(ctx, period)
	if err != nil {
		return err
	}
	if detail {
		b, err := objstore.ReadAll(ctx, lake.ForecastSeriesURL(output, period))
		if err != nil && !errors.Is(err, objstore.ErrNotFound) {
			return err
		}
		series, err := forecast.ReadCSV(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("read %s: %w", lake.ForecastSeriesURL(output, period), err)
		}
		rows = append(rows, series...)
	}
	rows = slices.DeleteFunc(rows, func(r forecast.Row) bool { return r.Measure != measure })
	slices.SortStableFunc(rows, forecast.Compare)
	return printForecasts(stdout, rows, detail, format)
}

// forecastRows returns the payers' forecasts, and with detail their
// series' too, in forecast.Compare's order.
func forecastRows(tab totals.Table, asOf, measure string, detail bool) ([]forecast.Row, error) {
	var series []forecast.Row
	var each func(forecast.Row) error
	if detail {
		each = func(r forecast.Row) error { series = append(series, r); return nil }
	}
	payers, err := forecast.Rows(tab, asOf, []string{measure}, each)
	if err != nil {
		return nil, err
	}
	rows := append(payers, series...)
	slices.SortStableFunc(rows, forecast.Compare)
	return rows, nil
}

func printForecasts(w io.Writer, rows []forecast.Row, detail bool, format string) error {
	header := forecast.Header
	if detail {
		header = forecast.DetailHeader
	}
	if format == "json" {
		docs := make([]map[string]string, 0, len(rows))
		for _, r := range rows {
			doc := map[string]string{}
			for i, v := range r.Fields(detail) {
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
		cw.Write(r.Fields(detail))
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
