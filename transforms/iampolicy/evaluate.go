package iampolicy

import (
	"fmt"
	"strings"
)

// Request is one call: its action ("sqs:DeleteMessage"), the resource's
// ARN, and the condition keys the call carries ("s3:prefix").
type Request struct {
	Action   string
	Resource string
	Context  map[string]string
}

func (r Request) String() string { return r.Action + " on " + r.Resource }

// Decision is what the policies say of a request.
type Decision struct {
	Allowed bool
	// By names the statement that decided: the denying one, or the
	// allowing one ("policy/Sid" or "policy statement N").
	By string
}

// Evaluate decides a request against a principal's policies: denied by
// any statement that denies it, else allowed by any that allows it, else
// implicitly denied.
func Evaluate(docs []Document, req Request) Decision {
	var allow string
	for _, d := range docs {
		for i, st := range d.Statements {
			if !st.matches(req) {
				continue
			}
			name := fmt.Sprintf("%s statement %d", d.Name, i+1)
			if st.Sid != "" {
				name = d.Name + "/" + st.Sid
			}
			if st.Effect == "Deny" {
				return Decision{Allowed: false, By: name}
			}
			if allow == "" {
				allow = name
			}
		}
	}
	return Decision{Allowed: allow != "", By: allow}
}

func (st Statement) matches(req Request) bool {
	switch {
	case len(st.Actions) > 0 && !anyMatch(st.Actions, req.Action, true):
		return false
	case len(st.NotActions) > 0 && anyMatch(st.NotActions, req.Action, true):
		return false
	case len(st.Actions) == 0 && len(st.NotActions) == 0:
		return false
	case len(st.Resources) > 0 && !anyMatch(st.Resources, req.Resource, false):
		return false
	case len(st.NotResources) > 0 && anyMatch(st.NotResources, req.Resource, false):
		return false
	case len(st.Resources) == 0 && len(st.NotResources) == 0:
		return false
	}
	for op, keys := range st.Conditions {
		for key, values := range keys {
			if !condition(op, req.Context, key, values) {
				return false
			}
		}
	}
	return true
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if Match(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if Match(p, s) {
			return true
		}
	}
	return false
}

// condition evaluates one operator on one key. A key the request does not
// carry fails the condition, as in AWS, unless the operator ends in
// IfExists.
func condition(op string, ctx map[string]string, key string, values []string) bool {
	op = strings.TrimPrefix(strings.TrimPrefix(op, "ForAnyValue:"), "ForAllValues:")
	base, ifExists := strings.CutSuffix(op, "IfExists")
	v, ok := ctx[key]
	if !ok {
		// Case-insensitive keys, as IAM treats them.
		for k, x := range ctx {
			if strings.EqualFold(k, key) {
				v, ok = x, true
				break
			}
		}
	}
	if !ok {
		return ifExists || base == "Null" && len(values) == 1 && strings.EqualFold(values[0], "true")
	}
	some := func(f func(string) bool) bool {
		for _, w := range values {
			if f(w) {
				return true
			}
		}
		return false
	}
	switch base {
	case "StringEquals", "ArnEquals":
		return some(func(w string) bool { return v == w })
	case "StringNotEquals", "ArnNotEquals":
		return !some(func(w string) bool { return v == w })
	case "StringEqualsIgnoreCase":
		return some(func(w string) bool { return strings.EqualFold(v, w) })
	case "StringNotEqualsIgnoreCase":
		return !some(func(w string) bool { return strings.EqualFold(v, w) })
	case "StringLike", "ArnLike":
		return some(func(w string) bool { return Match(w, v) })
	case "StringNotLike", "ArnNotLike":
		return !some(func(w string) bool { return Match(w, v) })
	case "Bool":
		return some(func(w string) bool { return strings.EqualFold(v, w) })
	case "Null":
		return some(func(w string) bool { return strings.EqualFold(w, "false") })
	}
	// Numeric, date and IP operators compare values curpipe's checks
	// never carry: a statement that needs one cannot be shown to apply.
	return false
}

// Match reports whether s matches the IAM pattern p: * matches any run of
// characters, ? any one character, everything else itself.
func Match(p, s string) bool {
	// Iterative matching with one backtrack point, linear in practice.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
