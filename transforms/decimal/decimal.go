// Package decimal holds the exact decimal numbers that every cost in curpipe
// is carried in, from the parsed field to the written total.
//
// A Decimal is an arbitrary-precision base-10 number: sums never round and
// never overflow. Parse accepts what billing exports print: plain notation
// ("12.50", "-0.0001") and scientific notation in either case ("1.81E-8",
// "2.5893953072562468e-05"). String prints plain notation with no exponent
// and no trailing fractional zeros, so equal values always print alike.
//
// The zero value is 0 and ready to use. Decimals are values: operations
// return new Decimals and never modify their operands.
package decimal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/cockroachdb/apd/v3"
)

// Bounds on the exponent keep a hostile input ("1e999999999") from making a
// later String or Add allocate gigabytes. Real costs sit far inside them.
const (
	maxExponent = 1000
	minExponent = -1000
)

// exact performs arithmetic with no rounding: apd does not round additions
// when Precision is zero.
var exact = apd.Context{
	Precision:   0,
	MaxExponent: maxExponent,
	MinExponent: minExponent,
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
type Decimal struct {
	v apd.Decimal
}

// Parse converts s to a Decimal. It accepts an optional sign, digits with an
// optional decimal point, and an optional exponent introduced by 'e' or 'E'.
// It rejects empty input, spaces, NaN and infinities.
func Parse(s string) (Decimal, error) {
	if !wellFormed(s) {
		return Decimal{}, &ParseError{Num: s, Err: ErrSyntax}
	}
	var d Decimal
	if _, _, err := d.v.SetString(s); err != nil {
		return Decimal{}, &ParseError{Num: s, Err: ErrSyntax}
	}
	if e := int64(d.v.Exponent); e > maxExponent || e < minExponent {
		return Decimal{}, &ParseError{Num: s, Err: ErrRange}
	}
	return d, nil
}

// wellFormed checks the grammar [+-]digits[.digits][(e|E)[+-]digits] with at
// least one digit in the mantissa, so apd's extras (NaN, Infinity, "0x")
// never pass as numbers.
func wellFormed(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && isDigit(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && isDigit(s[i]); i++ {
			exp++
		}
		if exp == 0 || exp > 9 {
			return false
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// MustParse is Parse for constants in tests and examples; it panics on error.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Add returns d + x, exactly.
func (d Decimal) Add(x Decimal) Decimal {
	var r Decimal
	if _, err := exact.Add(&r.v, &d.v, &x.v); err != nil {
		// Operands are finite and bounded by Parse, so the exponent can only
		// leave its range after ~10^1000 additions; treat it as a bug.
		panic(fmt.Sprintf("decimal: %s + %s: %v", d, x, err))
	}
	return r
}

// Sub returns d - x, exactly.
func (d Decimal) Sub(x Decimal) Decimal { return d.Add(x.Neg()) }

// Neg returns -d.
func (d Decimal) Neg() Decimal {
	var r Decimal
	r.v.Neg(&d.v)
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
// "0", "12.5", "-0.0000000181".
func (d Decimal) String() string {
	if d.v.IsZero() {
		return "0"
	}
	var r apd.Decimal
	r.Reduce(&d.v)
	return r.Text('f')
}

// Exponent returns the power of ten of the least significant digit as
// written or computed: -2 for "1.50", 2 for "1.5E3".
func (d Decimal) Exponent() int32 { return d.v.Exponent }

// Unscaled returns the integer c with d = c × 10^-scale, and false when d
// has more than scale fractional digits (so c would have to be rounded).
// Fixed-scale formats such as Parquet DECIMAL use it.
func (d Decimal) Unscaled(scale int32) (*big.Int, bool) {
	var r apd.Decimal
	r.Reduce(&d.v)
	shift := int64(r.Exponent) + int64(scale)
	if shift < 0 {
		return nil, false
	}
	c := r.Coeff.MathBigInt()
	if shift > 0 {
		c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(shift), nil))
	}
	if r.Negative {
		c.Neg(c)
	}
	return c, true
}

// MarshalText implements encoding.TextMarshaler with String's form.
func (d Decimal) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

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
// magnitude in big-endian bytes.
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
	c := d.v.Coeff.MathBigInt()
	c.Abs(c)
	start := len(b)
	b = append(b, make([]byte, (c.BitLen()+7)/8)...)
	c.FillBytes(b[start:])
	return b, nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (d *Decimal) UnmarshalBinary(b []byte) error {
	if len(b) < 2 || b[0] > 1 {
		return fmt.Errorf("decimal: bad binary form % x", b)
	}
	exp, n := binary.Varint(b[1:])
	if n <= 0 || exp > maxExponent || exp < minExponent {
		return fmt.Errorf("decimal: bad exponent in binary form % x", b)
	}
	var c big.Int
	c.SetBytes(b[1+n:])
	var r Decimal
	r.v.Coeff.SetMathBigInt(&c)
	r.v.Exponent = int32(exp)
	r.v.Negative = b[0] == 1
	*d = r
	return nil
}
