package iampolicy

import "testing"

// worker is the shape of deploy/curpipe.yaml's WorkerPolicy, resolved.
const worker = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadExports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::billing/cur/*"},
    {"Sid": "ListExports", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::billing",
     "Condition": {"StringLike": {"s3:prefix": "cur/*"}}},
    {"Sid": "ConsumeQueue", "Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
     "Resource": "arn:aws:sqs:us-east-1:123456789012:curpipe"},
    {"Sid": "Notify", "Effect": "Allow", "Action": "SNS:Publish", "Resource": ["arn:aws:sns:us-east-1:123456789012:events", "arn:aws:sns:us-east-1:123456789012:alerts"]}
  ]
}`

const guard = `{"Statement": {"Effect": "Deny", "NotAction": ["s3:Get*", "s3:List*", "sqs:*", "sns:*"], "Resource": "*"}}`

func TestEvaluate(t *testing.T) {
	w, err := Parse("worker", []byte(worker))
	if err != nil {
		t.Fatal(err)
	}
	g, err := Parse("guard", []byte(guard))
	if err != nil {
		t.Fatal(err)
	}
	docs := []Document{w, g}
	for _, tc := range []struct {
		req  Request
		want bool
		by   string
	}{
		{Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::billing/cur/r/20240101-20240201/x.csv.gz"}, true, "worker/ReadExports"},
		{Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::billing/other/x.csv.gz"}, false, ""},
		{Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::billing", Context: map[string]string{"s3:prefix": "cur/r/"}}, true, "worker/ListExports"},
		{Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::billing", Context: map[string]string{"s3:prefix": "secret/"}}, false, ""},
		{Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::billing"}, false, ""}, // no prefix: the condition fails
		{Request{Action: "sqs:deletemessage", Resource: "arn:aws:sqs:us-east-1:123456789012:curpipe"}, true, "worker/ConsumeQueue"},
		{Request{Action: "sqs:ChangeMessageVisibility", Resource: "arn:aws:sqs:us-east-1:123456789012:curpipe"}, false, ""},
		{Request{Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:123456789012:alerts"}, true, "worker/Notify"},
		{Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::billing/cur/x"}, false, "guard statement 1"},
	} {
		got := Evaluate(docs, tc.req)
		if got.Allowed != tc.want || got.By != tc.by {
			t.Errorf("%s: %+v, want allowed %v by %q", tc.req, got, tc.want, tc.by)
		}
	}
}

func TestConditions(t *testing.T) {
	ctx := map[string]string{"s3:prefix": "lake/x", "aws:SecureTransport": "true"}
	for _, tc := range []struct {
		op     string
		key    string
		values []string
		want   bool
	}{
		{"StringEquals", "s3:prefix", []string{"lake/x"}, true},
		{"StringEquals", "S3:Prefix", []string{"lake/x"}, true},
		{"StringNotEquals", "s3:prefix", []string{"lake/x"}, false},
		{"StringLike", "s3:prefix", []string{"other/*", "lake/*"}, true},
		{"StringNotLike", "s3:prefix", []string{"lake/*"}, false},
		{"Bool", "aws:SecureTransport", []string{"true"}, true},
		{"StringEquals", "aws:SourceAccount", []string{"1"}, false},
		{"StringEqualsIfExists", "aws:SourceAccount", []string{"1"}, true},
		{"Null", "aws:SourceAccount", []string{"true"}, true},
		{"Null", "s3:prefix", []string{"true"}, false},
		{"ForAnyValue:StringLike", "s3:prefix", []string{"lake/*"}, true},
		{"NumericLessThan", "s3:max-keys", []string{"10"}, false},
	} {
		if got := condition(tc.op, ctx, tc.key, tc.values); got != tc.want {
			t.Errorf("%s %s %v = %v, want %v", tc.op, tc.key, tc.values, got, tc.want)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"arn:aws:s3:::b?", "arn:aws:s3:::bc", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"s3:get*", "s3:getobject", true},
		{"", "x", false},
	} {
		if got := Match(tc.p, tc.s); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.p, tc.s, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{`{`, `{"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}`, `{"Statement": 5}`, `{"Statement": [{"Effect": "Allow", "Action": 5}]}`} {
		if _, err := Parse("p", []byte(bad)); err == nil {
			t.Errorf("Parse(%s) read", bad)
		}
	}
}

// FuzzMatch: no panic, and a pattern without wildcards matches itself
// alone.
func FuzzMatch(f *testing.F) {
	f.Add("a*b?c", "axbyc")
	f.Fuzz(func(t *testing.T, p, s string) {
		got := Match(p, s)
		if !containsWild(p) && got != (p == s) {
			t.Errorf("Match(%q, %q) = %v", p, s, got)
		}
		if !Match(p, p) && !containsWild(p) {
			t.Errorf("%q does not match itself", p)
		}
	})
}

func containsWild(p string) bool {
	for i := range len(p) {
		if p[i] == '*' || p[i] == '?' {
			return true
		}
	}
	return false
}
