package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/curpipe/curpipe/io/awsconfig"
	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/io/s3io"
)

// TestValidateFeed: validate's check that S3 tells the stream's queue of
// new exports passes for each route curpipe reads (S3 notifications, an
// SNS topic, EventBridge's default bus) and fails, saying what to do, for
// a rule on a custom bus (the mistake the system curpipe replaces made),
// a bucket that does not send to EventBridge, a rule for another prefix,
// and a queue whose policy does not let the rule send.
func TestValidateFeed(t *testing.T) {
	ctx := context.Background()
	for _, route := range []string{viaS3, viaSNS, viaEB} {
		t.Run(route, func(t *testing.T) {
			env := newStreamEnv(t, route)
			if route == viaEB {
				allowRule(t, env, "")
				reportEventBridge(t)
			}
			if err := checkFeed(ctx, env.queue, "s3://"+env.bucket+"/cur/"); err != nil {
				t.Errorf("checkFeed: %v", err)
			}
		})
	}
	for _, tc := range []struct {
		name    string
		bus     string // where the rule is; "" the default bus
		prefix  string // the prefix its pattern names; "" any key
		off     bool   // the bucket does not send to EventBridge
		noGrant bool   // the queue's policy lets no rule send
		want    string
	}{
		{name: "custom bus", bus: "billing-events", want: "is on event bus billing-events, but S3 sends its events only to the account's default bus"},
		{name: "EventBridge off", off: true, want: "does not send its events to EventBridge"},
		{name: "another prefix", prefix: "other/", want: "no enabled rule on the default bus matches an Object Created event"},
		{name: "no grant", noGrant: true, want: "the queue's policy does not let rule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newStreamEnv(t, viaNone)
			cfg, err := awsconfig.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			eb := eventbridge.NewFromConfig(cfg)
			in := &eventbridge.PutRuleInput{Name: aws.String(awstest.Name(t, "rule"))}
			detail := map[string]any{"bucket": map[string]any{"name": []string{env.bucket}}}
			if tc.prefix != "" {
				detail["object"] = map[string]any{"key": []any{map[string]string{"prefix": tc.prefix}}}
			}
			pattern, _ := json.Marshal(map[string]any{"source": []string{"aws.s3"}, "detail-type": []string{"Object Created"}, "detail": detail})
			in.EventPattern = aws.String(string(pattern))
			if tc.bus != "" {
				bus := awstest.Name(t, tc.bus)
				if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(bus)}); err != nil {
					t.Fatal(err)
				}
				tc.want = strings.Replace(tc.want, tc.bus, bus, 1)
				in.EventBusName = aws.String(bus)
			}
			rule, err := eb.PutRule(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: in.Name, EventBusName: in.EventBusName,
				Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(queueARN(t, env.sqs, env.queue))}}}); err != nil {
				t.Fatal(err)
			}
			if !tc.noGrant {
				allowRule(t, env, aws.ToString(rule.RuleArn))
			}
			if !tc.off {
				c, _ := s3io.Client(ctx)
				if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(env.bucket),
					NotificationConfiguration: &s3types.NotificationConfiguration{EventBridgeConfiguration: &s3types.EventBridgeConfiguration{}}}); err != nil {
					t.Fatal(err)
				}
			}
			if !tc.off {
				reportEventBridge(t)
			}
			err = checkFeed(ctx, env.queue, "s3://"+env.bucket+"/cur/")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("checkFeed = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// reportEventBridge makes checkFeed see the EventBridge configuration a
// test set on a bucket, which moto keeps and routes by but leaves out of
// GetBucketNotificationConfiguration's answer; the rest is read as it is.
func reportEventBridge(t *testing.T) {
	read := bucketNotifications
	t.Cleanup(func() { bucketNotifications = read })
	bucketNotifications = func(ctx context.Context, bucket string) (s3io.BucketNotifications, error) {
		n, err := read(ctx, bucket)
		n.EventBridge = true
		return n, err
	}
}

// allowRule gives the queue the policy that lets EventBridge send to it
// from the rule (any rule, for "").
func allowRule(t *testing.T, env streamEnv, ruleARN string) {
	t.Helper()
	stmt := map[string]any{"Effect": "Allow", "Principal": map[string]string{"Service": "events.amazonaws.com"},
		"Action": "sqs:SendMessage", "Resource": queueARN(t, env.sqs, env.queue)}
	if ruleARN != "" {
		stmt["Condition"] = map[string]any{"ArnEquals": map[string]string{"aws:SourceArn": ruleARN}}
	}
	policy, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{stmt}})
	if _, err := env.sqs.SetQueueAttributes(context.Background(), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(env.queue),
		Attributes: map[string]string{"Policy": string(policy)}}); err != nil {
		t.Fatal(err)
	}
}
