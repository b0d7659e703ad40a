package decimal

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
)

// fuzzSeeds are the notations and traps of shared/notes/cur-formats.md plus
// the edges of Parse's grammar and range.
var fuzzSeeds = []string{
	"0.0", "1.6475682491", "1.81E-8", "2.5893953072562468e-05", "0.0000123", "12.5",
	"12345678901234567890", "1.2345678901234567890E-3", "-3.2E-11", "-0.0", "+5", "1.", ".5",
	"1e+3", "1E3", "007", "1e0000000003", "1e1000", "1e-1000", "1e1001", "1e999999999",
	"", " ", " 1", "1 ", "NULL", "null", "NaN", "Infinity", "-inf", "0x10", "0x1p-2", "1_000",
	"1,000", `"1"`, "1/2", "١", "1e", "1e+", ".", "-", "--1", "1.2.3", "\ufeff1", "1\r",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		checkAgainstRat(t, s, d, err)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Num != s || !(errors.Is(err, ErrSyntax) || errors.Is(err, ErrRange)) {
				t.Fatalf("Parse(%q) error %#v is not a ParseError with ErrSyntax or ErrRange", s, err)
			}
			return
		}

		str := d.String()
		if strings.ContainsAny(str, "eE+") || (d.IsZero() && str != "0") {
			t.Fatalf("Parse(%q).String() = %q", s, str)
		}
		again, err := Parse(str)
		if err != nil || !again.Equal(d) || again.String() != str {
			t.Fatalf("Parse(%q).String() = %q, which parses to %v, %v", s, str, again, err)
		}

		b, err := d.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var fromBinary Decimal
		if err := fromBinary.UnmarshalBinary(b); err != nil || !fromBinary.Equal(d) || fromBinary.Exponent() != d.Exponent() {
			t.Fatalf("binary round trip of %q through % x gave %v, %v", s, b, fromBinary, err)
		}
	})
}

// checkAgainstRat holds Parse to big.Rat's reading of s, which shares its
// grammar over the characters below, whenever s's exponent is small enough
// for big.Rat to expand cheaply.
func checkAgainstRat(t *testing.T, s string, d Decimal, err error) {
	t.Helper()
	if strings.Trim(s, "0123456789+-.eE") != "" {
		return // big.Rat also reads fractions, base prefixes and underscores
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, perr := strconv.ParseInt(s[i+1:], 10, 32)
		if perr != nil || e > 5000 || e < -5000 {
			return
		}
	}
	want, ok := new(big.Rat).SetString(s)
	switch {
	case err == nil && !ok:
		t.Fatalf("Parse(%q) = %v, but big.Rat rejects it", s, d)
	case err == nil && ratOf(d).Cmp(want) != 0:
		t.Fatalf("Parse(%q) = %v, big.Rat reads %s", s, d, want.RatString())
	case errors.Is(err, ErrSyntax) && ok:
		t.Fatalf("Parse(%q): %v, but big.Rat reads %s", s, err, want.RatString())
	}
}

func FuzzAdd(f *testing.F) {
	for i, a := range fuzzSeeds {
		f.Add(a, fuzzSeeds[(i*7+3)%len(fuzzSeeds)])
	}
	f.Add("1e-30", "1e20")
	f.Add("9e1000", "9e1000")
	f.Add("-1e1000", "1e-1000")
	f.Add("0.1", "-0.1")
	f.Fuzz(func(t *testing.T, as, bs string) {
		a, err := Parse(as)
		if err != nil {
			return
		}
		b, err := Parse(bs)
		if err != nil {
			return
		}
		ra, rb := ratOf(a), ratOf(b)

		sum := a.Add(b)
		if !sum.Equal(b.Add(a)) {
			t.Fatalf("%v + %v != %v + %v", a, b, b, a)
		}
		if want := new(big.Rat).Add(ra, rb); ratOf(sum).Cmp(want) != 0 {
			t.Fatalf("%v + %v = %v, big.Rat says %s", a, b, sum, want.RatString())
		}
		if back := sum.Sub(b); !back.Equal(a) {
			t.Fatalf("%v + %v - %v = %v", a, b, b, back)
		}
		diff := a.Sub(b)
		if want := new(big.Rat).Sub(ra, rb); ratOf(diff).Cmp(want) != 0 {
			t.Fatalf("%v - %v = %v, big.Rat says %s", a, b, diff, want.RatString())
		}
		if !diff.Equal(b.Sub(a).Neg()) {
			t.Fatalf("%v - %v != -(%v - %v)", a, b, b, a)
		}
		if got, want := a.Cmp(b), ra.Cmp(rb); got != want {
			t.Fatalf("Cmp(%v, %v) = %d, big.Rat says %d", a, b, got, want)
		}
		if sum.IsZero() && sum.v.Negative {
			t.Fatalf("%v + %v is a negative zero", a, b)
		}

		bin, _ := sum.MarshalBinary()
		var fromBinary Decimal
		if err := fromBinary.UnmarshalBinary(bin); err != nil || !fromBinary.Equal(sum) {
			t.Fatalf("binary round trip of %v gave %v, %v", sum, fromBinary, err)
		}
		// A sum may carry one digit past Parse's bound; below it, text round-trips.
		str := sum.String()
		intPart, _, _ := strings.Cut(strings.TrimPrefix(str, "-"), ".")
		if again, err := Parse(str); err == nil && !again.Equal(sum) {
			t.Fatalf("Parse(%q) = %v", str, again)
		} else if err != nil && (!errors.Is(err, ErrRange) || len(intPart) <= maxExponent+1) {
			t.Fatalf("Parse(%q): %v", str, err)
		}
	})
}
