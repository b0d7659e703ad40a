// Package eventsio reads how EventBridge is wired to curpipe's queue: the
// rules, on every event bus of the account, that send events to a
// target. curpipe validate uses it to catch the mistake the system
// curpipe replaces shipped with: a rule on a custom event bus, which
// never sees an S3 event (AWS services deliver only to the account's
// default bus).
package eventsio

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/curpipe/curpipe/io/awsconfig"
)

// DefaultBus is the name of the account's default event bus, the only
// one that receives events from AWS services such as S3.
const DefaultBus = "default"

// Rule is an EventBridge rule that sends events to a target.
type Rule struct {
	Bus     string // the name of its event bus
	Name    string
	ARN     string
	State   string // ENABLED, DISABLED, ...
	Pattern string // its event pattern (JSON); "" for a scheduled rule
}

// OnDefaultBus reports whether the rule can see events from AWS services.
func (r Rule) OnDefaultBus() bool { return r.Bus == DefaultBus }

// RulesTo returns the rules of every event bus of the account that send
// events to the target ARN (a queue's, say).
func RulesTo(ctx context.Context, targetARN string) ([]Rule, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, err
	}
	c := eventbridge.NewFromConfig(cfg)
	var buses []string
	for token := (*string)(nil); ; {
		out, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("eventsio: list event buses: %w", err)
		}
		for _, b := range out.EventBuses {
			buses = append(buses, aws.ToString(b.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	var rules []Rule
	for _, bus := range buses {
		for token := (*string)(nil); ; {
			out, err := c.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{
				TargetArn: aws.String(targetARN), EventBusName: aws.String(bus), NextToken: token})
			if err != nil {
				return nil, fmt.Errorf("eventsio: rules of bus %s sending to %s: %w", bus, targetARN, err)
			}
			for _, name := range out.RuleNames {
				d, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name), EventBusName: aws.String(bus)})
				if err != nil {
					return nil, fmt.Errorf("eventsio: rule %s on bus %s: %w", name, bus, err)
				}
				rules = append(rules, Rule{Bus: bus, Name: name, ARN: aws.ToString(d.Arn),
					State: string(d.State), Pattern: aws.ToString(d.EventPattern)})
			}
			if token = out.NextToken; token == nil {
				break
			}
		}
	}
	return rules, nil
}
