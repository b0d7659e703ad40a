package decimal

import "testing"

func TestRound(t *testing.T) {
	for _, tc := range []struct {
		in     string
		places int32
		want   string
	}{
		{"1234.5678", 2, "1234.57"},
		{"0.125", 2, "0.13"},
		{"-0.125", 2, "-0.13"},
		{"0.124999", 2, "0.12"},
		{"2.5", 0, "3"},
		{"-2.5", 0, "-3"},
		{"1.2", 2, "1.2"}, // fewer places than asked: unchanged
		{"99.995", 2, "100"},
		{"0.004", 2, "0"},
		{"-0.004", 2, "0"},
		{"1234", -2, "1200"},
		{"1.81E-8", 4, "0"},
		{"123456789012345678901234567890.123456789", 3, "123456789012345678901234567890.123"},
		{"0", 2, "0"},
	} {
		got := MustParse(tc.in).Round(tc.places)
		if want := MustParse(tc.want); !got.Equal(want) || got.String() != want.String() {
			t.Errorf("Round(%s, %d) = %s, want %s", tc.in, tc.places, got, tc.want)
		}
	}
}
