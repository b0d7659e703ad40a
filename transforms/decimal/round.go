package decimal

import (
	"fmt"

	"github.com/cockroachdb/apd/v3"
)

// Round returns d rounded to places fractional digits, halves away from
// zero (as people round money: 0.125 to 0.13, -0.125 to -0.13). It is for
// figures shown to a person; sums and stored totals are never rounded.
// Round with places below -100 or above 1000 panics: no money needs them.
func (d Decimal) Round(places int32) Decimal {
	if places < -100 || places > -minExponent {
		panic(fmt.Sprintf("decimal.Round: %d places", places))
	}
	if -d.v.Exponent <= places {
		return d // already within places: exact as it is
	}
	c := exact
	c.Rounding = apd.RoundHalfUp // apd's half-up rounds halves away from zero
	c.Precision = uint32(max(d.v.NumDigits()+int64(d.v.Exponent)+int64(places), 0)) + 1
	var out Decimal
	if _, err := c.Quantize(&out.v, &d.v, -places); err != nil {
		panic(fmt.Sprintf("decimal.Round(%s, %d): %v", d, places, err)) // cannot happen: the precision fits
	}
	return out
}
