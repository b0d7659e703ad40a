package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/forecast"
	"github.com/curpipe/curpipe/transforms/forecasts"
	"github.com/curpipe/curpipe/transforms/totals"
)

// TestForecastRows forecasts a generated history as of a day: each payer's
// row is the exact sum of its series' rows, the month to date is the
// exact sum of the totals, the intervals nest, and no day after the as-of
// day is read.
func TestForecastRows(t *testing.T) {
	h := history(t, 4, 80, 2, 3, 20, gen.Events{Spikes: 2})
	tab, err := h.Totals()
	if err != nil {
		t.Fatal(err)
	}
	const asOf = "2024-03-10"
	rows, err := forecastRows(tab, asOf, "net_unblended", true)
	if err != nil {
		t.Fatal(err)
	}
	payers := 0
	for _, r := range rows {
		if r.Account != "" {
			continue
		}
		payers++
		var parts []forecast.Result
		var mtd decimal.Decimal
		for _, p := range rows {
			if p.Payer == r.Payer && p.Currency == r.Currency && p.Account != "" {
				parts = append(parts, p.Result)
			}
		}
		for d, s := range tab {
			if d.Payer == r.Payer && d.Currency == r.Currency && d.Day >= "2024-03-01" && d.Day <= asOf {
				mtd = mtd.Add(s.NetUnblended)
			}
		}
		sum, err := forecast.Sum(parts)
		if err != nil {
			t.Fatal(err)
		}
		if !sum.Forecast.Equal(r.Result.Forecast) || !sum.Lower95.Equal(r.Result.Lower95) || !sum.Upper80.Equal(r.Result.Upper80) {
			t.Errorf("payer %s: its row %s is not the sum of its series' %s", r.Payer, r.Result.Forecast, sum.Forecast)
		}
		if !r.Result.MonthToDate.Equal(mtd) {
			t.Errorf("payer %s: month to date %s, the totals say %s", r.Payer, r.Result.MonthToDate, mtd)
		}
		e := r.Result.Estimate
		if e.Lower95.Cmp(e.Lower80) > 0 || e.Lower80.Cmp(e.Forecast) > 0 || e.Forecast.Cmp(e.Upper80) > 0 || e.Upper80.Cmp(e.Upper95) > 0 ||
			e.Forecast.Cmp(r.Result.MonthToDate) < 0 {
			t.Errorf("payer %s: intervals do not nest around the forecast: %+v", r.Payer, e)
		}
	}
	if payers != h.Config.Payers {
		t.Errorf("%d payer rows, want %d", payers, h.Config.Payers)
	}

	// No look-ahead: the days after asOf, changed, change nothing.
	later := make(totals.Table)
	for d, s := range tab {
		c := *s
		if d.Day > asOf {
			c.NetUnblended = c.NetUnblended.Add(decimal.MustParse("1000"))
		}
		later[d] = &c
	}
	again, err := forecastRows(later, asOf, "net_unblended", true)
	if err != nil {
		t.Fatal(err)
	}
	var a, b strings.Builder
	if err := printForecasts(&a, rows, true, "csv"); err != nil {
		t.Fatal(err)
	}
	printForecasts(&b, again, true, "csv")
	if a.String() != b.String() {
		t.Error("changing days after --as-of changed the forecast")
	}
	if !strings.HasPrefix(a.String(), "billing_period,payer_account_id,usage_account_id,service,currency,month_to_date,forecast,lower_80,upper_80,lower_95,upper_95,") {
		t.Errorf("header: %s", a.String()[:120])
	}
}

// TestForecastsStored runs a history through curpipe run: the payers'
// forecasts it stores are what curpipe forecast says as of the same day,
// for both measures, and the series' forecasts it stores add up to them.
func TestForecastsStored(t *testing.T) {
	h := history(t, 5, 70, 2, 3, 12, gen.Events{Spikes: 1})
	in, out := t.TempDir(), t.TempDir()
	if _, err := h.Write(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if _, err := curpipe(t, "run", "--input", in, "--output", out, "--no-curated"); err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(out, "forecasts", "billing_period=*"))
	if len(dirs) != 1 {
		t.Fatalf("forecast folders %v, want the newest period's", dirs)
	}
	read := func(name string) []forecast.Row {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dirs[0], name))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := forecast.ReadCSV(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	payers, series := read("payers.csv"), read("series.csv")
	if len(payers) != 2*h.Config.Payers || len(series) == 0 {
		t.Fatalf("%d payer and %d series forecasts stored, want %d payer rows", len(payers), len(series), 2*h.Config.Payers)
	}
	asOf := payers[0].AsOf.String()
	for _, m := range forecasts.Measures {
		printed, err := curpipe(t, "forecast", "--output", out, "--as-of", asOf, "--measure", m)
		if err != nil {
			t.Fatal(err)
		}
		want, err := forecast.ReadCSV(strings.NewReader(printed))
		if err != nil {
			t.Fatal(err)
		}
		var got []forecast.Row
		for _, r := range payers {
			if r.Measure == m {
				got = append(got, r)
			}
		}
		var a, b strings.Builder
		forecast.WriteCSV(&a, got, false)
		forecast.WriteCSV(&b, want, false)
		if a.String() != b.String() {
			t.Errorf("%s: stored\n%s\ncurpipe forecast --as-of %s says\n%s", m, a.String(), asOf, b.String())
		}
	}
	// curpipe forecast --stored prints them back, payers and series.
	period := payers[0].Month.String()[:7]
	printed, err := curpipe(t, "forecast", "--output", out, "--stored", period, "--detail", "--measure", "amortized")
	if err != nil {
		t.Fatal(err)
	}
	var want []forecast.Row
	for _, r := range append(slices.Clone(payers), series...) {
		if r.Measure == "amortized" {
			want = append(want, r)
		}
	}
	slices.SortStableFunc(want, forecast.Compare)
	var wantCSV strings.Builder
	forecast.WriteCSV(&wantCSV, want, true)
	if printed != wantCSV.String() {
		t.Errorf("curpipe forecast --stored %s --detail printed\n%s\nwant\n%s", period, printed, wantCSV.String())
	}
	if _, err := curpipe(t, "forecast", "--output", out, "--stored", period, "--as-of", "2024-01-01"); err == nil {
		t.Error("--stored with --as-of did not fail")
	}

	for _, p := range payers {
		var parts []forecast.Result
		for _, s := range series {
			if s.Payer == p.Payer && s.Currency == p.Currency && s.Measure == p.Measure {
				parts = append(parts, s.Result)
			}
		}
		sum, err := forecast.Sum(parts)
		if err != nil {
			t.Fatal(err)
		}
		if !sum.Forecast.Equal(p.Forecast) || !sum.MonthToDate.Equal(p.MonthToDate) || !sum.Upper95.Equal(p.Upper95) {
			t.Errorf("payer %s %s: stored %s, its series add up to %s", p.Payer, p.Measure, p.Forecast, sum.Forecast)
		}
	}
}
