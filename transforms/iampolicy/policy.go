// Package iampolicy evaluates IAM identity policies the way AWS does for
// the calls curpipe makes, so that `curpipe validate` can say, before a
// deployment's first event, which call its workers' role would be
// refused.
//
// It covers what identity policies hold: Allow and Deny statements,
// Action and NotAction, Resource and NotResource with * and ? wildcards,
// and the string, boolean and ARN condition operators (with IfExists and
// the ForAnyValue/ForAllValues qualifiers on single values). A request is
// allowed when a statement allows it and none denies it. Permissions
// boundaries, service control policies, session policies and resource
// policies are out of its sight: a call it allows may still be refused
// by one of those, a call it refuses is refused.
package iampolicy

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Document is a parsed policy document.
type Document struct {
	Name       string // where it came from, for messages
	Statements []Statement
}

// Statement is one statement of a policy.
type Statement struct {
	Sid                     string
	Effect                  string // Allow or Deny
	Actions, NotActions     []string
	Resources, NotResources []string
	// Conditions map an operator ("StringLike") to condition keys and
	// their values.
	Conditions map[string]map[string][]string
}

// strings1 is a JSON value that is a string or a list of strings.
type strings1 []string

func (s *strings1) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*s = many
	return nil
}

type jsonStatement struct {
	Sid          string
	Effect       string
	Action       strings1
	NotAction    strings1
	Resource     strings1
	NotResource  strings1
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Condition    map[string]map[string]strings1
}

// Parse reads a policy document (JSON, as IAM returns it once URL-decoded).
func Parse(name string, b []byte) (Document, error) {
	var raw struct {
		Version   string
		Statement json.RawMessage
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Document{}, fmt.Errorf("policy %s: %w", name, err)
	}
	var list []jsonStatement
	if err := json.Unmarshal(raw.Statement, &list); err != nil {
		var one jsonStatement
		if err2 := json.Unmarshal(raw.Statement, &one); err2 != nil {
			return Document{}, fmt.Errorf("policy %s: Statement: %w", name, errors.Join(err, err2))
		}
		list = []jsonStatement{one}
	}
	doc := Document{Name: name}
	for i, js := range list {
		if js.Effect != "Allow" && js.Effect != "Deny" {
			return Document{}, fmt.Errorf("policy %s: statement %d: Effect %q", name, i, js.Effect)
		}
		st := Statement{Sid: js.Sid, Effect: js.Effect, Actions: js.Action, NotActions: js.NotAction,
			Resources: js.Resource, NotResources: js.NotResource}
		if len(js.Condition) > 0 {
			st.Conditions = map[string]map[string][]string{}
			for op, keys := range js.Condition {
				st.Conditions[op] = map[string][]string{}
				for k, v := range keys {
					st.Conditions[op][k] = v
				}
			}
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, nil
}
