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
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"strconv"
	"strings"

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

// Sentinel causes carried by ParseError.
var (
	ErrSyntax = errors.New("invalid syntax")
	ErrRange  = errors.New("exponent out of range")
)

// ParseError records a failed conversion, like strconv.NumError.
type ParseError struct {
	Num string // the input
	Err error  // ErrSyntax or ErrRange
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("decimal: parsing %q: %v", e.Num, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Decimal is an exact decimal number. The zero value is 0.
//
// Compare Decimals with Equal or Cmp, never with ==: 1.5 and 1.50 are equal
// numbers held differently, and large coefficients live behind a pointer.
type Decimal struct {
	v apd.Decimal
}

// Parse converts s to a Decimal. It accepts an optional sign, digits with an
// optional decimal point (at least one digit in all), and an optional
// exponent introduced by 'e' or 'E' with an optional sign. It rejects empty
// input, spaces, NaN, infinities, hexadecimal and digit separators with
// ErrSyntax, and values outside the bounds in the package doc with ErrRange.
func Parse(s string) (Decimal, error) {
	d, err := parse(s)
	if err != nil {
		// Clone so that the error does not pin a whole CSV record in memory.
		return Decimal{}, &ParseError{Num: strings.Clone(s), Err: err}
	}
	return d, nil
}

func parse(s string) (Decimal, error) {
	var d Decimal
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	intPart := leadingDigits(s[i:])
	i += len(intPart)
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		frac = leadingDigits(s[i:])
		i += len(frac)
	}
	if intPart == "" && frac == "" {
		return d, ErrSyntax
	}
	var exp int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		digits := leadingDigits(s[i:])
		if digits == "" {
			return d, ErrSyntax
		}
		i += len(digits)
		for j := 0; j < len(digits); j++ {
			// Saturate: past 10^9 the exponent is out of range whatever
			// follows, and int64 must not overflow on a long tail.
			if exp < 1e9 {
				exp = exp*10 + int64(digits[j]-'0')
			}
		}
		if expNeg {
			exp = -exp
		}
	}
	if i != len(s) {
		return d, ErrSyntax
	}
	exp -= int64(len(frac))

	// Leading zeros carry no value; the rest are the coefficient's digits.
	intSig, fracSig := strings.TrimLeft(intPart, "0"), frac
	if intSig == "" {
		fracSig = strings.TrimLeft(frac, "0")
	}
	n := len(intSig) + len(fracSig)
	adj := exp + int64(n) - 1 // exponent of the first digit
	if n == 0 {
		adj = exp // zero has one digit
	}
	if exp < minExponent || adj > maxExponent {
		return d, ErrRange
	}
	switch {
	case n <= 19: // below 10^19 < 2^64
		d.v.Coeff.SetUint64(appendDigits(appendDigits(0, intSig), fracSig))
	case n <= 38:
		// Below 10^38 < 2^128, which apd keeps inline: join two uint64
		// halves so the 20-digit mantissas of real exports allocate nothing.
		h1, h2 := span(intSig, fracSig, 0, n-19)
		l1, l2 := span(intSig, fracSig, n-19, n)
		hi, lo := bits.Mul64(appendDigits(appendDigits(0, h1), h2), 1e19)
		lo, carry := bits.Add64(lo, appendDigits(appendDigits(0, l1), l2), 0)
		var buf [16]byte
		binary.BigEndian.PutUint64(buf[:8], hi+carry)
		binary.BigEndian.PutUint64(buf[8:], lo)
		d.v.Coeff.SetBytes(buf[:])
	default:
		if _, ok := d.v.Coeff.SetString(intSig+fracSig, 10); !ok {
			return Decimal{}, ErrSyntax // unreachable: the digits were checked above
		}
	}
	d.v.Exponent = int32(exp)
	d.v.Negative = neg && n > 0 // "-0.0" is plain 0
	return d, nil
}

// appendDigits returns u with the decimal digits of s appended.
func appendDigits(u uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		u = u*10 + uint64(s[i]-'0')
	}
	return u
}

// span returns the characters i to j of a+b without concatenating them.
func span(a, b string, i, j int) (string, string) {
	var x, y string
	if i < len(a) {
		x = a[i:min(j, len(a))]
	}
	if j > len(a) {
		y = b[max(i-len(a), 0) : j-len(a)]
	}
	return x, y
}

// leadingDigits returns the ASCII digits at the start of s.
func leadingDigits(s string) string {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// MustParse is Parse for constants in tests and examples; it panics on error.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
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

// MarshalText implements encoding.TextMarshaler with String's form. A sum
// past Parse's 10^1000 prints but does not parse back; the binary form
// carries it.
func (d Decimal) MarshalText() ([]byte, error) { return d.appendPlain(nil), nil }

// UnmarshalText implements encoding.TextUnmarshaler with Parse.
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalBinary implements encoding.BinaryMarshaler in a compact form: a
// sign byte, the exponent as a zig-zag varint, then the coefficient's
// magnitude in big-endian bytes (none for zero).
func (d Decimal) MarshalBinary() ([]byte, error) {
	return d.AppendBinary(nil)
}

// AppendBinary appends MarshalBinary's form of d to b.
func (d Decimal) AppendBinary(b []byte) ([]byte, error) {
	sign := byte(0)
	if d.v.Negative && !d.v.IsZero() {
		sign = 1
	}
	b = append(b, sign)
	b = binary.AppendVarint(b, int64(d.v.Exponent))
	if hi, lo, ok := d.coeff128(); ok {
		// Costs fit 64 bits and their sums 128: skip the big.Int copy.
		if hi == 0 {
			for k := (bits.Len64(lo)+7)/8 - 1; k >= 0; k-- {
				b = append(b, byte(lo>>(8*k)))
			}
			return b, nil
		}
		for k := (bits.Len64(hi)+7)/8 - 1; k >= 0; k-- {
			b = append(b, byte(hi>>(8*k)))
		}
		return binary.BigEndian.AppendUint64(b, lo), nil
	}
	c := d.v.Coeff.MathBigInt()
	c.Abs(c)
	start := len(b)
	b = append(b, make([]byte, (c.BitLen()+7)/8)...)
	c.FillBytes(b[start:])
	return b, nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler. It accepts the
// exponents Parse does and, so that every sum round-trips, magnitudes up to
// 10^10000 rather than Parse's 10^1000.
func (d *Decimal) UnmarshalBinary(b []byte) error {
	if len(b) < 2 || b[0] > 1 {
		return fmt.Errorf("decimal: invalid binary form (%d bytes): bad sign byte or too short", len(b))
	}
	exp, n := binary.Varint(b[1:])
	if n <= 0 || exp > maxExponent || exp < minExponent {
		return fmt.Errorf("decimal: invalid binary form (%d bytes): bad exponent", len(b))
	}
	var r Decimal
	r.v.Coeff.SetBytes(b[1+n:])
	r.v.Exponent = int32(exp)
	if exp+r.v.NumDigits()-1 > maxBinaryExponent {
		return fmt.Errorf("decimal: invalid binary form (%d bytes): magnitude out of range", len(b))
	}
	r.v.Negative = b[0] == 1 && !r.v.IsZero()
	*d = r
	return nil
}
