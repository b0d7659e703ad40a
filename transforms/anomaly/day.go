package anomaly

import (
	"fmt"
	"time"
)

// Day is a UTC calendar day, counted from 1970-01-01 (day 0). Days are
// plain integers so that a series can be a slice indexed by day and the
// day before d is d-1.
type Day int32

// DayOf returns the UTC day of t.
func DayOf(t time.Time) Day {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d-- // floor, not truncation, before 1970
	}
	return Day(d)
}

// ParseDay parses a day written as YYYY-MM-DD, the form of usage_date in
// curpipe's totals.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("anomaly: day %q: %w", s, err)
	}
	return DayOf(t), nil
}

// MustParseDay is ParseDay for constants known to be valid; it panics on
// an error.
func MustParseDay(s string) Day {
	d, err := ParseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Time returns midnight UTC of d.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String returns d as YYYY-MM-DD.
func (d Day) String() string { return d.Time().Format(time.DateOnly) }

// Weekday returns d's day of the week.
func (d Day) Weekday() time.Weekday { return time.Weekday((int64(d)%7 + 7 + 4) % 7) } // 1970-01-01 was a Thursday

// MonthStart reports whether d is the first day of its month, the day
// AWS bills monthly fees, RI and Savings Plan fees, tax and support on.
func (d Day) MonthStart() bool { return d.Time().Day() == 1 }

// PrevMonthStart returns the first day of the month before d's month.
func (d Day) PrevMonthStart() Day {
	t := d.Time()
	return DayOf(time.Date(t.Year(), t.Month()-1, 1, 0, 0, 0, 0, time.UTC))
}
