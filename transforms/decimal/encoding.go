package decimal

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

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
