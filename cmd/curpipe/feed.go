package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/curpipe/curpipe/io/eventsio"
	"github.com/curpipe/curpipe/io/s3io"
	"github.com/curpipe/curpipe/io/snsio"
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/transforms/eventpattern"
)

// probeKey is the key, under an input's prefix, of the made-up export
// whose "Object Created" event the rules feeding the queue must match.
const probeKey = "curpipe-validate/20240101-20240201/curpipe-validate-Manifest.json"

// checkFeed checks that S3 tells the queue of new objects under the input
// s3://bucket/prefix/: the bucket notifies the queue directly or through
// an SNS topic the queue subscribes to, or it sends its events to EventBridge and an enabled rule on the default
// bus matches an "Object Created" event for a key under the prefix and
// may send it to the queue. A rule on a custom bus is named as the error
// it is: S3 delivers only to the default bus, so that rule never fires.
func checkFeed(ctx context.Context, queueURL, input string) error {
	bucket, prefix, err := s3io.ParseURL(input)
	if err != nil {
		return err
	}
	queue, err := sqsio.Describe(ctx, queueURL)
	if err != nil {
		return err
	}
	notes, err := bucketNotifications(ctx, bucket)
	if err != nil {
		return err
	}
	if slices.Contains(notes.Queues, queue.ARN) {
		return nil // S3 event notifications straight to the queue
	}
	for _, topic := range notes.Topics {
		ok, err := snsio.Subscribes(ctx, topic, queue.ARN)
		if err != nil {
			return err
		}
		if ok {
			return nil // through an SNS topic the queue subscribes to
		}
	}
	var problems []string
	if !notes.EventBridge {
		problems = append(problems, fmt.Sprintf("bucket %s does not send its events to EventBridge (nor notify the queue): "+
			"turn EventBridge on with aws s3api put-bucket-notification-configuration --bucket %s "+
			"--notification-configuration '{\"EventBridgeConfiguration\":{}}' (keep the bucket's other notifications in it)", bucket, bucket))
	}
	rules, err := eventsio.RulesTo(ctx, queue.ARN)
	if err != nil {
		return err
	}
	region, account := arnRegionAccount(queue.ARN)
	event := eventpattern.ObjectCreated(account, region, bucket, strings.TrimSuffix(prefix, "/")+"/"+probeKey)
	feeding := 0
	for _, r := range rules {
		ok, err := eventpattern.Match([]byte(r.Pattern), event)
		switch {
		case r.Pattern == "":
			continue // a scheduled rule
		case err != nil:
			problems = append(problems, fmt.Sprintf("rule %s on bus %s: cannot tell whether its pattern matches: %v", r.Name, r.Bus, err))
			continue
		case !ok:
			continue
		case !r.OnDefaultBus():
			problems = append(problems, fmt.Sprintf("rule %s is on event bus %s, but S3 sends its events only to the account's "+
				"default bus, so it never sees one: put the rule on the default bus (no EventBusName)", r.Name, r.Bus))
			continue
		case r.State != "ENABLED":
			problems = append(problems, fmt.Sprintf("rule %s on the default bus is %s: enable it", r.Name, strings.ToLower(r.State)))
			continue
		}
		allowed, err := queue.AllowsSendFrom("events.amazonaws.com", r.ARN)
		if err != nil {
			return err
		}
		if !allowed {
			problems = append(problems, fmt.Sprintf("the queue's policy does not let rule %s send to it: allow events.amazonaws.com "+
				"sqs:SendMessage on %s with the condition aws:SourceArn = %s", r.Name, queue.ARN, r.ARN))
			continue
		}
		feeding++
	}
	if feeding > 0 && notes.EventBridge {
		return nil
	}
	if feeding == 0 {
		problems = append(problems, fmt.Sprintf("no enabled rule on the default bus matches an Object Created event for s3://%s/%s "+
			"and may send it to the queue (%d rules send to it)", bucket, strings.TrimSuffix(prefix, "/")+"/"+probeKey, len(rules)))
	}
	return errors.New(strings.Join(problems, "; "))
}

// bucketNotifications reads where a bucket sends its events (a variable
// for the test of the EventBridge route: moto 5.2's S3 keeps a bucket's
// EventBridgeConfiguration, and routes by it, but leaves it out of
// GetBucketNotificationConfiguration's answer).
var bucketNotifications = s3io.Notifications

// arnRegionAccount returns the region and account of an ARN.
func arnRegionAccount(arn string) (region, account string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return "", ""
	}
	return parts[3], parts[4]
}
