package decimal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

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
