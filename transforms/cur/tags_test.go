package cur

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestAppendObject(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Tag
	}{
		{"", nil},
		{"{}", nil},
		{" { } ", nil},
		{`{"a":"1"}`, []Tag{{"a", "1"}}},
		{"{\n \"a\" : \"1\" ,\t\"b\":null, \"c\":\"\"}", []Tag{{"a", "1"}, {"c", ""}}},
		{`{"k\u00e9y":"tab\u0009","q":"\"x\"\\"}`, []Tag{{"kéy", "tab\t"}, {"q", `"x"\`}}},
		{`{"n":-1.5e3,"t":false,"l":[1,"a"],"o":{"p":null}}`,
			[]Tag{{"n", "-1.5e3"}, {"t", "false"}, {"l", `[1,"a"]`}, {"o", `{"p":null}`}}},
		{`{"a":"1"`, []Tag{{"", `{"a":"1"`}}},
		{`{"a":"1"}x`, []Tag{{"", `{"a":"1"}x`}}},
		{`{"a":nul}`, []Tag{{"", `{"a":nul}`}}},
		{`{a:"1"}`, []Tag{{"", `{a:"1"}`}}},
		{`["a"]`, []Tag{{"", `["a"]`}}},
		{"{\"a\":\"x\ny\"}", []Tag{{"", "{\"a\":\"x\ny\"}"}}},
	} {
		got := appendObject(nil, tc.in)
		if len(got) == 0 {
			got = nil
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("appendObject(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// What came before stays.
	if got := appendObject([]Tag{{"x", "y"}}, `{"a":`); !reflect.DeepEqual(got, []Tag{{"x", "y"}, {"", `{"a":`}}) {
		t.Errorf("after a bad object: %q", got)
	}
}

// FuzzAppendObject: the scanner accepts exactly the JSON objects
// encoding/json accepts, and agrees with it on every string member.
func FuzzAppendObject(f *testing.F) {
	for _, s := range []string{`{"a":"1","b":null}`, `{"application": "Lens", "environment": "dev"}`,
		`{"k\u00e9y":"\"x\""}`, `{"n":1e5,"o":{"p":[true]}}`, `{"a":"1"`, `team=a`, `{}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if !utf8.ValidString(v) {
			return // encoding/json replaces what the scanner keeps as written
		}
		tags, ok := scanObject(nil, v)
		var m map[string]any
		jerr := json.Unmarshal([]byte(v), &m)
		if ok != (jerr == nil && m != nil) {
			t.Fatalf("scanObject(%q) ok = %v; encoding/json: %v", v, ok, jerr)
		}
		if !ok {
			return
		}
		for _, tag := range tags {
			want, present := m[tag.Key]
			if !present {
				t.Fatalf("scanObject(%q): key %q not in %v", v, tag.Key, m)
			}
			if s, isStr := want.(string); isStr && s != tag.Value && !dup(tags, tag.Key) {
				t.Fatalf("scanObject(%q): %q = %q, encoding/json says %q", v, tag.Key, tag.Value, s)
			}
		}
	})
}

// dup reports whether key occurs more than once: encoding/json keeps the
// last, the scanner every one.
func dup(tags []Tag, key string) bool {
	n := 0
	for _, t := range tags {
		if t.Key == key {
			n++
		}
	}
	return n > 1
}
