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

// Any day ParseDay accepts prints back as a string it parses to the same
// day, and a Day prints as what its time says.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2024-01-01", "1969-12-31", "0001-01-01", "9999-12-31", "2024-02-30", "", "2024-1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDay(s)
		if err != nil {
			return
		}
		back, err := ParseDay(d.String())
		if err != nil || back != d {
			t.Fatalf("%q: day %d prints %q, which parses to %d (%v)", s, d, d.String(), back, err)
		}
		if d.String() != d.Time().Format(time.DateOnly) || DayOf(d.Time()) != d {
			t.Fatalf("%q: %d and its time disagree", s, d)
		}
	})
}
