// Package eventpattern evaluates EventBridge event patterns against
// events, so that curpipe validate can tell whether the rule feeding its
// queue matches the billing exports' "Object Created" events without
// asking the service (EventBridge's TestEventPattern has no emulation in
// the test endpoints curpipe runs on).
//
// It covers the content filters a rule for S3 events uses: literal
// values, prefix, suffix, wildcard, exists, anything-but and
// equals-ignore-case, on nested fields and arrays, with EventBridge's
// semantics (a value array matches when any of its entries does; an event
// array matches when any of its elements does). A filter it does not know
// (numeric, cidr) is an error, never a guess.
package eventpattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrUnsupported is returned for a filter this package does not evaluate.
var ErrUnsupported = errors.New("unsupported pattern filter")

// Match reports whether event (JSON) matches pattern (JSON).
func Match(pattern, event []byte) (bool, error) {
	var p map[string]any
	if err := json.Unmarshal(pattern, &p); err != nil {
		return false, fmt.Errorf("pattern: %w", err)
	}
	var e map[string]any
	if err := json.Unmarshal(event, &e); err != nil {
		return false, fmt.Errorf("event: %w", err)
	}
	return matchObject(p, e, "")
}

// matchObject matches every field of a pattern object: all must match.
func matchObject(p, e map[string]any, path string) (bool, error) {
	// A fixed order, so that the first unsupported filter named is the
	// same every time.
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ok, err := matchField(p[k], e, k, path+"."+k)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// matchField matches one pattern field against the event's field k.
func matchField(p any, e map[string]any, k, path string) (bool, error) {
	v, present := e[k]
	switch p := p.(type) {
	case map[string]any:
		sub, ok := v.(map[string]any)
		if !ok {
			return false, nil
		}
		return matchObject(p, sub, path)
	case []any:
		return matchValues(p, v, present, path)
	default:
		return false, fmt.Errorf("%s: a pattern field must be an object or an array, not %T", path[1:], p)
	}
}

// matchValues reports whether any entry of the pattern array matches the
// event's value (any element of it, when it is an array).
func matchValues(entries []any, v any, present bool, path string) (bool, error) {
	var values []any
	switch v := v.(type) {
	case []any:
		values = v
	default:
		if present {
			values = []any{v}
		}
	}
	for _, entry := range entries {
		if f, ok := entry.(map[string]any); ok {
			if exists, ok := f["exists"]; ok && len(f) == 1 {
				want, ok := exists.(bool)
				if !ok {
					return false, fmt.Errorf("%s: exists wants true or false", path[1:])
				}
				if want == present {
					return true, nil
				}
				continue
			}
		}
		for _, value := range values {
			ok, err := matchEntry(entry, value, path)
			if err != nil {
				return false, err
			}
			if ok {
				return true, nil
			}
		}
	}
	return false, nil
}

// matchEntry matches one pattern entry (a literal or a filter) against
// one event value.
func matchEntry(entry, value any, path string) (bool, error) {
	f, ok := entry.(map[string]any)
	if !ok {
		return equal(entry, value), nil
	}
	if len(f) != 1 {
		return false, fmt.Errorf("%s: a filter holds one operator, not %d", path[1:], len(f))
	}
	for op, arg := range f {
		s, isString := value.(string)
		switch op {
		case "prefix", "suffix":
			want, fold, err := operand(arg, path, op)
			if err != nil {
				return false, err
			}
			if !isString {
				return false, nil
			}
			if fold {
				s, want = strings.ToLower(s), strings.ToLower(want)
			}
			if op == "prefix" {
				return strings.HasPrefix(s, want), nil
			}
			return strings.HasSuffix(s, want), nil
		case "equals-ignore-case":
			want, ok := arg.(string)
			if !ok {
				return false, fmt.Errorf("%s: equals-ignore-case wants a string", path[1:])
			}
			return isString && strings.EqualFold(s, want), nil
		case "wildcard":
			want, ok := arg.(string)
			if !ok {
				return false, fmt.Errorf("%s: wildcard wants a string", path[1:])
			}
			return isString && Wildcard(want, s), nil
		case "anything-but":
			matched, err := anythingBut(arg, value, path)
			return !matched, err
		default:
			return false, fmt.Errorf("%s: %w %q", path[1:], ErrUnsupported, op)
		}
	}
	return false, nil
}

// operand reads the argument of prefix or suffix: a string, or
// {"equals-ignore-case": string}.
func operand(arg any, path, op string) (s string, fold bool, err error) {
	switch a := arg.(type) {
	case string:
		return a, false, nil
	case map[string]any:
		if s, ok := a["equals-ignore-case"].(string); ok && len(a) == 1 {
			return s, true, nil
		}
	}
	return "", false, fmt.Errorf("%s: %s wants a string or {\"equals-ignore-case\": string}", path[1:], op)
}

// anythingBut reports whether value is one of what anything-but excludes:
// a literal, a list of literals, or a prefix, suffix or
// equals-ignore-case filter.
func anythingBut(arg, value any, path string) (bool, error) {
	switch a := arg.(type) {
	case []any:
		for _, x := range a {
			if equal(x, value) {
				return true, nil
			}
		}
		return false, nil
	case map[string]any:
		return matchEntry(a, value, path)
	default:
		return equal(a, value), nil
	}
}

// equal compares JSON literals as EventBridge does: strings exactly,
// numbers by value, true, false and null by identity.
func equal(a, b any) bool {
	switch a := a.(type) {
	case string, bool, nil:
		return a == b
	case float64:
		bv, ok := b.(float64)
		return ok && a == bv
	}
	return false
}

// Wildcard reports whether s matches pattern, in which * stands for any
// run of characters (none included) and \* for a literal star.
func Wildcard(pattern, s string) bool {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch {
		case pattern[i] == '\\' && i+1 < len(pattern) && (pattern[i+1] == '*' || pattern[i+1] == '\\'):
			cur.WriteByte(pattern[i+1])
			i++
		case pattern[i] == '*':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(pattern[i])
		}
	}
	parts = append(parts, cur.String())
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// ObjectCreated is the EventBridge event S3 sends for an object created in
// bucket under key, as the default bus receives it.
func ObjectCreated(account, region, bucket, key string) []byte {
	b, _ := json.Marshal(map[string]any{
		"version": "0", "id": "00000000-0000-0000-0000-000000000000",
		"detail-type": "Object Created", "source": "aws.s3",
		"account": account, "time": "2024-06-02T04:17:31Z", "region": region,
		"resources": []string{"arn:aws:s3:::" + bucket},
		"detail": map[string]any{
			"version":    "0",
			"bucket":     map[string]any{"name": bucket},
			"object":     map[string]any{"key": key, "size": 1024, "etag": "d41d8cd98f00b204e9800998ecf8427e", "sequencer": "0062E99A88DC407460"},
			"request-id": "N4N7GDK58NMKJ12R", "requester": "123456789012",
			"source-ip-address": "198.51.100.1", "reason": "PutObject",
		},
	})
	return b
}
