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
	"strings"
	"text/tabwriter"
	"time"

	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/anomalies"
	"github.com/curpipe/curpipe/transforms/decimal"
)

// alertFlags are the anomaly stage's flags, the same on run and stream.
type alertFlags struct {
	off         *bool
	noForecasts *bool
	topic       *string
	minImpact   decimalFlag
	minPercent  decimalFlag
	mode        *string
	horizon     *int
}

func addAlertFlags(fs *flag.FlagSet) *alertFlags {
	th := alert.DefaultThresholds()
	a := &alertFlags{minImpact: decimalFlag(th.MinImpact), minPercent: decimalFlag(th.MinPercent)}
	a.off = fs.Bool("no-anomalies", false, "skip the anomaly stage (no anomalies stored, no alerts)")
	a.noForecasts = fs.Bool("no-forecasts", false, "skip the forecasts stage (no month-end forecasts stored)")
	a.topic = fs.String("alerts-topic", "", "SNS topic ARN for cost anomaly alerts (default: the --sns-topic, with the attribute type=anomaly)")
	fs.Var(&a.minImpact, "alert-min-impact", "publish an anomaly whose total impact is at least this much, in its currency")
	fs.Var(&a.minPercent, "alert-min-percent", "publish an anomaly whose impact is at least this percentage of the expected cost")
	a.mode = fs.String("alert-threshold-mode", string(th.Mode), "and: both thresholds must be reached; or: either")
	a.horizon = fs.Int("alert-horizon", anomalies.DefaultHorizonDays, "days: anomalies that ended longer ago are stored, not published (a backfill pages nobody)")
	return a
}

// options returns the stage's options; eventsTopic is the --sns-topic.
func (a *alertFlags) options(eventsTopic string) (anomalies.Options, error) {
	topic := *a.topic
	if topic == "" {
		topic = eventsTopic
	}
	o := anomalies.Options{Topic: topic, HorizonDays: *a.horizon,
		Thresholds: alert.Thresholds{MinImpact: decimal.Decimal(a.minImpact), MinPercent: decimal.Decimal(a.minPercent), Mode: alert.Mode(*a.mode)}}
	if *a.horizon < 0 {
		return o, fmt.Errorf("--alert-horizon %d: must be 0 or more", *a.horizon)
	}
	return o, o.Thresholds.Validate()
}

// decimalFlag is a flag holding an exact decimal.
type decimalFlag decimal.Decimal

func (d *decimalFlag) String() string { return decimal.Decimal(*d).String() }
func (d *decimalFlag) Set(s string) error {
	v, err := decimal.Parse(s)
	if err != nil {
		return err
	}
	*d = decimalFlag(v)
	return nil
}

// anomaliesCommand lists the stored cost anomalies.
func anomaliesCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("anomalies", flag.ContinueOnError)
	fs.SetOutput(stderr)
	table := fs.String("table", "", "DynamoDB totals table the anomalies are stored in")
	output := fs.String("output", "", "lake root (folder or s3:// prefix), when there is no --table")
	from := fs.String("from", "", "list anomalies that reach this usage date or later, YYYY-MM-DD")
	to := fs.String("to", "", "list anomalies that begin on this usage date or earlier, YYYY-MM-DD")
	format := fs.String("format", "csv", "csv, table or json")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: curpipe anomalies (--output PATH | --table NAME) [--from DATE] [--to DATE] [--format csv|table|json]\n\n")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if (*table == "") == (*output == "") {
		return &exitError{code: 2, err: errors.New("give exactly one of --table and --output")}
	}
	for _, d := range []string{*from, *to} {
		if d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("date %q: want YYYY-MM-DD", d)}
			}
		}
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
	recs, err := store.Anomalies(ctx)
	if err != nil {
		return err
	}
	var shown []alert.Record
	for _, r := range recs {
		if (*from == "" || r.End >= *from) && (*to == "" || r.Start <= *to) {
			shown = append(shown, r)
		}
	}
	return printAnomalies(stdout, shown, *format)
}

func printAnomalies(w io.Writer, recs []alert.Record, format string) error {
	switch format {
	case "json":
		docs := make([]json.RawMessage, 0, len(recs))
		for _, r := range recs {
			m, err := alert.Compose(r.Anomaly, r.Status)
			if err != nil {
				return err
			}
			doc := m.Body[strings.Index(m.Body, "\n{")+1:]
			docs = append(docs, json.RawMessage(doc))
		}
		b, err := json.MarshalIndent(docs, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case "table":
		var buf bytes.Buffer
		if err := alert.WriteCSV(&buf, recs); err != nil {
			return err
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i, row := range rows {
			row = row[:len(row)-1] // told_impact is bookkeeping
			if i == 0 {
				for j := range row {
					row[j] = strings.ToUpper(row[j])
				}
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		return tw.Flush()
	}
	return alert.WriteCSV(w, recs)
}
