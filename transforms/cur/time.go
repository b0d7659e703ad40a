package cur

import (
	"errors"
	"time"
)

var errTime = errors.New("not a timestamp")

// ParseTime parses the timestamps billing exports write, all as UTC unless
// they carry an offset:
//
//	2023-11-01T00:00:00Z        (CUR documentation)
//	2023-11-01T00:00:00.000Z    (CUR files in practice)
//	2018-06-01 00:00:00         (tools that drop the zone)
//	2022-07-01 00:00:00.000
//	2024-09-01T00:00:00+02:00   (FOCUS)
//	2024-09-01                  (a date alone)
//
// The separator may be 'T' or a space and the zone 'Z', 'z', or ±hh:mm.
// Fractional seconds may have any number of digits; digits past the
// nanosecond are dropped, as time.Parse does. Fields out of range (hour 24,
// second 60, February 30, offset +24:00) are errors, never normalized into
// the next minute or day.
//
// A fixed-position parser: this runs once or twice per line item.
func ParseTime(s string) (time.Time, error) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, errTime
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) {
		return time.Time{}, errTime
	}
	if len(s) == 10 {
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), nil
	}
	if len(s) < 19 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, errTime
	}
	hour, ok1 := digits(s[11:13])
	minute, ok2 := digits(s[14:16])
	sec, ok3 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, errTime
	}
	rest := s[19:]
	nanos := 0
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		scale := 100000000
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			nanos += int(rest[i]-'0') * scale // scale reaches 0 past nine digits
			scale /= 10
		}
		if i == 1 {
			return time.Time{}, errTime
		}
		rest = rest[i:]
	}
	offset := 0
	switch {
	case rest == "" || rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		h, ok1 := digits(rest[1:3])
		m, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || h > 23 || m > 59 {
			return time.Time{}, errTime
		}
		offset = (h*60 + m) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, errTime
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), nil
}

// daysIn returns the number of days of month m in year y, so that dates
// are checked before time.Date can normalize them into the next month.
func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
