package anomaly

import (
	"cmp"
	"math"
	"math/big"
	"slices"
	"strconv"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// mad1 scales a median absolute deviation to the standard deviation of a
// normal distribution.
const mad1 = 1.4826

// medianOf returns the exact median of the costs of days in s: the middle
// figure, or the mean of the two middle figures (exact: half of a decimal
// is a decimal). It reorders days. days must not be empty.
func medianOf(s *Series, days []Day) decimal.Decimal {
	slices.SortFunc(days, func(a, b Day) int { return compareCost(s, a, b) })
	n := len(days)
	if n%2 == 1 {
		return s.Cost(days[n/2])
	}
	return half(s.Cost(days[n/2-1]).Add(s.Cost(days[n/2])))
}

// compareCost orders two days of s by their exact cost. The float64
// copies decide when they differ (a correctly rounded conversion keeps
// order), the decimals when they do not.
func compareCost(s *Series, a, b Day) int {
	if c := cmp.Compare(s.at(a), s.at(b)); c != 0 {
		return c
	}
	return s.Cost(a).Cmp(s.Cost(b))
}

// medianDecimal returns the exact median of xs, which it reorders.
func medianDecimal(xs []decimal.Decimal) decimal.Decimal {
	slices.SortFunc(xs, decimal.Decimal.Cmp)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return half(xs[n/2-1].Add(xs[n/2]))
}

// half returns d/2, exactly: c×10^e / 2 = 5c×10^(e-1).
func half(d decimal.Decimal) decimal.Decimal {
	c, _ := d.Unscaled(-d.Exponent())
	c.Mul(c, big.NewInt(5))
	h, err := decimal.Parse(c.String() + "e" + strconv.FormatInt(int64(d.Exponent())-1, 10))
	if err != nil {
		panic("anomaly: half of " + d.String() + ": " + err.Error())
	}
	return h
}

// medianFloat returns the median of xs, which it reorders; NaN when xs is
// empty.
func medianFloat(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// percentOf returns 100 × part / |whole| rounded to two places, halves
// away from zero, and false when whole is zero.
func percentOf(part, whole decimal.Decimal) (decimal.Decimal, bool) {
	if whole.IsZero() {
		return decimal.Decimal{}, false
	}
	p, ok := new(big.Rat).SetString(part.String())
	w, ok2 := new(big.Rat).SetString(whole.String())
	if !ok || !ok2 {
		panic("anomaly: a decimal's string is not a rational number")
	}
	p.Mul(p, big.NewRat(100, 1))
	p.Quo(p, w.Abs(w))
	return decimal.MustParse(p.FloatString(2)), true // FloatString rounds halves away from zero
}

// approx returns d as a float64, for statistics.
func approx(d decimal.Decimal) float64 {
	f, _ := new(big.Rat).SetString(d.String())
	v, _ := f.Float64()
	return v
}
