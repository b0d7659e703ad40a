package gen

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// amount is a cost or quantity as AWS writes it: a float64 whose shortest
// decimal form is the exact value every format carries. CSV prints those
// digits (in Java's or Python's notation, or plain), Parquet stores the
// double, whose shortest form a reader gets back, and the expected totals
// add the same digits as exact decimals. So one seed gives the same totals
// whatever the format. The zero value is a blank field.
type amount struct {
	f   float64
	set bool
}

func val(f float64) amount { return amount{f: f, set: true} }

// dec returns the exact value of a, zero when blank. It goes through the
// plain ('f') form so that the expected totals do not depend on the
// scientific-notation parsing they are there to check.
func (a amount) dec() (decimal.Decimal, error) {
	if !a.set {
		return decimal.Decimal{}, nil
	}
	var buf [48]byte
	return decimal.Parse(string(strconv.AppendFloat(buf[:0], a.f, 'f', -1, 64)))
}

// notation is how a CSV writer prints a number.
type notation uint8

const (
	plainNotation  notation = iota // 0.0000000181, 12.5, 0
	javaNotation                   // Double.toString: 1.81E-8, 12.0, 0.0012
	pythonNotation                 // repr: 2.5893953072562468e-05, 12.5, 1e-05
)

// appendNumber appends f's shortest digits in notation n.
func appendNumber(b []byte, f float64, n notation) []byte {
	if f == 0 {
		if n == plainNotation {
			return append(b, '0')
		}
		return append(b, "0.0"...)
	}
	if f < 0 {
		b = append(b, '-')
		f = -f
	}
	// 'e' with -1 gives "d.ddde-05": the shortest digits and the decimal
	// exponent of the first, from which every notation is laid out.
	var tmp [40]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	var digits [24]byte
	nd := 0
	i := 0
	for ; e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits[nd] = e[i]
			nd++
		}
	}
	exp, _ := strconv.Atoi(string(e[i+1:]))
	d := digits[:nd]
	switch n {
	case javaNotation:
		if exp >= -3 && exp < 7 {
			return appendPlain(b, d, exp, true)
		}
		b = append(b, d[0], '.')
		if len(d) > 1 {
			b = append(b, d[1:]...)
		} else {
			b = append(b, '0')
		}
		b = append(b, 'E')
		return strconv.AppendInt(b, int64(exp), 10)
	case pythonNotation:
		if exp >= -4 && exp < 16 {
			return appendPlain(b, d, exp, true)
		}
		b = append(b, d[0])
		if len(d) > 1 {
			b = append(b, '.')
			b = append(b, d[1:]...)
		}
		b = append(b, 'e')
		if exp < 0 {
			b, exp = append(b, '-'), -exp
		} else {
			b = append(b, '+')
		}
		if exp < 10 {
			b = append(b, '0')
		}
		return strconv.AppendInt(b, int64(exp), 10)
	}
	return appendPlain(b, d, exp, false)
}

// appendPlain lays out digits d, the first worth 10^exp, without an
// exponent; point0 adds ".0" to whole numbers, as Java and Python do.
func appendPlain(b, d []byte, exp int, point0 bool) []byte {
	if exp < 0 {
		b = append(b, '0', '.')
		for i := -1; i > exp; i-- {
			b = append(b, '0')
		}
		return append(b, d...)
	}
	if len(d) <= exp+1 {
		b = append(b, d...)
		for i := len(d); i <= exp; i++ {
			b = append(b, '0')
		}
		if point0 {
			b = append(b, '.', '0')
		}
		return b
	}
	b = append(b, d[:exp+1]...)
	b = append(b, '.')
	return append(b, d[exp+1:]...)
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// money returns a positive figure whose first digit is worth 10^lo to
// 10^hi. Four in ten have few digits (a rate times whole hours: "0.0464"),
// the rest the 16 or 17 of a double that sums many products.
func money(r *rand.Rand, lo, hi int) float64 {
	e := lo + r.IntN(hi-lo+1)
	if r.IntN(10) < 4 {
		n := 1 + r.IntN(8)
		m := float64(int64(pow10[n-1]) + r.Int64N(int64(9*pow10[n-1])))
		// m and 10^k are exact, so one division or product rounds once:
		// the result is the double nearest m×10^-k, whose shortest form
		// is m's digits.
		if k := n - 1 - e; k >= 0 {
			return m / pow10[k]
		}
		return m * pow10[e-n+1]
	}
	m := float64(1<<52 + r.Int64N(1<<52)) // 16 digits, 4.5e15 to 9e15
	return m / math.Pow10(15-e)
}

// frac returns a fraction of f in [lo, hi), rounded by float arithmetic as
// a billing system's own would be.
func frac(r *rand.Rand, f, lo, hi float64) float64 {
	return f * (lo + (hi-lo)*r.Float64())
}
