package findings

import (
	"math/big"
	"testing"
)

func TestToDecimal(t *testing.T) {
	tests := []struct {
		num, den int64
		want     string
	}{
		{0, 1, "0"},
		{216, 10, "21.6"},      // terminating: exact
		{1, 3, "0.3333333333"}, // rounded at 10 places
		{2, 3, "0.6666666667"}, // halves and above away from zero
		{-2, 3, "-0.6666666667"},
		{1, 1 << 20, "0.00000095367431640625"}, // 20 places, still exact
		{1, 7 * 1024, "0.0001395089"},
	}
	for _, tt := range tests {
		if got := toDecimal(big.NewRat(tt.num, tt.den)).String(); got != tt.want {
			t.Errorf("toDecimal(%d/%d) = %s, want %s", tt.num, tt.den, got, tt.want)
		}
	}
}

func TestMonthsBefore(t *testing.T) {
	tests := []struct {
		day  string
		n    int
		want string
	}{
		{"2025-06-30", 12, "2024-06-30"},
		{"2025-03-31", 1, "2025-02-28"},
		{"2024-03-31", 1, "2024-02-29"},
		{"2025-01-15", 13, "2023-12-15"},
	}
	for _, tt := range tests {
		if got := monthsBefore(tt.day, tt.n); got != tt.want {
			t.Errorf("monthsBefore(%s, %d) = %s, want %s", tt.day, tt.n, got, tt.want)
		}
	}
	if daysInMonth("2024-02-10") != 29 || daysInMonth("2025-07-31") != 31 {
		t.Error("daysInMonth")
	}
}
