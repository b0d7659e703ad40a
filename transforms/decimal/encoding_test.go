package decimal

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"
)

// roundTripValues cover zero, sign, both exponent bounds and coefficients
// inside and beyond 64 and 128 bits (apd stores the latter behind a pointer).
var roundTripValues = []string{
	"0", "-0.0", "0.000", "1", "-1", "12.50", "1.81E-8", "2.5893953072562468e-05",
	"1.6475682491", "18446744073709551615", "18446744073709551616",
	"-123456789012345678901234567890.5", "1e1000", "1e-1000", "-9.99e-998",
	"123456789012345678901234567890123456789012345678901234567890e-70",
}

func TestBinaryGolden(t *testing.T) {
	// Pinned: the binary form may sit in shuffles and state stores.
	tests := []struct {
		in   string
		want []byte
	}{
		{"0", []byte{0, 0}},
		{"-0.0", []byte{0, 1}},
		{"-1.5", []byte{1, 1, 0x0f}},
		{"256", []byte{0, 0, 1, 0}},
		{"1.81E-8", []byte{0, 0x13, 0xb5}},
		{"18446744073709551616", []byte{0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		got, err := MustParse(tt.in).MarshalBinary()
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("MarshalBinary(%s) = % x, %v; want % x", tt.in, got, err, tt.want)
		}
	}
	if got, _ := (Decimal{}).MarshalBinary(); !bytes.Equal(got, []byte{0, 0}) {
		t.Errorf("zero value MarshalBinary = % x", got)
	}
}

func TestBinaryRoundTrip(t *testing.T) {
	values := []Decimal{{}, MustParse("9e1000").Add(MustParse("9e1000"))} // computed beyond Parse's bound
	for _, s := range roundTripValues {
		values = append(values, MustParse(s))
	}
	for _, d := range values {
		b, err := d.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary(%s): %v", d, err)
		}
		prefix := []byte("prefix")
		appended, _ := d.AppendBinary(bytes.Clone(prefix))
		if !bytes.Equal(appended, append(prefix, b...)) {
			t.Errorf("AppendBinary(%s) = % x, want prefix then % x", d, appended, b)
		}
		got := decode(t, b)
		if !got.Equal(d) || got.Exponent() != d.Exponent() || got.String() != d.String() {
			t.Errorf("binary round trip of %s gave %s (exponent %d, want %d)", d, got, got.Exponent(), d.Exponent())
		}
	}
}

func TestUnmarshalBinaryErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"nil", nil},
		{"sign only", []byte{0}},
		{"bad sign", []byte{2, 0}},
		{"truncated varint", []byte{0, 0x80}},
		{"overlong varint", []byte{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1}},
		{"exponent above", binary.AppendVarint([]byte{0}, maxExponent+1)},
		{"exponent below", binary.AppendVarint([]byte{1}, minExponent-1)},
		{"magnitude above", append(binary.AppendVarint([]byte{0}, maxExponent), pow10(maxBinaryExponent-maxExponent+1).Bytes()...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := MustParse("7")
			if err := d.UnmarshalBinary(tt.in); err == nil {
				t.Fatalf("UnmarshalBinary(% x) = %s, want an error", tt.in, d)
			}
			if d.String() != "7" {
				t.Errorf("failed UnmarshalBinary changed the value to %s", d)
			}
		})
	}
	if got := decode(t, append(binary.AppendVarint([]byte{1}, maxExponent), pow10(maxBinaryExponent-maxExponent).Bytes()...)); got.Exponent() != maxExponent || got.Sign() != -1 {
		t.Errorf("decoding -10^%d gave exponent %d, sign %d", maxBinaryExponent, got.Exponent(), got.Sign())
	}
	// Leading zero bytes are not canonical but carry the same number.
	if got := decode(t, []byte{0, 0, 0, 0, 0x0f}); got.String() != "15" {
		t.Errorf("decoded %s, want 15", got)
	}
}

func TestTextRoundTrip(t *testing.T) {
	for _, s := range roundTripValues {
		d := MustParse(s)
		text, err := d.MarshalText()
		if err != nil {
			t.Fatalf("MarshalText(%s): %v", s, err)
		}
		var got Decimal
		if err := got.UnmarshalText(text); err != nil {
			t.Fatalf("UnmarshalText(%s): %v", text, err)
		}
		if !got.Equal(d) || got.String() != string(text) {
			t.Errorf("text round trip of %s gave %s", s, got)
		}
	}

	d := MustParse("7")
	err := d.UnmarshalText([]byte("7,5"))
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) {
		t.Errorf("UnmarshalText(7,5) error = %v, want a *ParseError with ErrSyntax", err)
	}
	if d.String() != "7" {
		t.Errorf("failed UnmarshalText changed the value to %s", d)
	}
}

func TestJSON(t *testing.T) {
	type row struct{ Cost Decimal }
	b, err := json.Marshal(row{MustParse("1.81E-8")})
	if err != nil || string(b) != `{"Cost":"0.0000000181"}` {
		t.Fatalf("json.Marshal = %s, %v", b, err)
	}
	var r row
	if err := json.Unmarshal([]byte(`{"Cost":"2.5893953072562468e-05"}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.Cost.String() != "0.000025893953072562468" {
		t.Errorf("json.Unmarshal gave %s", r.Cost)
	}
}

// bigCost needs more than 128 bits, so apd keeps it in a heap big.Int that
// a copied Decimal shares: nothing may write through that pointer.
const bigCost = "123456789012345678901234567890123456789012345678901234567890.5"

func TestCopiesDoNotAlias(t *testing.T) {
	a := MustParse(bigCost)
	check := func(step string) {
		t.Helper()
		if a.String() != bigCost {
			t.Fatalf("after %s the original reads %s", step, a)
		}
	}
	b := a
	_ = b.Add(a)
	_ = b.Sub(MustParse("1"))
	_ = b.Neg()
	_, _ = b.Unscaled(1)
	_, _ = b.MarshalBinary()
	_ = b.String()
	check("operations on a copy")
	if err := b.UnmarshalText([]byte("1")); err != nil {
		t.Fatal(err)
	}
	check("UnmarshalText into a copy")
	b = a
	if err := b.UnmarshalBinary([]byte{1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}); err != nil {
		t.Fatal(err)
	}
	check("UnmarshalBinary into a copy")
	b = a
	b = b.Add(b)
	check("b = b.Add(b) on a copy")
}

// TestConcurrentReads shares one Decimal between goroutines; run with -race.
func TestConcurrentReads(t *testing.T) {
	shared := MustParse(bigCost)
	one := MustParse("1")
	want := shared.Add(one).String()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := shared.Add(one).String(); got != want {
					t.Errorf("concurrent Add gave %s, want %s", got, want)
					return
				}
				_ = shared.Cmp(one)
				_, _ = shared.MarshalBinary()
				_, _ = shared.Unscaled(2)
			}
		})
	}
	wg.Wait()
}

// TestBinary128: coefficients of 65 to 128 bits are written as math/big
// writes their magnitude.
func TestBinary128(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		x := new(big.Int).Lsh(new(big.Int).SetUint64(r.Uint64()>>r.IntN(64)|1), 64)
		x.Or(x, new(big.Int).SetUint64(r.Uint64()))
		s := x.String()
		if r.IntN(2) == 0 {
			s = "-" + s
		}
		exp := r.IntN(60) - 40
		d := MustParse(fmt.Sprintf("%se%d", s, exp))
		got, err := d.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		want := append([]byte{0}, binary.AppendVarint(nil, int64(d.Exponent()))...)
		if d.Sign() < 0 {
			want[0] = 1
		}
		want = append(want, x.Bytes()...)
		if !bytes.Equal(got, want) {
			t.Fatalf("MarshalBinary(%s) = % x, want % x", d, got, want)
		}
		var back Decimal
		if err := back.UnmarshalBinary(got); err != nil || !back.Equal(d) || back.Exponent() != d.Exponent() {
			t.Fatalf("round trip of %s: %s, %v", d, back, err)
		}
	}
}
