package decimal

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestAppendUint128 checks the 128-bit digits against math/big.
func TestAppendUint128(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cases := [][2]uint64{{0, 0}, {0, 1}, {1, 0}, {0, ^uint64(0)}, {^uint64(0), ^uint64(0)},
		{542101086242752217, 68739955140067328}, // 10^37
		{542101086242752217, 68739955140067327}}
	for range 100000 {
		hi := r.Uint64() >> r.IntN(65)
		cases = append(cases, [2]uint64{hi, r.Uint64()})
	}
	for _, c := range cases {
		x := new(big.Int).Lsh(new(big.Int).SetUint64(c[0]), 64)
		x.Or(x, new(big.Int).SetUint64(c[1]))
		if got, want := string(appendUint128([]byte("x"), c[0], c[1])), "x"+x.String(); got != want {
			t.Fatalf("appendUint128(%d, %d) = %s, want %s", c[0], c[1], got, want)
		}
	}
}
