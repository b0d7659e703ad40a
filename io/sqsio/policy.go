package sqsio

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// AllowsSendFrom reports whether the queue's policy lets service (such as
// "events.amazonaws.com") send messages to it from the resource sourceARN
// (an EventBridge rule, say): an Allow statement for the service
// principal, with sqs:SendMessage (or sqs:*), on the queue, and either no
// aws:SourceArn condition or one that names sourceARN. It reads the
// policy as written and does not evaluate Deny statements, wildcards in
// the condition, or other condition keys; it answers "is the grant that
// a rule needs there", not IAM's full decision.
func (i QueueInfo) AllowsSendFrom(service, sourceARN string) (bool, error) {
	if i.Policy == "" {
		return false, nil
	}
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(i.Policy), &p); err != nil {
		return false, fmt.Errorf("queue %s: policy: %w", i.URL, err)
	}
	var stmts []statement
	if err := json.Unmarshal(p.Statement, &stmts); err != nil {
		var one statement
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			return false, fmt.Errorf("queue %s: policy statements: %w", i.URL, err)
		}
		stmts = []statement{one}
	}
	for _, s := range stmts {
		if s.Effect != "Allow" || !s.grants(service) {
			continue
		}
		if !slices.ContainsFunc(s.Action, func(a string) bool { return strings.EqualFold(a, "sqs:SendMessage") || a == "sqs:*" }) {
			continue
		}
		if len(s.Resource) > 0 && !slices.Contains(s.Resource, i.ARN) && !slices.Contains(s.Resource, "*") {
			continue
		}
		sources, conditioned := s.sourceARNs()
		if !conditioned || slices.Contains(sources, sourceARN) {
			return true, nil
		}
	}
	return false, nil
}

// statement is the part of a policy statement AllowsSendFrom reads.
type statement struct {
	Effect    string
	Principal json.RawMessage // "*", or {"Service": ...}
	Action    stringList
	Resource  stringList
	Condition map[string]map[string]stringList
}

// grants reports whether the statement's principal is the service, or
// anyone.
func (s statement) grants(service string) bool {
	var who string
	if json.Unmarshal(s.Principal, &who) == nil {
		return who == "*"
	}
	var p struct{ Service stringList }
	return json.Unmarshal(s.Principal, &p) == nil && slices.Contains(p.Service, service)
}

// sourceARNs returns the values of the statement's aws:SourceArn
// condition, and whether it has one.
func (s statement) sourceARNs() ([]string, bool) {
	var out []string
	found := false
	for _, byKey := range s.Condition {
		for key, values := range byKey {
			if strings.EqualFold(key, "aws:SourceArn") {
				found = true
				out = append(out, values...)
			}
		}
	}
	return out, found
}

// stringList is a policy field given as one string or a list of them.
type stringList []string

func (s *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}
