package decimal

import (
	"math/big"
	"math/bits"
)

// sumScale is the fixed scale of Sum's integer part: units of 10^-28 hold
// every figure a double prints down to about 1e-11 exactly, and 2^127
// units are about 1.7e10, far above any one cell's daily cost.
const sumScale = 28

// pow10u are 10^0 .. 10^19, the powers that fit in a uint64.
var pow10u = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// Sum adds Decimals exactly, several times faster than repeated Add for
// the figures billing exports hold. Each addend that fits is added to a
// 128-bit integer of units of 10^-28; one with finer digits, or one that
// would overflow it, is added to an exact Decimal instead. Value returns
// exactly what adding the same addends to a zero Decimal with Add would:
// the same number, held with the same exponent.
//
// The zero value is an empty sum, ready to use.
type Sum struct {
	hi     int64  // the fixed part, a two's complement 128-bit integer,
	lo     uint64 // in units of 10^-sumScale
	minExp int32  // the smallest exponent of the addends in the fixed part
	n      bool   // the fixed part has an addend, so minExp is set
	// rest sums the addends the fixed part cannot hold exactly; it is
	// rarely needed, and kept out of line so that a Sum is 32 bytes: an
	// accumulator's cells are looked up at random and every byte of a
	// cell costs cache.
	rest *Decimal
}

// addRest adds d to the rest. It never writes through s.rest, so that a
// copy of s stays what it was.
func (s *Sum) addRest(d Decimal) {
	var r Decimal
	if s.rest != nil {
		r = *s.rest
	}
	r = r.Add(d)
	s.rest = &r
}

// Add adds d to s.
func (s *Sum) Add(d Decimal) {
	if hi, lo, ok := units(d); ok && s.addFixed(hi, lo, d.v.Exponent) {
		return
	}
	s.addRest(d)
}

// addFixed adds (hi, lo) units, of addends whose smallest exponent is exp,
// to the fixed part, unless the 128-bit sum would overflow.
func (s *Sum) addFixed(hi int64, lo uint64, exp int32) bool {
	sum, carry := bits.Add64(s.lo, lo, 0)
	top := s.hi + hi + int64(carry)
	// Signed overflow: both operands of one sign, the result of the other.
	if (s.hi >= 0) == (hi >= 0) && (top >= 0) != (s.hi >= 0) {
		return false
	}
	s.hi, s.lo = top, sum
	if !s.n || exp < s.minExp {
		s.minExp = exp
	}
	s.n = true
	return true
}

// units returns d as a signed 128-bit count of 10^-sumScale, or false
// when d has finer digits than that or does not fit.
func units(d Decimal) (hi int64, lo uint64, ok bool) {
	k := int(d.v.Exponent) + sumScale
	if k < 0 || k > 38 {
		return 0, 0, false
	}
	// The coefficient, of up to 128 bits: sums of sums (a day's total per
	// currency) run past 64.
	h, l, ok := d.coeff128()
	if !ok {
		return 0, 0, false
	}
	// |d| in units: coefficient × 10^k, in at most two 128-bit multiplications.
	for k > 0 {
		step := min(k, 19)
		m := pow10u[step]
		carryHi, newLo := bits.Mul64(l, m)
		overHi, newHi := bits.Mul64(h, m)
		newHi, carry := bits.Add64(newHi, carryHi, 0)
		if overHi != 0 || carry != 0 {
			return 0, 0, false
		}
		h, l = newHi, newLo
		k -= step
	}
	if h >= 1<<63 {
		return 0, 0, false
	}
	if d.v.Negative {
		// Two's complement negation of (h, l).
		l, borrow := bits.Sub64(0, l, 0)
		h, _ = bits.Sub64(0, h, borrow)
		return int64(h), l, true
	}
	return int64(h), l, true
}

// Merge adds t's addends to s: s then holds what adding each of them
// to s would give. It lets parsers sum on several goroutines.
func (s *Sum) Merge(t *Sum) {
	if t.n && !s.addFixed(t.hi, t.lo, t.minExp) {
		s.addRest(t.fixed()) // overflow: exact in the rest
	}
	if t.rest != nil {
		s.addRest(*t.rest)
	}
}

// Value returns the sum.
func (s *Sum) Value() Decimal {
	var rest Decimal
	if s.rest != nil {
		rest = *s.rest
	}
	if !s.n {
		return rest
	}
	fixed := s.fixed()
	// A sum that starts from the zero Decimal (exponent 0) has an exponent
	// of at most 0: only then does the rest change the form.
	if rest.v.IsZero() && rest.v.Exponent == 0 && s.minExp <= 0 {
		return fixed
	}
	return fixed.Add(rest)
}

// fixed returns the fixed part as a Decimal of exponent minExp.
func (s *Sum) fixed() Decimal {
	neg := s.hi < 0
	h, l := uint64(s.hi), s.lo
	if neg {
		var borrow uint64
		l, borrow = bits.Sub64(0, l, 0)
		h, _ = bits.Sub64(0, h, borrow)
	}
	// Every addend had an exponent >= minExp, so dividing the units down to
	// that exponent is exact.
	for shift := int(s.minExp) + sumScale; shift > 0; {
		step := min(shift, 19)
		m := pow10u[step]
		qh, r := h/m, h%m
		ql, _ := bits.Div64(r, l, m)
		h, l = qh, ql
		shift -= step
	}
	var fixed Decimal
	if h == 0 {
		fixed.v.Coeff.SetUint64(l)
	} else {
		mag := new(big.Int).SetUint64(h)
		mag.Lsh(mag, 64)
		mag.Or(mag, new(big.Int).SetUint64(l))
		fixed.v.Coeff.SetMathBigInt(mag)
	}
	fixed.v.Negative = neg && (h != 0 || l != 0)
	fixed.v.Exponent = s.minExp
	return fixed
}
