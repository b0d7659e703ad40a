package curated

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// TestFixed16Fast checks the math/big-free encoding against fixed16Big on
// values around every limit: the sign, 64 and 128 bits, 10^38, the scale.
func TestFixed16Fast(t *testing.T) {
	values := []string{"0", "-0.0", "1", "-1", "0E-40", "0E40", "1E-28", "-1E-28", "1E-29", "1E-24",
		"18446744073709551615", "18446744073709551616", "-18446744073709551616",
		"9999999999.9999999999999999999999999999", "-9999999999.9999999999999999999999999999",
		"10000000000", "-10000000000", "99999999999999.999999999999999999999999",
		"1.50000000000000000000000000000", "1.5000000000000000000000000000000000000000000000",
		"170141183460469231731687303715884105727", "340282366920938463463374607431768211456E-30",
		"2.5893953072562468e-05", "1.81E-8", "-0.0000000000000000000000000001", "1E38", "1E-38"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var s strings.Builder
		if rng.IntN(2) == 0 {
			s.WriteByte('-')
		}
		for range 1 + rng.IntN(42) {
			s.WriteByte(byte('0' + rng.IntN(10)))
		}
		fmt.Fprintf(&s, "E%d", rng.IntN(60)-40)
		values = append(values, s.String())
	}
	fast := 0
	for _, s := range values {
		v := decimal.MustParse(s)
		for _, scale := range []int32{costScale, usageScale} {
			want, wantErr := fixed16Big("x", v, scale)
			if got, ok := fixed16Fast(v, scale); ok {
				fast++
				if wantErr != nil || got != want {
					t.Errorf("fixed16Fast(%s, %d) = %x, want %x, %v", s, scale, got, want, wantErr)
				}
			}
			if got, err := fixed16("x", v, scale); got != want || (err == nil) != (wantErr == nil) {
				t.Errorf("fixed16(%s, %d) = %x, %v; want %x, %v", s, scale, got, err, want, wantErr)
			}
		}
	}
	if fast < len(values)/4 {
		t.Errorf("fast path taken %d times in %d: the test lost its point", fast, 2*len(values))
	}
}

func TestFixed16FastAllocs(t *testing.T) {
	v := decimal.MustParse("-2.5893953072562468e-05")
	if n := testing.AllocsPerRun(100, func() { fixed16Fast(v, costScale) }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
}
