package anomaly

import (
	"testing"
	"time"
)

func TestDay(t *testing.T) {
	for _, tt := range []struct {
		s          string
		weekday    time.Weekday
		monthStart bool
		prevStart  string
	}{
		{"1970-01-01", time.Thursday, true, "1969-12-01"},
		{"1969-12-31", time.Wednesday, false, "1969-11-01"},
		{"2024-01-01", time.Monday, true, "2023-12-01"},
		{"2024-02-29", time.Thursday, false, "2024-01-01"},
		{"2024-03-01", time.Friday, true, "2024-02-01"},
		{"2024-06-28", time.Friday, false, "2024-05-01"},
	} {
		d, err := ParseDay(tt.s)
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != tt.s || d.Weekday() != tt.weekday || d.MonthStart() != tt.monthStart || d.PrevMonthStart().String() != tt.prevStart {
			t.Errorf("%s: %s %v %v %s, want %s %v %v %s", tt.s, d, d.Weekday(), d.MonthStart(), d.PrevMonthStart(),
				tt.s, tt.weekday, tt.monthStart, tt.prevStart)
		}
		if got := DayOf(d.Time().Add(23 * time.Hour)); got != d {
			t.Errorf("%s: DayOf its last hour is %s", tt.s, got)
		}
	}
	if _, err := ParseDay("2024-02-30"); err == nil {
		t.Error("ParseDay(2024-02-30) did not fail")
	}
}
