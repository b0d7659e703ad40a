package cur

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
		day  string // the UTC usage day
	}{
		// Every form in the doc comment.
		{"2023-11-01T00:00:00Z", utc(2023, 11, 1, 0, 0, 0, 0), "2023-11-01"},
		{"2023-11-01T00:00:00.000Z", utc(2023, 11, 1, 0, 0, 0, 0), "2023-11-01"},
		{"2018-06-01 00:00:00", utc(2018, 6, 1, 0, 0, 0, 0), "2018-06-01"},
		{"2022-07-01 00:00:00.000", utc(2022, 7, 1, 0, 0, 0, 0), "2022-07-01"},
		{"2024-09-01T00:00:00+02:00", utc(2024, 8, 31, 22, 0, 0, 0), "2024-08-31"},
		{"2024-09-01", utc(2024, 9, 1, 0, 0, 0, 0), "2024-09-01"},
		// Offsets move the UTC day both ways.
		{"2024-09-01T01:59:59+02:00", utc(2024, 8, 31, 23, 59, 59, 0), "2024-08-31"},
		{"2024-09-01T02:00:00+02:00", utc(2024, 9, 1, 0, 0, 0, 0), "2024-09-01"},
		{"2024-08-31T23:30:00-01:00", utc(2024, 9, 1, 0, 30, 0, 0), "2024-09-01"},
		{"2024-01-01T00:59:59+01:00", utc(2023, 12, 31, 23, 59, 59, 0), "2023-12-31"},
		{"2024-03-01T00:00:00+00:00", utc(2024, 3, 1, 0, 0, 0, 0), "2024-03-01"},
		{"2024-03-01T00:00:00-00:00", utc(2024, 3, 1, 0, 0, 0, 0), "2024-03-01"},
		{"2024-03-01T10:00:00+05:45", utc(2024, 3, 1, 4, 15, 0, 0), "2024-03-01"},
		{"2024-03-01T10:00:00+23:59", utc(2024, 2, 29, 10, 1, 0, 0), "2024-02-29"},
		// Fractional seconds.
		{"2023-11-01T12:34:56.5Z", utc(2023, 11, 1, 12, 34, 56, 500000000), "2023-11-01"},
		{"2023-11-01T12:34:56.123456Z", utc(2023, 11, 1, 12, 34, 56, 123456000), "2023-11-01"},
		{"2023-11-01T12:34:56.123456789Z", utc(2023, 11, 1, 12, 34, 56, 123456789), "2023-11-01"},
		{"2023-11-01T12:34:56.1234567891Z", utc(2023, 11, 1, 12, 34, 56, 123456789), "2023-11-01"}, // truncated, as time.Parse does
		{"2023-11-01 12:34:56.999", utc(2023, 11, 1, 12, 34, 56, 999000000), "2023-11-01"},
		{"2023-11-01T12:34:56.25+01:00", utc(2023, 11, 1, 11, 34, 56, 250000000), "2023-11-01"},
		// Day boundaries.
		{"2023-12-31T23:59:59.999999999Z", utc(2023, 12, 31, 23, 59, 59, 999999999), "2023-12-31"},
		{"2024-01-01T00:00:00Z", utc(2024, 1, 1, 0, 0, 0, 0), "2024-01-01"},
		{"2024-02-29", utc(2024, 2, 29, 0, 0, 0, 0), "2024-02-29"},
		{"2000-02-29T23:59:59Z", utc(2000, 2, 29, 23, 59, 59, 0), "2000-02-29"},
		{"2023-04-30T23:59:59Z", utc(2023, 4, 30, 23, 59, 59, 0), "2023-04-30"},
		{"2023-01-31", utc(2023, 1, 31, 0, 0, 0, 0), "2023-01-31"},
		// RFC 3339 allows lower-case t and z.
		{"2023-11-01t00:00:00z", utc(2023, 11, 1, 0, 0, 0, 0), "2023-11-01"},
		{"2023-11-01 00:00:00Z", utc(2023, 11, 1, 0, 0, 0, 0), "2023-11-01"},
	}
	for _, tc := range tests {
		got, err := ParseTime(tc.in)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tc.in, err)
			continue
		}
		if !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, want %v", tc.in, got, tc.want)
		}
		if d := got.Format(time.DateOnly); d != tc.day {
			t.Errorf("ParseTime(%q) day = %s, want %s", tc.in, d, tc.day)
		}
	}
}

func TestParseTimeInvalid(t *testing.T) {
	for _, in := range []string{
		// Dates that do not exist: never normalized into the next month.
		"2023-02-29", "2023-02-30", "2023-02-30T00:00:00Z", "1900-02-29", "2023-04-31", "2023-06-31 00:00:00",
		"2023-13-01", "2023-13-01T00:00:00Z", "2023-00-10", "2023-11-00", "2023-11-32",
		// Times that do not exist: never normalized into the next minute or day.
		"2023-11-01T24:00:00Z", "2023-11-01T23:60:00Z", "2023-11-01T12:00:60Z", "2023-11-01T23:59:60Z",
		"2023-11-01T00:00:00+24:00", "2023-11-01T00:00:00+02:60", "2023-11-01T00:00:00+99:99",
		// Garbage and near misses.
		"", "garbage", "NULL", "2023", "2023-11", "2023/11/01", "2023-1-01", "23-11-01", " 2023-11-01",
		"2023-11-01 ", "2023-11-01T", "2023-11-01T00:00", "2023-11-01T00:00Z", "2023-11-01T00:00:00.",
		"2023-11-01T00:00:00.Z", "2023-11-01T00:00:00.x", "2023-11-01T00:00:00+0200", "2023-11-01T00:00:00+02",
		"2023-11-01T00:00:00 UTC", "2023-11-01T00:00:00ZZ", "2023-11-01T00:00:00Z ", "2023-11-01X00:00:00Z",
		"2023-11-01T0a:00:00Z", "+023-11-01", "-023-11-01", "2023-+1-01", "20231101T000000.000Z",
		"２０２３-11-01", "2023-11-01T00:00:00.000Zjunk", "2023-11-01T00:00:00,5Z", "1.81E-8",
	} {
		if got, err := ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", in, got)
		}
	}
}

// parseTimeForms are the forms ParseTime accepts, as a pattern: date, then
// optionally the time with its separator, fraction and zone.
var parseTimeForms = regexp.MustCompile(
	`^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:([Tt ])([0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?$`)

// asRFC3339 rewrites a string of one of ParseTime's forms into the RFC
// 3339 form time.Parse reads: upper-case T and Z, a time and a zone.
func asRFC3339(s string) (string, bool) {
	m := parseTimeForms.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	date, clock, frac, zone := m[1], m[3], m[4], strings.ToUpper(m[5])
	if clock == "" {
		clock = "00:00:00"
	}
	if zone == "" {
		zone = "Z"
	}
	return date + "T" + clock + frac + zone, true
}

// FuzzParseTime checks that ParseTime never panics, returns UTC, accepts
// only strings of its documented forms, and agrees with time.Parse on
// every string it accepts. (time.Parse is laxer in places, offsets up to
// +24:60 for one, so the converse does not hold.)
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2023-11-01T00:00:00Z", "2023-11-01T00:00:00.000Z", "2018-06-01 00:00:00", "2022-07-01 00:00:00.000",
		"2024-09-01T00:00:00+02:00", "2024-09-01", "2023-02-30", "2023-11-01T24:00:00Z", "2023-11-01T12:00:60Z",
		"2023-11-01T00:00:00+24:00", "2023-11-01T12:34:56.1234567891Z", "2023-11-01t00:00:00z", "0000-01-01",
		"9999-12-31T23:59:59.999999999-23:59", "garbage", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s)
		if err != nil {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseTime(%q) = %v, not in UTC", s, got)
		}
		r, ok := asRFC3339(s)
		if !ok {
			t.Fatalf("ParseTime(%q) = %v, but that is none of its documented forms", s, got)
		}
		want, err := time.Parse(time.RFC3339Nano, r)
		if err != nil {
			t.Fatalf("ParseTime(%q) = %v, but time.Parse(%q): %v", s, got, r, err)
		}
		if !got.Equal(want) {
			t.Fatalf("ParseTime(%q) = %v, time.Parse(%q) = %v", s, got, r, want)
		}
	})
}
