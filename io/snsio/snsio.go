// Package snsio publishes curpipe's notifications to an Amazon SNS topic:
// one message per committed or failed report, with a short human subject,
// a JSON body and String message attributes that subscribers can filter on
// (for example "status" = "committed" or "failed", and "report").
//
// It does not import Beam: the pipeline's commit stage calls a Publisher
// directly, after the report's totals are written.
//
// Publish fits a message to SNS's rules before sending it:
//
//   - The subject is made printable ASCII (control characters become spaces,
//     other characters '?', runs of spaces collapse) and cut to MaxSubjectLen
//     characters, ending in "..." when cut.
//   - The body must be non-empty UTF-8, and the body plus the attributes'
//     names, types and values must fit in MaxMessageBytes (ErrTooLarge).
//   - A FIFO topic (its name ends in ".fifo") needs Message.GroupID and
//     Message.DedupID; other topics ignore both.
//
// Throttling and transient failures are retried twice over: by the SDK's
// retryer inside each call, then by Publish with exponential backoff and
// jitter until the publish deadline, because SNS's own throttling error
// ("Throttled") is not one the SDK retries, and a backfill can outlast the
// SDK's retry quota. Delivery is at least once: a retried call that had in
// fact succeeded publishes twice, except on FIFO topics, which deduplicate.
package snsio

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	smithytime "github.com/aws/smithy-go/time"

	"github.com/curpipe/curpipe/io/awsconfig"
	"github.com/curpipe/curpipe/io/awsretry"
)

// DefaultDeadline is how long Publish keeps retrying unless PublishDeadline
// says otherwise.
const DefaultDeadline = 2 * time.Minute

// defaultBackoff spaces Publish's own attempts, the upper half of each
// wait jittered so that many workers throttled together do not retry
// together.
var defaultBackoff = awsretry.Backoff{Base: time.Second, Max: 30 * time.Second, Jitter: awsretry.Equal}

// Message is one notification.
type Message struct {
	// Subject is the short human summary (an email's subject line). Publish
	// cleans and shortens it; empty means none.
	Subject string
	// Body is the message itself, JSON for curpipe's notifications.
	Body []byte
	// Attributes become SNS String message attributes.
	Attributes map[string]string
	// GroupID is the FIFO message group (MessageGroupId). Required for, and
	// used only on, FIFO topics.
	GroupID string
	// DedupID is the FIFO deduplication id (MessageDeduplicationId): the same
	// id within five minutes is delivered once. Required for, and used only
	// on, FIFO topics.
	DedupID string
}

// snsAPI lists the SNS calls a Publisher makes.
type snsAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Publisher publishes Messages to one topic. It is safe for concurrent use.
type Publisher struct {
	client   snsAPI
	topicARN string
	fifo     bool
	deadline time.Duration
	// backoff spaces Publish's own attempts; tests shorten it.
	backoff awsretry.Backoff
}

type options struct {
	deadline time.Duration
}

// OptionFn configures New.
type OptionFn func(*options)

// PublishDeadline bounds how long one Publish call keeps retrying before it
// gives up and returns the last error. It must be positive.
func PublishDeadline(d time.Duration) OptionFn {
	return func(o *options) { o.deadline = d }
}

// New returns a Publisher for the topic, using the process's AWS
// configuration (awsconfig.Load). It checks the ARN's form but does not call
// SNS; CheckTopic does that.
func New(ctx context.Context, topicARN string, opts ...OptionFn) (*Publisher, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("snsio.New: %w", err)
	}
	return newPublisher(cfg, topicARN, opts)
}

// newPublisher builds a Publisher from an explicit configuration; tests
// pass SNS client options (the endpoint of a proxy that injects faults, a
// faster retryer) through snsOpts.
func newPublisher(cfg aws.Config, topicARN string, opts []OptionFn, snsOpts ...func(*sns.Options)) (*Publisher, error) {
	o := options{deadline: DefaultDeadline}
	for _, fn := range opts {
		fn(&o)
	}
	if o.deadline <= 0 {
		return nil, fmt.Errorf("snsio.New: publish deadline must be positive, got %s", o.deadline)
	}
	name, err := topicName(topicARN)
	if err != nil {
		return nil, fmt.Errorf("snsio.New: %w", err)
	}
	return &Publisher{
		client:   sns.NewFromConfig(cfg, snsOpts...),
		topicARN: topicARN,
		fifo:     isFIFO(name),
		deadline: o.deadline,
		backoff:  defaultBackoff,
	}, nil
}

// TopicARN returns the topic the Publisher publishes to.
func (p *Publisher) TopicARN() string { return p.topicARN }

// Publish sends the message and returns the message id SNS assigned. It
// retries throttling and transient errors until the publish deadline or
// ctx ends; other errors (a missing topic, a refused parameter) return at
// once. Errors name the topic and wrap the cause.
func (p *Publisher) Publish(ctx context.Context, m Message) (string, error) {
	in, err := p.input(m)
	if err != nil {
		return "", fmt.Errorf("snsio: publish to %s: %w", p.topicARN, err)
	}
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, p.deadline)
	defer cancel()
	var last error
	for attempt := 1; ; attempt++ {
		out, err := p.client.Publish(dctx, in)
		if err == nil {
			return aws.ToString(out.MessageId), nil
		}
		switch {
		case ctx.Err() != nil:
			return "", p.stopped(ctx.Err(), attempt, last)
		case dctx.Err() != nil:
			// The deadline cut this call short; its error says only that,
			// so report the previous attempt's cause when there is one.
			if last == nil {
				last = err
			}
			return "", p.giveUp(attempt, start, last)
		case !awsretry.Retryable(dctx, err):
			return "", fmt.Errorf("snsio: publish to %s: %w", p.topicARN, classify(err))
		}
		last = err
		wait := p.backoff.Delay(attempt)
		if time.Until(start.Add(p.deadline)) < wait {
			// Sleeping into the deadline would only delay the same answer.
			return "", p.giveUp(attempt, start, last)
		}
		if smithytime.SleepWithContext(dctx, wait) != nil {
			if ctx.Err() != nil {
				return "", p.stopped(ctx.Err(), attempt, last)
			}
			return "", p.giveUp(attempt, start, last)
		}
	}
}

func (p *Publisher) giveUp(attempts int, start time.Time, last error) error {
	return fmt.Errorf("snsio: publish to %s failed after %d calls in %s: %w",
		p.topicARN, attempts, time.Since(start).Round(time.Millisecond), last)
}

func (p *Publisher) stopped(cause error, attempts int, last error) error {
	if last == nil {
		return fmt.Errorf("snsio: publish to %s stopped: %w", p.topicARN, cause)
	}
	return fmt.Errorf("snsio: publish to %s stopped after %d calls: %w; last error: %w",
		p.topicARN, attempts, cause, last)
}
