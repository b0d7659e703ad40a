package forecast_test

import (
	"errors"
	"testing"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/forecast"
)

func TestSum(t *testing.T) {
	asOf := d("2024-03-10")
	var parts []forecast.Result
	costs := []string{"0.01", "1234.5678", "17", "0.333"}
	for _, c := range costs {
		s := build(t, d("2024-01-01"), asOf, func(day anomaly.Day) string {
			if day.Weekday() == 0 {
				return "3.07" // some weekday seasonality and noise
			}
			return c
		})
		r, err := forecast.Forecast(s, asOf)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, r)
	}
	total, err := forecast.Sum(parts)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		get  func(forecast.Result) decimal.Decimal
	}{
		{"month to date", func(r forecast.Result) decimal.Decimal { return r.MonthToDate }},
		{"steps", func(r forecast.Result) decimal.Decimal { return r.Steps }},
		{"forecast", func(r forecast.Result) decimal.Decimal { return r.Forecast }},
		{"lower 80", func(r forecast.Result) decimal.Decimal { return r.Lower80 }},
		{"upper 95", func(r forecast.Result) decimal.Decimal { return r.Upper95 }},
		{"next month", func(r forecast.Result) decimal.Decimal { return r.Next.Forecast }},
	} {
		var want decimal.Decimal
		for _, p := range parts {
			want = want.Add(tc.get(p))
		}
		if got := tc.get(total); !got.Equal(want) {
			t.Errorf("%s: total %s, parts sum to %s", tc.name, got, want)
		}
	}
	if total.AsOf != asOf || total.Month != d("2024-03-01") || total.Days != 31 {
		t.Errorf("total as of %v, month %v of %d days", total.AsOf, total.Month, total.Days)
	}
}

func TestSumErrors(t *testing.T) {
	if _, err := forecast.Sum(nil); err == nil {
		t.Error("no parts: no error")
	}
	a := forecast.Result{AsOf: d("2024-03-10")}
	b := forecast.Result{AsOf: d("2024-03-11")}
	if _, err := forecast.Sum([]forecast.Result{a, b}); !errors.Is(err, forecast.ErrMixed) {
		t.Errorf("mixed days: %v, want ErrMixed", err)
	}
}
