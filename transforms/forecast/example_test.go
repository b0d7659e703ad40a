package forecast_test

import (
	"fmt"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/forecast"
)

// A series that costs 100 a day, 40 at weekends, and 1000 of fees and
// tax on each 1st, forecast on 10 April 2024: the fees count once, in
// the month to date, and again on the next month's 1st.
func Example() {
	s := anomaly.NewSeries(anomaly.Key{Payer: "111111111111", Account: "222222222222", Service: "AmazonEC2"}, anomaly.MustParseDay("2024-01-01"))
	for d := anomaly.MustParseDay("2024-01-01"); d <= anomaly.MustParseDay("2024-04-10"); d++ {
		cost := 100
		if w := d.Weekday(); w == 0 || w == 6 {
			cost = 40
		}
		if d.MonthStart() {
			cost += 1000
		}
		s.Set(d, decimal.MustParse(fmt.Sprint(cost)))
	}
	r, err := forecast.Forecast(s, anomaly.MustParseDay("2024-04-10"))
	if err != nil {
		panic(err)
	}
	fmt.Println("month to date:", r.MonthToDate, "of which step charges:", r.Steps)
	fmt.Println("April:", r.Forecast, "80%:", r.Lower80, "to", r.Upper80)
	fmt.Println("May:", r.Next.Forecast)
	// Output:
	// month to date: 1880 of which step charges: 1000
	// April: 3520 80%: 3500.37 to 3539.63
	// May: 3620
}
