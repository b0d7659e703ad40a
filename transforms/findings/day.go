package findings

import (
	"slices"
	"time"
)

// validDay reports whether s is a date in the form YYYY-MM-DD.
func validDay(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// sortedDays returns the days of m in ascending order; YYYY-MM-DD sorts
// as text.
func sortedDays(m map[string]*cell) []string {
	days := make([]string, 0, len(m))
	for d := range m {
		days = append(days, d)
	}
	slices.Sort(days)
	return days
}

func minDay(m map[string]*cell) string {
	first := ""
	for d := range m {
		if first == "" || d < first {
			first = d
		}
	}
	return first
}

// daysInMonth returns the number of days of the month of day (YYYY-MM-DD).
func daysInMonth(day string) int {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return 30 // cannot happen: days are checked when added
	}
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// monthsBefore returns the day n calendar months before day, clamped to
// the end of a shorter month (2025-03-31 less one month is 2025-02-28).
func monthsBefore(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ""
	}
	y, m := t.Year(), t.Month()-time.Month(n)
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return time.Date(y, m, min(t.Day(), last), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}
