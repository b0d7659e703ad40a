package decimal

import (
	"math/bits"
	"strconv"
)

// String returns d in plain notation without trailing fractional zeros:
// "0", "12.5", "-0.0000000181", "1500".
func (d Decimal) String() string {
	var buf [40]byte
	return string(d.appendPlain(buf[:0]))
}

// AppendText appends the String form of d to b.
func (d Decimal) AppendText(b []byte) ([]byte, error) { return d.appendPlain(b), nil }

// appendPlain formats from the coefficient's digits rather than through
// apd's Reduce, which divides by ten once per trailing zero and is quadratic
// on long coefficients.
func (d Decimal) appendPlain(b []byte) []byte {
	if d.v.IsZero() {
		return append(b, '0')
	}
	if d.v.Negative {
		b = append(b, '-')
	}
	var scratch [40]byte
	var digits []byte
	// apd's Append goes through big.Int's itoa, which allocates; sums of
	// billing figures mostly fit in 128 bits.
	if hi, lo, ok := d.coeff128(); ok {
		digits = appendUint128(scratch[:0], hi, lo)
	} else {
		digits = d.v.Coeff.Append(scratch[:0], 10)
	}
	exp := int(d.v.Exponent)
	for exp < 0 && digits[len(digits)-1] == '0' { // nonzero, so a digit stays
		digits = digits[:len(digits)-1]
		exp++
	}
	switch {
	case exp >= 0:
		b = append(b, digits...)
		b = appendZeros(b, exp)
	case -exp < len(digits):
		p := len(digits) + exp
		b = append(b, digits[:p]...)
		b = append(b, '.')
		b = append(b, digits[p:]...)
	default:
		b = append(b, "0."...)
		b = appendZeros(b, -exp-len(digits))
		b = append(b, digits...)
	}
	return b
}

// coeff128 returns the magnitude of d's coefficient as two words, if it
// fits in 128 bits, without the big.Int copy apd makes of larger ones.
func (d Decimal) coeff128() (hi, lo uint64, ok bool) {
	c := &d.v.Coeff
	if bits.UintSize == 64 {
		w := c.Bits()
		switch len(w) {
		case 0:
			return 0, 0, true
		case 1:
			return 0, uint64(w[0]), true
		case 2:
			return uint64(w[1]), uint64(w[0]), true
		}
		return 0, 0, false
	}
	if c.IsUint64() {
		return 0, c.Uint64(), true
	}
	return 0, 0, false
}

// appendUint128 appends the decimal digits of hi*2^64 + lo.
func appendUint128(b []byte, hi, lo uint64) []byte {
	if hi == 0 {
		return strconv.AppendUint(b, lo, 10)
	}
	const e19 = 10_000_000_000_000_000_000
	q, r := hi/e19, hi%e19
	ql, low := bits.Div64(r, lo, e19) // r < e19, so the quotient fits
	b = appendUint128(b, q, ql)
	n := len(b)
	b = strconv.AppendUint(b, low, 10)
	pad := 19 - (len(b) - n) // the low 19 digits, zeros included
	b = append(b, "0000000000000000000"[:pad]...)
	copy(b[n+pad:], b[n:len(b)-pad])
	copy(b[n:n+pad], "0000000000000000000")
	return b
}

func appendZeros(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, '0')
	}
	return b
}
