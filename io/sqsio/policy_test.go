package sqsio

import "testing"

func TestAllowsSendFrom(t *testing.T) {
	const queue, rule = "arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:events:us-east-1:123456789012:rule/feed"
	tests := []struct {
		name, policy string
		want         bool
	}{
		{"no policy", "", false},
		{"the rule, by its ARN", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},
			"Action":"sqs:SendMessage","Resource":"` + queue + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + rule + `"}}}]}`, true},
		{"one statement, not a list", `{"Statement":{"Effect":"Allow","Principal":{"Service":["events.amazonaws.com"]},
			"Action":["sqs:SendMessage"],"Resource":"*"}}`, true},
		{"another rule", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},
			"Action":"sqs:SendMessage","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:events:us-east-1:123456789012:rule/other"}}}]}`, false},
		{"another service", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage"}]}`, false},
		{"another action", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:ReceiveMessage"}]}`, false},
		{"another queue", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:*",
			"Resource":"arn:aws:sqs:us-east-1:123456789012:other"}]}`, false},
		{"anyone", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*"}]}`, true},
		{"a Deny is no grant", `{"Statement":[{"Effect":"Deny","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage"}]}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := QueueInfo{URL: "q", ARN: queue, Policy: tc.policy}.AllowsSendFrom("events.amazonaws.com", rule)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("AllowsSendFrom = %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := (QueueInfo{Policy: "{"}).AllowsSendFrom("events.amazonaws.com", rule); err == nil {
		t.Error("a policy that is not JSON: no error")
	}
}
