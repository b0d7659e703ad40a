package forecast_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/forecast"
)

var d = anomaly.MustParseDay

// build returns a series from start through end whose day costs cost(day).
func build(t *testing.T, start, end anomaly.Day, cost func(anomaly.Day) string) *anomaly.Series {
	t.Helper()
	s := anomaly.NewSeries(anomaly.Key{Payer: "111111111111", Account: "222222222222", Service: "AmazonEC2"}, start)
	for day := start; day <= end; day++ {
		if err := s.Set(day, decimal.MustParse(cost(day))); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// weekly costs 100 on weekdays and 40 at weekends, plus 1000 of fees on
// each 1st.
func weekly(day anomaly.Day) string {
	c := 100
	if w := day.Weekday(); w == time.Saturday || w == time.Sunday {
		c = 40
	}
	if day.MonthStart() {
		c += 1000
	}
	return fmt.Sprint(c)
}

// usage sums weekly's usage (no fees) over [from, to).
func usage(from, to anomaly.Day) int {
	n := 0
	for day := from; day < to; day++ {
		w := day.Weekday()
		if w == time.Saturday || w == time.Sunday {
			n += 40
		} else {
			n += 100
		}
	}
	return n
}

func TestForecastNoiseless(t *testing.T) {
	s := build(t, d("2024-01-01"), d("2024-06-30"), weekly)
	for _, tc := range []struct {
		name string
		asOf anomaly.Day
	}{
		{"the 1st itself", d("2024-04-01")},
		{"day 5", d("2024-04-05")},
		{"day 10", d("2024-04-10")},
		{"day 20", d("2024-04-20")},
		{"the last day", d("2024-04-30")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := forecast.Forecast(s, tc.asOf)
			if err != nil {
				t.Fatal(err)
			}
			want := decimal.MustParse(fmt.Sprint(1000 + usage(d("2024-04-01"), d("2024-05-01"))))
			if !r.Forecast.Equal(want) {
				t.Errorf("forecast %s, want %s (usage plus the fees on the 1st once)", r.Forecast, want)
			}
			if !r.Steps.Equal(decimal.MustParse("1000")) {
				t.Errorf("steps %s, want 1000", r.Steps)
			}
			mtd := decimal.MustParse(fmt.Sprint(1000 + usage(d("2024-04-01"), tc.asOf+1)))
			if !r.MonthToDate.Equal(mtd) {
				t.Errorf("month to date %s, want %s", r.MonthToDate, mtd)
			}
			// Without noise the bounds hold only the allowance for a
			// drift of the level: narrow, and none on the last day.
			bounds := []decimal.Decimal{r.Lower95, r.Lower80, r.Forecast, r.Upper80, r.Upper95}
			for i := 1; i < len(bounds); i++ {
				if bounds[i-1].Cmp(bounds[i]) > 0 {
					t.Errorf("bounds out of order: %v", bounds)
				}
			}
			if w := toFloat(t, r.Upper95.Sub(r.Lower95)) / toFloat(t, want); w > 0.05 || (w != 0) != (tc.asOf < d("2024-04-30")) {
				t.Errorf("95%% interval [%s, %s] of a series without noise", r.Lower95, r.Upper95)
			}
			next := decimal.MustParse(fmt.Sprint(1000 + usage(d("2024-05-01"), d("2024-06-01"))))
			if !r.Next.Forecast.Equal(next) {
				t.Errorf("next month %s, want %s", r.Next.Forecast, next)
			}
		})
	}
}

func TestForecastNoLookAhead(t *testing.T) {
	asOf := d("2024-03-12")
	a := build(t, d("2024-01-01"), d("2024-03-31"), weekly)
	b := build(t, d("2024-01-01"), d("2024-03-31"), func(day anomaly.Day) string {
		if day > asOf {
			return "123456.78" // a later spike, or a later restatement
		}
		return weekly(day)
	})
	c := build(t, d("2024-01-01"), asOf, weekly) // later days not billed yet
	ra, err := forecast.Forecast(a, asOf)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*anomaly.Series{"changed later days": b, "no later days": c} {
		r, err := forecast.Forecast(s, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(r) != fmt.Sprint(ra) {
			t.Errorf("%s: %+v, want %+v", name, r, ra)
		}
	}
}

func TestForecastShortHistory(t *testing.T) {
	for _, tc := range []struct {
		name     string
		start    anomaly.Day
		asOf     anomaly.Day
		minWidth float64 // of the 80% interval, relative to the forecast
	}{
		{"second day, history from a 1st", d("2024-03-01"), d("2024-03-02"), 0.3},
		{"second day, history from mid-month", d("2024-03-14"), d("2024-03-15"), 0.3},
		{"first day", d("2024-03-14"), d("2024-03-14"), 0.3},
		{"a week", d("2024-03-01"), d("2024-03-08"), 0.05},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := build(t, tc.start, tc.asOf, weekly)
			r, err := forecast.Forecast(s, tc.asOf)
			if err != nil {
				t.Fatal(err)
			}
			f, l, u := toFloat(t, r.Forecast), toFloat(t, r.Lower80), toFloat(t, r.Upper80)
			if f <= toFloat(t, r.MonthToDate) {
				t.Errorf("forecast %s not above the month to date %s", r.Forecast, r.MonthToDate)
			}
			if (u-l)/f < tc.minWidth {
				t.Errorf("80%% interval [%s, %s] around %s narrower than %.0f%%", r.Lower80, r.Upper80, r.Forecast, 100*tc.minWidth)
			}
			if r.Lower95.Cmp(r.Lower80) > 0 || r.Upper95.Cmp(r.Upper80) < 0 {
				t.Errorf("95%% interval [%s, %s] inside the 80%% one [%s, %s]", r.Lower95, r.Upper95, r.Lower80, r.Upper80)
			}
		})
	}
}

func TestForecastBeforeStart(t *testing.T) {
	s := build(t, d("2024-03-01"), d("2024-03-10"), weekly)
	if _, err := forecast.Forecast(s, d("2024-02-28")); !errors.Is(err, forecast.ErrNoHistory) {
		t.Errorf("error %v, want ErrNoHistory", err)
	}
}

func TestForecastLevelShift(t *testing.T) {
	// Usage triples on 2024-04-05; by the 10th the forecast follows.
	s := build(t, d("2024-01-01"), d("2024-04-10"), func(day anomaly.Day) string {
		if day >= d("2024-04-05") {
			return "300.5"
		}
		return "100.5"
	})
	r, err := forecast.Forecast(s, d("2024-04-10"))
	if err != nil {
		t.Fatal(err)
	}
	want := decimal.MustParse("8215") // 4 x 100.5 + 6 x 300.5 + 20 x 300.5
	if !r.Forecast.Equal(want) {
		t.Errorf("forecast %s, want %s", r.Forecast, want)
	}
}

func toFloat(t *testing.T, x decimal.Decimal) float64 {
	t.Helper()
	var f float64
	if _, err := fmt.Sscan(x.String(), &f); err != nil {
		t.Fatal(err)
	}
	return f
}
