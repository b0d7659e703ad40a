package decimal

import (
	"encoding"
	"errors"
	"math/big"
	"strings"
	"testing"
)

var (
	_ encoding.TextMarshaler     = Decimal{}
	_ encoding.TextUnmarshaler   = (*Decimal)(nil)
	_ encoding.BinaryMarshaler   = Decimal{}
	_ encoding.BinaryAppender    = Decimal{}
	_ encoding.BinaryUnmarshaler = (*Decimal)(nil)
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in, want string
		exp            int32
	}{
		{"zero", "0", "0", 0},
		{"zero with fraction", "0.0", "0", -1},
		{"negative zero", "-0.0", "0", -1},
		{"negative zero with exponent", "-0e5", "0", 5},
		{"zeros", "0.000", "0", -3},
		{"plus sign", "+5", "5", 0},
		{"trailing point", "1.", "1", 0},
		{"leading point", ".5", "0.5", -1},
		{"signed leading point", "-.5", "-0.5", -1},
		{"leading zeros", "007.00", "7", -2},
		{"trailing fractional zero", "12.50", "12.5", -2},
		{"integer trailing zeros kept", "1500", "1500", 0},
		{"java double", "1.6475682491", "1.6475682491", -10},
		{"java double zero", "0.0", "0", -1},
		{"upper E", "1.81E-8", "0.0000000181", -10},
		{"lower e padded exponent", "2.5893953072562468e-05", "0.000025893953072562468", -21},
		{"plus exponent", "1e+3", "1000", 3},
		{"upper E positive", "1E3", "1000", 3},
		{"negative scientific", "-1.5E+2", "-150", 1},
		{"exponent leading zeros", "1e0000000000003", "1000", 3},
		{"max uint64 digits", "9999999999999999999", "9999999999999999999", 0},
		{"20-digit mantissa", "1.2345678901234567890E-3", "0.001234567890123456789", -22},
		{"20 nines", "99999999999999999999", "99999999999999999999", 0},
		{"2^64", "18446744073709551616", "18446744073709551616", 0},
		{"20 fractional digits", "0.12345678901234567890", "0.1234567890123456789", -20},
		{"38 nines", "9999999999999999999.9999999999999999999", "9999999999999999999.9999999999999999999", -19},
		{"38 digits split late", "12345678901234567890123456789.012345678", "12345678901234567890123456789.012345678", -9},
		{"38 digits split early", "-1.2345678901234567890123456789012345678e5", "-123456.78901234567890123456789012345678", -32},
		{"39 digits", "340282366920938463463374607431768211456", "340282366920938463463374607431768211456", 0},
		{"long fraction", "-123456789012345678901234567890.123456789", "-123456789012345678901234567890.123456789", -9},
		{"leading zeros long", "0.000000000000000000000000000000123456789012345678901", "0.000000000000000000000000000000123456789012345678901", -51},
		{"max exponent", "1e1000", "1" + zeros(1000), 1000},
		{"max magnitude", "9." + zeros(999) + "9e1000", "9" + zeros(999) + "9", 0},
		{"min exponent", "1e-1000", "0." + zeros(999) + "1", -1000},
		{"zero at max exponent", "0e1000", "0", 1000},
		{"zero at min exponent", "0e-1000", "0", -1000},
		{"leading zeros do not count", zeros(5000) + "1", "1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := d.String(); got != tt.want {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			if got := d.Exponent(); got != tt.exp {
				t.Errorf("Parse(%q).Exponent() = %d, want %d", tt.in, got, tt.exp)
			}
			if d.IsZero() && d.v.Negative {
				t.Errorf("Parse(%q) kept a negative zero", tt.in)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		err      error
	}{
		{"empty", "", ErrSyntax},
		{"space", " ", ErrSyntax},
		{"leading space", " 1", ErrSyntax},
		{"trailing space", "1 ", ErrSyntax},
		{"tab", "\t1", ErrSyntax},
		{"newline", "1\n", ErrSyntax},
		{"CR", "1\r", ErrSyntax},
		{"NUL", "1\x00", ErrSyntax},
		{"sign only", "+", ErrSyntax},
		{"minus only", "-", ErrSyntax},
		{"point only", ".", ErrSyntax},
		{"signed point", "-.", ErrSyntax},
		{"no mantissa", "e5", ErrSyntax},
		{"point exponent", ".e5", ErrSyntax},
		{"empty exponent", "1e", ErrSyntax},
		{"signed empty exponent", "1e+", ErrSyntax},
		{"two points", "1.2.3", ErrSyntax},
		{"two exponents", "1e5e5", ErrSyntax},
		{"fractional exponent", "1e5.5", ErrSyntax},
		{"double sign", "--1", ErrSyntax},
		{"mixed signs", "+-1", ErrSyntax},
		{"exponent double sign", "1e--5", ErrSyntax},
		{"NaN", "NaN", ErrSyntax},
		{"nan", "nan", ErrSyntax},
		{"sNaN", "sNaN", ErrSyntax},
		{"Inf", "Inf", ErrSyntax},
		{"Infinity", "-Infinity", ErrSyntax},
		{"hex", "0x10", ErrSyntax},
		{"hex float", "0x1p-2", ErrSyntax},
		{"binary exponent", "1p5", ErrSyntax},
		{"underscore", "1_000", ErrSyntax},
		{"comma", "1,000", ErrSyntax},
		{"quoted", `"1"`, ErrSyntax},
		{"NULL", "NULL", ErrSyntax},
		{"currency", "$1", ErrSyntax},
		{"fraction", "1/2", ErrSyntax},
		{"arabic digit", "١", ErrSyntax},
		{"fullwidth digit", "１", ErrSyntax},
		{"syntax beats range", "1e99999999999x", ErrSyntax},
		{"exponent too large", "1e1001", ErrRange},
		{"magnitude too large", "10e1000", ErrRange},
		{"digits too many", "1" + zeros(1001), ErrRange},
		{"exponent too small", "1e-1001", ErrRange},
		{"fraction too long", "0." + zeros(1000) + "1", ErrRange},
		{"trailing zeros count", "1." + zeros(1001), ErrRange},
		{"scaled below", "0.1e-1000", ErrRange},
		{"zero above", "0e1001", ErrRange},
		{"zero below", "0e-1001", ErrRange},
		{"hostile", "1e999999999", ErrRange},
		{"beyond int32", "1e99999999999999999999", ErrRange},
		{"beyond int32 negative", "-1E-99999999999999999999", ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %T is not a *ParseError", tt.in, err)
			}
			if pe.Num != tt.in {
				t.Errorf("ParseError.Num = %q, want %q", pe.Num, tt.in)
			}
			if !d.IsZero() {
				t.Errorf("Parse(%q) returned %v with its error, want 0", tt.in, d)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse("1,5")
	if got, want := err.Error(), `decimal: parsing "1,5": invalid syntax`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestZeroValue(t *testing.T) {
	var z Decimal
	if z.String() != "0" || !z.IsZero() || z.Sign() != 0 || z.Exponent() != 0 {
		t.Errorf("zero value: String %q IsZero %v Sign %d Exponent %d", z, z.IsZero(), z.Sign(), z.Exponent())
	}
	if !z.Equal(MustParse("0.00")) {
		t.Error("zero value does not equal 0.00")
	}
	if got := z.Add(MustParse("1.5")).String(); got != "1.5" {
		t.Errorf("0 + 1.5 = %s", got)
	}
}

func TestNegativeZero(t *testing.T) {
	zero := MustParse("0")
	tests := []struct {
		name string
		d    Decimal
	}{
		{"parsed", MustParse("-0.0")},
		{"parsed with exponent", MustParse("-0e-7")},
		{"negated", zero.Neg()},
		{"sum of negative zeros", MustParse("-0").Add(MustParse("-0.00"))},
		{"difference", MustParse("-1.5").Sub(MustParse("-1.50"))},
		{"sum to zero", MustParse("-1.81E-8").Add(MustParse("0.0000000181"))},
		{"negated difference", MustParse("2").Sub(MustParse("2")).Neg()},
		{"decoded", decode(t, []byte{1, 0})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d
			if d.String() != "0" || d.Sign() != 0 || !d.IsZero() || d.Cmp(zero) != 0 || !d.Equal(zero) {
				t.Errorf("String %q Sign %d IsZero %v Cmp(0) %d", d, d.Sign(), d.IsZero(), d.Cmp(zero))
			}
			if d.v.Negative {
				t.Error("negative zero leaked into the value")
			}
			if b, _ := d.MarshalBinary(); b[0] != 0 {
				t.Errorf("binary form % x has a sign", b)
			}
			if got := d.Neg().String(); got != "0" {
				t.Errorf("Neg() = %q", got)
			}
		})
	}
}

func TestString(t *testing.T) {
	// Values computed rather than parsed, so their exponents are not as written.
	tests := []struct {
		name string
		d    Decimal
		want string
	}{
		{"positive exponent sum", MustParse("1e3").Add(MustParse("5e2")), "1500"},
		{"fraction zeros from sum", MustParse("0.25").Add(MustParse("0.75")), "1"},
		{"partial trailing zeros", MustParse("0.125").Add(MustParse("0.375")), "0.5"},
		{"negative tiny", MustParse("-1.81E-8"), "-0.0000000181"},
		{"negative integer", MustParse("-12").Sub(MustParse("0.0")), "-12"},
		{"large exponent, no E", MustParse("1.5e20"), "150000000000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got, _ := tt.d.MarshalText(); string(got) != tt.want {
				t.Errorf("MarshalText() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAddSub(t *testing.T) {
	tests := []struct {
		name, a, b, sum, diff string
	}{
		{"classic float trap", "0.1", "0.2", "0.3", "-0.1"},
		{"far exponents", "1e-30", "1e20",
			"100000000000000000000.000000000000000000000000000001",
			"-99999999999999999999.999999999999999999999999999999"},
		{"cur notations", "1.81E-8", "2.5893953072562468e-05",
			"0.000025912053072562468", "-0.000025875853072562468"},
		{"opposites", "-5", "5", "0", "-10"},
		{"carry past 20 digits", "99999999999999999999", "1", "100000000000000000000", "99999999999999999998"},
		{"carry past uint64", "18446744073709551615", "1", "18446744073709551616", "18446744073709551614"},
		{"equal values, different exponents", "1.50", "-1.5", "0", "3"},
		{"bound to bound", "1e1000", "1e-1000", "1" + zeros(1000) + "." + zeros(999) + "1", "9" + strings.Repeat("9", 999) + "." + strings.Repeat("9", 1000)},
		{"carry past max magnitude", "9e1000", "9e1000", "18" + zeros(1000), "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := MustParse(tt.a), MustParse(tt.b)
			if got := a.Add(b).String(); got != tt.sum {
				t.Errorf("%s + %s = %s, want %s", tt.a, tt.b, got, tt.sum)
			}
			if got := b.Add(a).String(); got != tt.sum {
				t.Errorf("%s + %s = %s, want %s", tt.b, tt.a, got, tt.sum)
			}
			if got := a.Sub(b).String(); got != tt.diff {
				t.Errorf("%s - %s = %s, want %s", tt.a, tt.b, got, tt.diff)
			}
			if !a.Add(b).Sub(b).Equal(a) {
				t.Errorf("%s + %s - %s != %s", tt.a, tt.b, tt.b, tt.a)
			}
			if !a.Equal(MustParse(tt.a)) || !b.Equal(MustParse(tt.b)) {
				t.Error("an operand changed")
			}
		})
	}
}

func TestLongSums(t *testing.T) {
	var sum Decimal
	tenth := MustParse("0.1")
	for range 10000 {
		sum = sum.Add(tenth)
	}
	if !sum.Equal(MustParse("1000")) || sum.String() != "1000" {
		t.Errorf("0.1 summed 10000 times = %s, want 1000", sum)
	}
	for range 10000 {
		sum = sum.Sub(tenth)
	}
	if !sum.IsZero() {
		t.Errorf("and subtracted back = %s, want 0", sum)
	}

	// A cost file's mix of notations, checked against big.Rat.
	values := []string{"0.0000123", "1.6475682491", "1.81E-8", "2.5893953072562468e-05", "12.5", "-0.0", "-3.2E-11", "1.2345678901234567890E-3"}
	var want big.Rat
	sum = Decimal{}
	for i := range 30000 {
		s := values[i%len(values)]
		sum = sum.Add(MustParse(s))
		r, _ := new(big.Rat).SetString(s)
		want.Add(&want, r)
	}
	if got := ratOf(sum); got.Cmp(&want) != 0 {
		t.Errorf("mixed sum = %s, want %s", sum, want.FloatString(40))
	}
}

func TestCmp(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.5", "1.50", 0},
		{"-0", "0", 0},
		{"1e3", "1000", 0},
		{"1e-30", "0", 1},
		{"-1e-30", "0", -1},
		{"2", "10", -1},
		{"-2", "-10", 1},
		{"1e20", "99999999999999999999", 1},
		{"0.1", "0.0999999999999999999999999", 1},
		{"1.81E-8", "0.0000000181", 0},
		{"-1e1000", "1e-1000", -1},
	}
	for _, tt := range tests {
		a, b := MustParse(tt.a), MustParse(tt.b)
		if got := a.Cmp(b); got != tt.want {
			t.Errorf("Cmp(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := b.Cmp(a); got != -tt.want {
			t.Errorf("Cmp(%s, %s) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
		if got := a.Equal(b); got != (tt.want == 0) {
			t.Errorf("Equal(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

func TestUnscaled(t *testing.T) {
	tests := []struct {
		in    string
		scale int32
		want  string // "" when not representable
	}{
		{"12.5", 2, "1250"},
		{"12.5", 1, "125"},
		{"12.5", 0, ""},
		{"12.50", 1, "125"},
		{"1.81E-8", 10, "181"},
		{"-0.0000000181", 10, "-181"},
		{"-0.0000000181", 9, ""},
		{"-12.5", 3, "-12500"},
		{"1e3", 0, "1000"},
		{"1e3", -3, "1"},
		{"1e3", -4, ""},
		{"1500", -2, "15"},
		{"-1500", -3, ""},
		{"0", 5, "0"},
		{"0.000", 0, "0"},
		{"-0.0", -2, "0"},
		{"123456789012345678901234567890.123", 3, "123456789012345678901234567890123"},
		{"123456789012345678901234567890.123", 2, ""},
		{"-1e-30", 30, "-1"},
		{"1e-1000", 1000, "1"},
		{"1e-1000", 999, ""},
		{"1", -2147483648, ""},
	}
	for _, tt := range tests {
		d := MustParse(tt.in)
		c, ok := d.Unscaled(tt.scale)
		if ok != (tt.want != "") {
			t.Errorf("Unscaled(%s, %d) ok = %v, want %v", tt.in, tt.scale, ok, !ok)
			continue
		}
		if ok && c.String() != tt.want {
			t.Errorf("Unscaled(%s, %d) = %s, want %s", tt.in, tt.scale, c, tt.want)
		}
		if ok {
			c.SetInt64(7) // the caller owns c
			if !d.Equal(MustParse(tt.in)) {
				t.Errorf("changing Unscaled's result changed %s", tt.in)
			}
		}
	}
}
