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

	"github.com/curpipe/curpipe/io/totalstore"
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
	if *table != "" && (*from == "" || *to == "") {
		return &exitError{code: 2, err: errors.New("--table needs --from and --to: the table is read day by day")}
	}
	store, err := totalstore.Open(ctx, absLocal([]string{*output})[0], *table)
	if err != nil {
		return err
	}
	tab, err := store.Query(ctx, *from, *to)
	if err != nil {
		return err
	}
	return printTotals(stdout, tab, *detail, *format)
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
