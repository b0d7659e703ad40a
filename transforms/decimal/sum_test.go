package decimal

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// addAll is the reference: the addends added to zero with Add.
func addAll(ds []Decimal) Decimal {
	var r Decimal
	for _, d := range ds {
		r = r.Add(d)
	}
	return r
}

// checkSum fails unless Sum gives exactly what Add does, down to the
// exponent and the binary form.
func checkSum(t *testing.T, in []string) {
	t.Helper()
	var ds []Decimal
	var s Sum
	for _, x := range in {
		d := MustParse(x)
		ds = append(ds, d)
		s.Add(d)
	}
	want := addAll(ds)
	same(t, fmt.Sprintf("sum of %v", in), s.Value(), want)
	// Split at every point and merged, the sums are the same.
	for k := range len(ds) + 1 {
		var a, b Sum
		for i, d := range ds {
			if i < k {
				a.Add(d)
			} else {
				b.Add(d)
			}
		}
		a.Merge(&b)
		same(t, fmt.Sprintf("merged sums of %v and %v", in[:k], in[k:]), a.Value(), want)
	}
}

// same fails unless got is want, down to the exponent and binary form.
func same(t *testing.T, what string, got, want Decimal) {
	t.Helper()
	gb, _ := got.MarshalBinary()
	wb, _ := want.MarshalBinary()
	if !got.Equal(want) || got.Exponent() != want.Exponent() || string(gb) != string(wb) {
		t.Errorf("%s: got %s (exp %d), want %s (exp %d)", what, got, got.Exponent(), want, want.Exponent())
	}
}

func TestSum(t *testing.T) {
	for _, in := range [][]string{
		nil,
		{"0"},
		{"-0.0"},
		{"12.50", "-0.0001", "1.81E-8", "2.5893953072562468e-05"},
		{"1.5", "-1.5"},
		{"1e3", "2e3"},                   // positive exponents: the sum keeps exponent 0
		{"1e-40", "2.5"},                 // finer than the fixed scale: goes to the rest
		{"12345678901234567890123", "1"}, // a coefficient past 64 bits
		{"17000000000", "17000000000"},   // past 2^127 units together: overflow to the rest
		{"-17000000000", "-17000000000", "5"},
		{"99999999999999999.9999999999", "0.0000000001"},
		{"-0.0000000000000000000000000001", "0.0000000000000000000000000001"},
		{"1E+10", "-3.3e-28"},
		// Coefficients of 65 to 128 bits, as sums of sums have.
		{"123456789012.3456789012345678", "-0.0000000000000000000000000001", "3"},
		{"1234567890123456789012345678901234567", "1"},      // 123 bits, too large once scaled
		{"0.1234567890123456789012345678901234567", "-0.5"}, // finer than the fixed scale
		{"-99999999999.9999999999999999999999999", "1E-27"}, // 127 bits of coefficient
	} {
		t.Run(fmt.Sprint(in), func(t *testing.T) { checkSum(t, in) })
	}
}

// TestSumRandom adds runs of figures like a billing export's, and
// extremes, in random mixes.
func TestSumRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	forms := []func() string{
		func() string { return fmt.Sprintf("%.2f", r.NormFloat64()*1000) },
		func() string { return fmt.Sprintf("%.*e", r.IntN(17), r.NormFloat64()*1e-5) },
		func() string { return fmt.Sprintf("%dE%d", r.Int64N(1e17)-5e16, r.IntN(60)-40) },
		func() string { return fmt.Sprintf("%d", r.Int64()) },
		func() string { return "0" },
	}
	for range 2000 {
		n := 1 + r.IntN(40)
		in := make([]string, n)
		for i := range in {
			in[i] = forms[r.IntN(len(forms))]()
		}
		checkSum(t, in)
	}
}

func FuzzSum(f *testing.F) {
	f.Add("1.5", "-2.25e-3", "1e-40")
	f.Add("17000000000", "17000000000", "-1E+5")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var in []string
		for _, x := range []string{a, b, c} {
			if _, err := Parse(x); err == nil {
				in = append(in, x)
			}
		}
		checkSum(t, in)
	})
}

func BenchmarkSum(b *testing.B) {
	ds := []Decimal{MustParse("0.0123456789"), MustParse("2.5893953072562468e-05"), MustParse("-12.5"), MustParse("1.81E-8")}
	b.Run("Add", func(b *testing.B) {
		var r Decimal
		for i := 0; b.Loop(); i++ {
			r = r.Add(ds[i%len(ds)])
		}
	})
	b.Run("Sum", func(b *testing.B) {
		var s Sum
		for i := 0; b.Loop(); i++ {
			s.Add(ds[i%len(ds)])
		}
	})
}
