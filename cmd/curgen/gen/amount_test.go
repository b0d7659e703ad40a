package gen

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
)

func TestAppendNumber(t *testing.T) {
	tests := []struct {
		f                   float64
		plain, java, python string
	}{
		{0, "0", "0.0", "0.0"},
		{1.81e-8, "0.0000000181", "1.81E-8", "1.81e-08"},
		{2.5893953072562468e-05, "0.000025893953072562468", "2.5893953072562468E-5", "2.5893953072562468e-05"},
		{1e-5, "0.00001", "1.0E-5", "1e-05"},
		{0.0012, "0.0012", "0.0012", "0.0012"},
		{0.0001, "0.0001", "1.0E-4", "0.0001"},
		{12, "12", "12.0", "12.0"},
		{-1.6475682491, "-1.6475682491", "-1.6475682491", "-1.6475682491"},
		{12345678, "12345678", "1.2345678E7", "12345678.0"},
		{1e16, "10000000000000000", "1.0E16", "1e+16"},
	}
	for _, tc := range tests {
		for _, c := range []struct {
			n    notation
			want string
		}{{plainNotation, tc.plain}, {javaNotation, tc.java}, {pythonNotation, tc.python}} {
			if got := string(appendNumber(nil, tc.f, c.n)); got != c.want {
				t.Errorf("appendNumber(%v, %d) = %q, want %q", tc.f, c.n, got, c.want)
			}
		}
	}
}

// TestNotationsAgree checks that every notation of a generated figure is the
// same exact number as its plain form, the one the expected totals add.
func TestNotationsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		f := money(r, -12, 6)
		if i%3 == 0 {
			f = -f
		}
		want, err := val(f).dec()
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []notation{plainNotation, javaNotation, pythonNotation} {
			s := string(appendNumber(nil, f, n))
			got, err := decimal.Parse(s)
			if err != nil {
				t.Fatalf("%v in notation %d: %q: %v", f, n, s, err)
			}
			if !got.Equal(want) {
				t.Fatalf("%v in notation %d: %q = %s, want %s", f, n, s, got, want)
			}
			if back, err := strconv.ParseFloat(s, 64); err != nil || back != f {
				t.Fatalf("%q reads back as %v (%v), want %v", s, back, err, f)
			}
		}
	}
}

func TestLimitScale(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		it := item{cost: val(money(r, -14, 4)), net: val(-money(r, -14, 4))}
		it.limitScale(24)
		for _, a := range []amount{it.cost, it.net} {
			d, err := a.dec()
			if err != nil {
				t.Fatal(err)
			}
			if d.Exponent() < -24 {
				t.Fatalf("%v has %d fractional digits, want at most 24", a.f, -d.Exponent())
			}
		}
	}
}
