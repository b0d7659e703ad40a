package cur

import (
	"encoding/json"
	"strings"
)

// Tag is one cost allocation tag of a line item, its key as the export
// names it: "user:team" from CUR 1.0's resourceTags/user:team column,
// "user_team" from CUR 2.0's resource_tags map or Athena's
// resource_tags_user_team column, FOCUS Tags keys as written.
type Tag struct {
	Key, Value string
}

// tagColumn is one of CUR 1.0's per-tag columns.
type tagColumn struct {
	column string // the header's spelling, to select
	key    string
}

// tagColumns finds CUR 1.0's tag columns: resourceTags/<key> in CSV,
// resource_tags_<key> in the Athena Parquet, whose key is already snake
// case as CUR 2.0's map keys are. The first spelling of a key wins, as
// for the other columns.
func tagColumns(header []string) []tagColumn {
	var tags []tagColumn
	seen := make(map[string]bool)
	for _, h := range header {
		t := strings.TrimSpace(h)
		key, ok := strings.CutPrefix(t, "resourceTags/")
		if !ok {
			key, ok = strings.CutPrefix(t, "resource_tags_")
		}
		if !ok || key == "" || seen[key] {
			continue
		}
		seen[key] = true
		tags = append(tags, tagColumn{column: h, key: key})
	}
	return tags
}

// appendObject appends the members of v, a JSON object of tags (CUR 2.0's
// resource_tags map as the reader renders it, FOCUS Tags), to tags. A string value is unquoted; a null one is dropped, as a blank tag
// column is; any other value is kept as its JSON text. A value that is not
// a JSON object is kept whole under the empty key, so that nothing the
// export wrote is lost unseen.
func appendObject(tags []Tag, v string) []Tag {
	if v == "" || v == "{}" {
		return tags
	}
	n := len(tags)
	if out, ok := scanObject(tags, v); ok {
		return out
	}
	return append(tags[:n], Tag{Value: v})
}

// scanObject appends the members of the JSON object v to out. ok is false
// when v is not one JSON object.
func scanObject(out []Tag, v string) (_ []Tag, ok bool) {
	s := jsonScanner{s: v}
	if !s.skip('{') {
		return out, false
	}
	if s.skip('}') {
		return out, s.end()
	}
	for {
		key, ok := s.str()
		if !ok || !s.skip(':') {
			return out, false
		}
		val, isNull, ok := s.value()
		if !ok {
			return out, false
		}
		if !isNull {
			out = append(out, Tag{Key: key, Value: val})
		}
		if s.skip(',') {
			continue
		}
		return out, s.skip('}') && s.end()
	}
}

// jsonScanner reads the flat JSON objects that tags are. Strings without escapes, nearly all of them, are sliced from the
// input; encoding/json decodes the rest and validates nested values.
type jsonScanner struct {
	s string
	i int
}

func (s *jsonScanner) space() {
	for s.i < len(s.s) && (s.s[s.i] == ' ' || s.s[s.i] == '\t' || s.s[s.i] == '\n' || s.s[s.i] == '\r') {
		s.i++
	}
}

// skip consumes c, after spaces, if it comes next.
func (s *jsonScanner) skip(c byte) bool {
	s.space()
	if s.i < len(s.s) && s.s[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only spaces are left.
func (s *jsonScanner) end() bool {
	s.space()
	return s.i == len(s.s)
}

// str reads a JSON string.
func (s *jsonScanner) str() (string, bool) {
	s.space()
	if s.i >= len(s.s) || s.s[s.i] != '"' {
		return "", false
	}
	start := s.i
	escaped := false
	for j := start + 1; j < len(s.s); j++ {
		switch c := s.s[j]; {
		case c == '\\':
			escaped = true
			j++
		case c < ' ':
			return "", false
		case c == '"':
			s.i = j + 1
			if !escaped {
				return s.s[start+1 : j], true
			}
			var out string
			if err := json.Unmarshal([]byte(s.s[start:s.i]), &out); err != nil {
				return "", false
			}
			return out, true
		}
	}
	return "", false
}

// value reads a JSON value: a string's text, or any other value's JSON.
func (s *jsonScanner) value() (v string, isNull, ok bool) {
	s.space()
	if s.i < len(s.s) && s.s[s.i] == '"' {
		v, ok = s.str()
		return v, false, ok
	}
	if strings.HasPrefix(s.s[s.i:], "null") {
		s.i += len("null")
		return "", true, true
	}
	// A number, boolean, array or object: let encoding/json find where it
	// ends and check it.
	dec := json.NewDecoder(strings.NewReader(s.s[s.i:]))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return "", false, false
	}
	s.i += int(dec.InputOffset())
	return string(raw), false, true
}
