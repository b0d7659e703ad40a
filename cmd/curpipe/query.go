package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/totals"
)

// queryCommand prints committed totals as CSV (the headers of daily.csv
// and daily_detail.csv) or as a table, from DynamoDB or a lake folder.
func queryCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	fs.SetOutput(stderr)
	table := fs.String("table", "", "DynamoDB totals table to read")
	output := fs.String("output", "", "lake root (folder or s3:// prefix) to read totals/ from, when there is no --table")
	from := fs.String("from", "", "first usage date, YYYY-MM-DD (default: the earliest)")
	to := fs.String("to", "", "last usage date, YYYY-MM-DD, inclusive (default: the latest)")
	detail := fs.Bool("detail", false, "per payer, usage account and service (daily_detail.csv's grain)")
	format := fs.String("format", "csv", "csv or table")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: curpipe query (--table NAME | --output PATH) [--from DATE] [--to DATE] [--detail] [--format csv|table]\n\n")
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
	if *format != "csv" && *format != "table" {
		return &exitError{code: 2, err: fmt.Errorf("--format %q: want csv or table", *format)}
	}
	var tab totals.Table
	var err error
	if *table != "" {
		tab, err = queryTable(ctx, *table, *from, *to)
	} else {
		tab, err = queryLake(ctx, absLocal([]string{*output})[0], *from, *to)
	}
	if err != nil {
		return err
	}
	return printTotals(stdout, tab, *detail, *format)
}

// queryLake reads a lake's daily_detail.csv and keeps the dates asked for.
func queryLake(ctx context.Context, output, from, to string) (totals.Table, error) {
	u := lake.DetailURL(output)
	b, err := objstore.ReadAll(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("no totals in %s (has curpipe run written there?): %w", output, err)
	}
	all := make(totals.Table)
	if err := all.ReadDetail(bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	out := make(totals.Table)
	for d, s := range all {
		if (from == "" || d.Day >= from) && (to == "" || d.Day <= to) {
			out[d] = s
		}
	}
	return out, nil
}

func printTotals(w io.Writer, tab totals.Table, detail bool, format string) error {
	if format == "csv" {
		if detail {
			return tab.WriteDetail(w)
		}
		return tab.WriteDaily(w)
	}
	// A table: the same columns, aligned, costs right-aligned for reading.
	var buf bytes.Buffer
	var err error
	if detail {
		err = tab.WriteDetail(&buf)
	} else {
		err = tab.WriteDaily(&buf)
	}
	if err != nil {
		return err
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, rec := range recs {
		if rec[0] == "usage_date" {
			for i := range rec {
				rec[i] = strings.ToUpper(rec[i])
			}
		}
		fmt.Fprintln(tw, strings.Join(rec, "\t")+"\t")
	}
	return tw.Flush()
}
