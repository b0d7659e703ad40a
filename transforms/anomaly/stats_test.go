package anomaly

import (
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
)

func TestHalfAndPercent(t *testing.T) {
	for _, tt := range []struct{ x, half string }{
		{"0", "0"}, {"3", "1.5"}, {"-0.01", "-0.005"}, {"1E+3", "500"}, {"0.000025912053072562468", "0.000012956026536281234"},
	} {
		if got := half(decimal.MustParse(tt.x)); !got.Equal(decimal.MustParse(tt.half)) {
			t.Errorf("half(%s) = %s, want %s", tt.x, got, tt.half)
		}
	}
	for _, tt := range []struct{ part, whole, want string }{
		{"1", "3", "33.33"}, {"2", "3", "66.67"}, {"-2", "3", "-66.67"}, {"1", "-3", "33.33"},
		{"0.005", "1", "0.5"}, {"0.00005", "1", "0.01"}, {"-0.00005", "1", "-0.01"}, {"1400", "3000", "46.67"},
	} {
		got, ok := percentOf(decimal.MustParse(tt.part), decimal.MustParse(tt.whole))
		if !ok || !got.Equal(decimal.MustParse(tt.want)) {
			t.Errorf("percentOf(%s, %s) = %s, want %s", tt.part, tt.whole, got, tt.want)
		}
	}
	if _, ok := percentOf(decimal.MustParse("5"), decimal.Decimal{}); ok {
		t.Error("a percentage of zero")
	}
}

func TestMedianOf(t *testing.T) {
	s := NewSeries(ec2, jan1)
	// Figures that differ beyond a float64's precision still order exactly.
	for i, v := range []string{"1.0000000000000000001", "1.0000000000000000003", "1.0000000000000000002", "7"} {
		if err := s.Set(jan1+Day(i), decimal.MustParse(v)); err != nil {
			t.Fatal(err)
		}
	}
	if got := medianOf(s, []Day{jan1, jan1 + 1, jan1 + 2}); !got.Equal(decimal.MustParse("1.0000000000000000002")) {
		t.Errorf("median of three: %s", got)
	}
	if got := medianOf(s, []Day{jan1, jan1 + 1, jan1 + 2, jan1 + 3}); !got.Equal(decimal.MustParse("1.00000000000000000025")) {
		t.Errorf("median of four: %s", got)
	}
}
