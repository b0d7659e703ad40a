package anomaly_test

import (
	"fmt"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
)

// Twelve weeks of a service at 1000 a weekday and 400 a weekend day, then
// a day at 2500: the day is judged against the days before it, and the
// anomaly it opens says since when, by how much, and what was expected,
// in exact decimals. A newer report version that restates the day
// resolves it.
func Example() {
	key := anomaly.Key{Payer: "111111111111", Account: "222222222222", Service: "AmazonEC2"}
	start := anomaly.MustParseDay("2024-01-01")
	s := anomaly.NewSeries(key, start)
	cost := func(d anomaly.Day) decimal.Decimal {
		if wd := d.Weekday(); wd == 0 || wd == 6 {
			return decimal.MustParse("400.10")
		}
		return decimal.MustParse("1000.25")
	}
	t := anomaly.NewTracker(anomaly.DefaultConfig())
	spike := start + 84
	for d := start; d < spike; d++ {
		if err := s.Set(d, cost(d)); err != nil {
			panic(err)
		}
		t.Evaluate(s, d, false)
	}
	if err := s.Set(spike, decimal.MustParse("2500.75")); err != nil {
		panic(err)
	}
	_, changes := t.Evaluate(s, spike, false)
	for _, c := range changes {
		a := c.Anomaly
		fmt.Printf("%s %s on %v since %s: expected %s, actual %s, impact %s (%s%%)\n",
			c.Kind, a.Kind, a.Key, a.Start, a.Expected, a.Actual, a.Impact, a.ImpactPercent)
	}
	if err := s.Set(spike, cost(spike)); err != nil { // the restatement
		panic(err)
	}
	_, changes = t.Evaluate(s, spike, false)
	fmt.Println(changes[0].Kind, changes[0].Anomaly.Start)
	// Output:
	// opened spike on 111111111111/222222222222/AmazonEC2 since 2024-03-25: expected 1000.25, actual 2500.75, impact 1500.5 (150.01%)
	// resolved 2024-03-25
}
