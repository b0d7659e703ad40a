package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/costpage"
	"github.com/curpipe/curpipe/transforms/forecast"
)

// reportCommand writes the cost report page, or serves it live, reading
// the store afresh for each request so the page shows the latest commit.
func reportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	table := fs.String("table", "", "DynamoDB totals table to read")
	output := fs.String("output", "", "lake root (folder or s3:// prefix), when there is no --table")
	from := fs.String("from", "", "first usage date, YYYY-MM-DD (default: the earliest; required with --table)")
	to := fs.String("to", "", "last usage date, YYYY-MM-DD, inclusive (default: the latest; required with --table)")
	htmlFile := fs.String("html", "", "write the page to this file")
	serve := fs.String("serve", "", "serve the page live at this address, e.g. 127.0.0.1:8080")
	top := fs.Int("top", costpage.DefaultTop, "services or accounts named in the chart before \"Other\"")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: curpipe report (--output PATH | --table NAME) [--from DATE] [--to DATE] (--html FILE | --serve ADDR)\n\n")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if (*table == "") == (*output == "") {
		return &exitError{code: 2, err: errors.New("give exactly one of --table and --output")}
	}
	if (*htmlFile == "") == (*serve == "") {
		return &exitError{code: 2, err: errors.New("give exactly one of --html and --serve")}
	}
	for _, d := range []string{*from, *to} {
		if d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("date %q: want YYYY-MM-DD", d)}
			}
		}
	}
	if *table != "" && (*from == "" || *to == "") {
		return &exitError{code: 2, err: errors.New("--table needs --from and --to: the table is read day by day")}
	}
	store, err := totalstore.Open(ctx, absLocal([]string{*output})[0], *table)
	if err != nil {
		return err
	}
	p := reportPage{store: store, from: *from, to: *to, top: *top}
	if *serve != "" {
		return p.serve(ctx, *serve, stderr)
	}
	var buf bytes.Buffer
	if err := p.write(ctx, &buf); err != nil {
		return err
	}
	if err := os.WriteFile(*htmlFile, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", *htmlFile)
	return nil
}

// reportPage reads what the page shows from a store.
type reportPage struct {
	store    totalstore.Store
	from, to string
	top      int
}

func (p reportPage) write(ctx context.Context, w io.Writer) error {
	tab, err := p.store.Query(ctx, p.from, p.to)
	if err != nil {
		return fmt.Errorf("report: reading totals from %s: %w", p.store, err)
	}
	recs, err := p.store.Anomalies(ctx)
	if err != nil {
		return fmt.Errorf("report: reading anomalies from %s: %w", p.store, err)
	}
	last := ""
	for k := range tab {
		last = max(last, k.Day)
	}
	var rows []forecast.Row
	if last != "" {
		// The forecasts of the last day's month: the one the page's month
		// to date is of.
		if rows, err = p.store.Forecasts(ctx, last[:7]); err != nil {
			return fmt.Errorf("report: reading forecasts from %s: %w", p.store, err)
		}
	}
	fs, err := p.store.Findings(ctx)
	if err != nil {
		return fmt.Errorf("report: reading savings findings from %s: %w", p.store, err)
	}
	title := "Cloud cost report"
	if last != "" {
		title += " through " + last
	}
	d, err := costpage.Build(tab, recs, rows, costpage.Options{Title: title, Top: p.top, Findings: fs})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return costpage.Render(w, d)
}

// serve serves the page at addr until ctx ends, then lets requests in
// flight finish.
func (p reportPage) serve(ctx context.Context, addr string, stderr io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		var buf bytes.Buffer
		if err := p.write(r.Context(), &buf); err != nil {
			fmt.Fprintln(stderr, "curpipe report:", err)
			http.Error(w, "the report could not be read; see the server's log", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(buf.Bytes())
	})}
	fmt.Fprintf(stderr, "serving the cost report at http://%s/\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("report: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return fmt.Errorf("report: stopping the server: %w", err)
	}
	return nil
}
