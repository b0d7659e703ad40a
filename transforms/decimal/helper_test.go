package decimal

import (
	"math/big"
	"strings"
	"testing"
)

// zeros returns n '0's, for values near the exponent bounds.
func zeros(n int) string { return strings.Repeat("0", n) }

// ratOf converts d to a big.Rat without going through String or Parse.
func ratOf(d Decimal) *big.Rat {
	c, _ := d.Unscaled(-d.Exponent())
	r := new(big.Rat).SetInt(c)
	e := int64(d.Exponent())
	p := pow10(max(e, -e))
	if e >= 0 {
		return r.Mul(r, new(big.Rat).SetInt(p))
	}
	return r.Quo(r, new(big.Rat).SetInt(p))
}

func decode(t *testing.T, b []byte) Decimal {
	t.Helper()
	var d Decimal
	if err := d.UnmarshalBinary(b); err != nil {
		t.Fatalf("UnmarshalBinary(% x): %v", b, err)
	}
	return d
}
