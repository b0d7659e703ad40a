package findings

import (
	"math/big"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// The decimal type adds and subtracts; products and quotients of money
// go through big.Rat and come back by toDecimal.

// quotientPlaces is where a quotient that does not terminate is rounded.
const quotientPlaces = 10

// maxExactPlaces bounds the digits toDecimal writes out for a terminating
// fraction; a longer one is rounded to quotientPlaces like the others.
const maxExactPlaces = 40

func rat(d decimal.Decimal) *big.Rat {
	r, ok := new(big.Rat).SetString(d.String())
	if !ok {
		return new(big.Rat) // cannot happen: String prints plain decimal notation
	}
	return r
}

func ratInt(n int) *big.Rat { return new(big.Rat).SetInt64(int64(n)) }

func mul(x, y *big.Rat) *big.Rat { return new(big.Rat).Mul(x, y) }

func quo(x, y *big.Rat) *big.Rat {
	if y.Sign() == 0 {
		return new(big.Rat)
	}
	return new(big.Rat).Quo(x, y)
}

func percent(x *big.Rat, p decimal.Decimal) *big.Rat {
	return quo(mul(x, rat(p)), ratInt(100))
}

// toDecimal converts r exactly when its decimal expansion terminates
// within maxExactPlaces digits, and otherwise rounds it to quotientPlaces
// fractional digits, halves away from zero.
func toDecimal(r *big.Rat) decimal.Decimal {
	places := terminatingPlaces(r.Denom())
	if places < 0 || places > maxExactPlaces {
		places = quotientPlaces
	}
	d, err := decimal.Parse(r.FloatString(places))
	if err != nil {
		// Only a magnitude past Parse's 10^1000, which no bill holds and
		// only a forged accumulator could, gets here.
		return decimal.Decimal{}
	}
	return d
}

// terminatingPlaces returns the number of fractional digits of n/den when
// den has no prime factor but 2 and 5, and -1 otherwise.
func terminatingPlaces(den *big.Int) int {
	d := new(big.Int).Set(den)
	two, five, m := big.NewInt(2), big.NewInt(5), new(big.Int)
	var a, b int
	for d.Sign() != 0 {
		if q, r := new(big.Int).QuoRem(d, two, m); r.Sign() == 0 {
			d, a = q, a+1
			continue
		}
		break
	}
	for {
		if q, r := new(big.Int).QuoRem(d, five, m); r.Sign() == 0 {
			d, b = q, b+1
			continue
		}
		break
	}
	if d.Cmp(big.NewInt(1)) != 0 {
		return -1
	}
	return max(a, b)
}
