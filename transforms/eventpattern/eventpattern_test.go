package eventpattern

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMatch(t *testing.T) {
	event := string(ObjectCreated("123456789012", "us-east-1", "billing", "cur/daily/20240101-20240201/daily-Manifest.json"))
	tests := []struct {
		name, pattern string
		want          bool
	}{
		{"the template's rule", `{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":["billing"]},"object":{"key":[{"prefix":"cur/"}]}}}`, true},
		{"another bucket", `{"source":["aws.s3"],"detail":{"bucket":{"name":["other"]}}}`, false},
		{"another prefix", `{"detail":{"object":{"key":[{"prefix":"exports/"}]}}}`, false},
		{"deleted, not created", `{"detail-type":["Object Deleted"]}`, false},
		{"any of several values", `{"detail-type":["Object Deleted","Object Created"]}`, true},
		{"suffix", `{"detail":{"object":{"key":[{"suffix":"Manifest.json"}]}}}`, true},
		{"prefix, ignoring case", `{"detail":{"object":{"key":[{"prefix":{"equals-ignore-case":"CUR/"}}]}}}`, true},
		{"equals-ignore-case", `{"source":[{"equals-ignore-case":"AWS.S3"}]}`, true},
		{"wildcard", `{"detail":{"object":{"key":[{"wildcard":"cur/*/*-Manifest.json"}]}}}`, true},
		{"wildcard that does not match", `{"detail":{"object":{"key":[{"wildcard":"cur/*.csv.gz"}]}}}`, false},
		{"exists", `{"detail":{"reason":[{"exists":true}]}}`, true},
		{"exists false on a present field", `{"detail":{"reason":[{"exists":false}]}}`, false},
		{"exists false on a missing field", `{"detail":{"nothing":[{"exists":false}]}}`, true},
		{"anything-but a value", `{"detail":{"reason":[{"anything-but":"CopyObject"}]}}`, true},
		{"anything-but the value", `{"detail":{"reason":[{"anything-but":["PutObject","CopyObject"]}]}}`, false},
		{"anything-but a prefix", `{"detail":{"object":{"key":[{"anything-but":{"prefix":"cur/"}}]}}}`, false},
		{"a number", `{"detail":{"object":{"size":[1024]}}}`, true},
		{"a number as a string", `{"detail":{"object":{"size":["1024"]}}}`, false},
		{"an event array: any element", `{"resources":["arn:aws:s3:::billing"]}`, true},
		{"a missing field", `{"detail":{"nothing":["x"]}}`, false},
		{"an object where the event has a string", `{"source":{"x":["y"]}}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Match([]byte(tc.pattern), []byte(event))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMatchErrors(t *testing.T) {
	event := ObjectCreated("1", "us-east-1", "b", "k")
	for _, tc := range []struct{ pattern, want string }{
		{`{"detail":{"object":{"size":[{"numeric":[">",0]}]}}}`, "detail.object.size: unsupported pattern filter \"numeric\""},
		{`{"source":"aws.s3"}`, "source: a pattern field must be an object or an array"},
		{`{"source":[{"prefix":"a","suffix":"b"}]}`, "source: a filter holds one operator, not 2"},
		{`{"source":[{"prefix":3}]}`, "source: prefix wants a string"},
		{`not json`, "pattern:"},
	} {
		_, err := Match([]byte(tc.pattern), event)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Match(%s) = %v, want an error containing %q", tc.pattern, err, tc.want)
		}
	}
	if _, err := Match([]byte(`{"a":[{"cidr":"10.0.0.0/8"}]}`), []byte(`{"a":"10.1.2.3"}`)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("cidr: %v, want ErrUnsupported", err)
	}
}

func TestWildcard(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"a*", "abc", true},
		{"*c", "abc", true},
		{"a*c", "ac", true},
		{"a*c", "ab", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXcYb", false},
		{"ab*ba", "aba", false},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
	} {
		if got := Wildcard(tc.pattern, tc.s); got != tc.want {
			t.Errorf("Wildcard(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// FuzzMatch: any pattern and event, valid JSON or not, give an answer or
// an error, never a panic; and a pattern of an event's own key prefix
// always matches it.
func FuzzMatch(f *testing.F) {
	f.Add(`{"source":["aws.s3"],"detail":{"object":{"key":[{"prefix":"cur/"}]}}}`, "cur/x")
	f.Add(`{"a":[{"wildcard":"*x*"}],"b":[{"exists":false}]}`, "k")
	f.Add(`{"a":[{"anything-but":{"prefix":""}}]}`, "")
	f.Fuzz(func(t *testing.T, pattern, key string) {
		event := ObjectCreated("1", "us-east-1", "b", key)
		Match([]byte(pattern), event)
		Match(event, []byte(pattern))
		prefix := key[:len(key)/2]
		if !utf8.ValidString(key) || !utf8.ValidString(prefix) {
			return // JSON carries text: invalid UTF-8 comes back as U+FFFD
		}
		p := `{"detail":{"object":{"key":[{"prefix":` + quote(prefix) + `}]}}}`
		if ok, err := Match([]byte(p), event); err == nil && !ok {
			t.Errorf("the key %q does not match its own prefix %q", key, prefix)
		}
		if !Wildcard(strings.ReplaceAll(strings.ReplaceAll(key, `\`, `\\`), "*", `\*`), key) {
			t.Errorf("the key %q does not match itself as a wildcard", key)
		}
	})
}

func quote(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, []byte(`\u00`)...)
			b = append(b, "0123456789abcdef"[r>>4], "0123456789abcdef"[r&15])
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}
