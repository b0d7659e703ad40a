// Package decimal holds the exact decimal numbers that every cost in curpipe
// is carried in, from the parsed field to the written total.
//
// A Decimal is an arbitrary-precision base-10 number: sums never round. Parse
// accepts what billing exports print: plain notation ("12.50", "-0.0001",
// "1.", ".5") and scientific notation in either case ("1.81E-8",
// "2.5893953072562468e-05"). String prints plain notation with no exponent
// and no trailing fractional zeros, so equal values always print alike; zero,
// including "-0.0", prints "0".
//
// Parse bounds its input: the last digit may be worth no less than 10^-1000
// and the first no more than 10^1000. A hostile "1e999999999" thus fails with
// ErrRange instead of making a later String or Add allocate gigabytes.
//
// The zero value is 0 and ready to use. Decimals are values: operations
// return new Decimals and never modify their operands, so copies may be
// shared between goroutines.
package decimal

import (
	"fmt"
	"math/big"

	"github.com/cockroachdb/apd/v3"
)

const (
	minExponent = -1000 // smallest exponent Parse accepts (weight of the last digit)
	maxExponent = 1000  // largest adjusted exponent Parse accepts (weight of the first digit)

	// maxBinaryExponent bounds the adjusted exponent UnmarshalBinary accepts.
	// It is looser than Parse's because sums may carry past maxExponent.
	maxBinaryExponent = 10 * maxExponent
)

// exact performs arithmetic with no rounding (Precision 0). Its exponent
// limits are apd's widest rather than Parse's: a sum's exponent is the
// smaller of its operands', so it never drops below minExponent, and only a
// magnitude beyond 10^100000 trips them, which takes some 10^90000 additions
// of values from Parse or UnmarshalBinary.
var exact = apd.Context{
	Precision:   0,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Traps:       apd.DefaultTraps,
}

// Decimal is an exact decimal number. The zero value is 0.
//
// Compare Decimals with Equal or Cmp, never with ==: 1.5 and 1.50 are equal
// numbers held differently, and large coefficients live behind a pointer.
type Decimal struct {
	v apd.Decimal
}

// Add returns d + x, exactly.
func (d Decimal) Add(x Decimal) Decimal { return d.add(x, false) }

// Sub returns d - x, exactly.
func (d Decimal) Sub(x Decimal) Decimal { return d.add(x, true) }

func (d Decimal) add(x Decimal, sub bool) Decimal {
	var r Decimal
	var err error
	op := "Add"
	if sub {
		op = "Sub"
		_, err = exact.Sub(&r.v, &d.v, &x.v)
	} else {
		_, err = exact.Add(&r.v, &d.v, &x.v)
	}
	if err != nil {
		// Only a magnitude past 10^100000 gets here (see exact); the
		// operands are too long to print.
		panic(fmt.Sprintf("decimal: %s: %v", op, err))
	}
	// apd keeps IEEE-style signed zeros (-0 + -0 = -0); curpipe has one zero.
	r.v.Negative = r.v.Negative && !r.v.IsZero()
	return r
}

// Neg returns -d.
func (d Decimal) Neg() Decimal {
	var r Decimal
	r.v.Neg(&d.v) // apd leaves zero unsigned
	return r
}

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int { return d.v.Sign() }

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.v.IsZero() }

// Cmp compares d and x and returns -1, 0 or +1.
func (d Decimal) Cmp(x Decimal) int { return d.v.Cmp(&x.v) }

// Equal reports whether d and x are the same number (1.50 equals 1.5).
func (d Decimal) Equal(x Decimal) bool { return d.Cmp(x) == 0 }

// Exponent returns the power of ten of the least significant digit as
// written or computed: -2 for "1.50", 2 for "1.5E3".
func (d Decimal) Exponent() int32 { return d.v.Exponent }

// Unscaled returns the integer c with d = c × 10^-scale, and false when d
// has more than scale fractional digits (so c would have to be rounded).
// Fixed-scale formats such as Parquet DECIMAL use it. scale comes from the
// format, not from data: c is about scale digits longer than d's own.
func (d Decimal) Unscaled(scale int32) (*big.Int, bool) {
	c := d.v.Coeff.MathBigInt()
	if c.Sign() == 0 {
		return c, true // zero fits every scale
	}
	if d.v.Negative {
		c.Neg(c)
	}
	shift := int64(d.v.Exponent) + int64(scale)
	switch {
	case shift > 0:
		c.Mul(c, pow10(shift))
	case shift < 0:
		// |c| < 2^BitLen <= 10^BitLen: a larger divisor cannot divide c,
		// and checking first keeps a huge -scale from building 10^-shift.
		if -shift > int64(c.BitLen()) {
			return nil, false
		}
		q, r := new(big.Int).QuoRem(c, pow10(-shift), new(big.Int))
		if r.Sign() != 0 {
			return nil, false
		}
		c = q
	}
	return c, true
}

func pow10(n int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil)
}
