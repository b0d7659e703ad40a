package anomaly

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// usage describes a synthetic daily cost: base on weekdays, weekend on
// Saturdays and Sundays, fee added on each month's 1st, and noise: each
// day's figure is moved by up to noise percent, drawn from seed.
type usage struct {
	base, weekend, fee float64
	noise              float64
	seed               uint64
}

// build returns a series of key from start over days, costs rounded to
// cents, with each day's cost from u and then from edit when it returns
// true.
func build(t *testing.T, key Key, start Day, days int, u usage, edit func(d Day, cost float64) (float64, bool)) *Series {
	t.Helper()
	s := NewSeries(key, start)
	r := rand.New(rand.NewPCG(u.seed, 7))
	for i := range days {
		d := start + Day(i)
		c := u.base
		if wd := d.Weekday(); wd == 0 || wd == 6 {
			c = u.weekend
		}
		c *= 1 + u.noise/100*(2*r.Float64()-1)
		if d.MonthStart() {
			c += u.fee
		}
		if edit != nil {
			if v, ok := edit(d, c); ok {
				c = v
			}
		}
		if err := s.Set(d, dec(t, c)); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// dec returns f rounded to cents as a Decimal.
func dec(t *testing.T, f float64) decimal.Decimal {
	t.Helper()
	d, err := decimal.Parse(fmt.Sprintf("%.2f", f))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var (
	ec2  = Key{Payer: "111111111111", Account: "222222222222", Service: "AmazonEC2"}
	rds  = Key{Payer: "111111111111", Account: "222222222222", Service: "AmazonRDS"}
	jan1 = MustParseDay("2024-01-01")
)
