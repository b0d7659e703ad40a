// Package sqsio reads S3 object events from an Amazon SQS queue and
// acknowledges them once their work is committed. It does not import Beam:
// the stream's stages in transforms/queue call Receive and Delete, the
// event resolver calls Decode, and the stages that work on a report hold
// its messages with KeepInvisible.
//
// Acknowledgement follows the queue's own rules rather than fighting them:
//
//   - A committed report's messages are deleted (DeleteMessageBatch, ten a
//     call). A receipt handle that is no longer valid fails with
//     ErrStaleHandle: the message was already deleted or handed out again,
//     so nothing is lost, and callers may log it and go on.
//   - While a report is processed, Keep extends its message's visibility
//     so that a large report is never handed to a second reader.
//   - A failed report's message is NOT made visible at once (visibility 0,
//     as Redpanda Connect does). See ReleaseForRetry.
//
// Calls retry throttling and transient failures twice over: the SDK's
// retryer inside each call, then this package with backoff, because a long
// stream can outlast the SDK's retry quota. Batch entries that fail on the
// server's side are retried; the rest are reported per entry in a
// *BatchError.
package sqsio

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/curpipe/curpipe/io/awsconfig"
	"github.com/curpipe/curpipe/io/awsretry"
)

// Defaults for Open's options.
const (
	DefaultBatchSize = 10
	// DefaultWaitTime makes Receive a long poll: fewer empty answers, fewer
	// calls, and no false "queue empty".
	DefaultWaitTime = 20 * time.Second
	// DefaultExtensionStep suits SQS's default 30 s visibility timeout: Keep
	// extends every 10 s to 30 s from then.
	DefaultExtensionStep = 30 * time.Second
	// MaxBatch is SQS's limit of messages per ReceiveMessage and per batch
	// call (a stage that deletes messages batches them by it).
	MaxBatch = 10

	maxWait             = 20 * time.Second // SQS's limit on a long poll
	maxVisibility       = 12 * time.Hour   // SQS's limit on a message's visibility timeout
	retryFor            = time.Minute      // how long a call keeps retrying transient errors
	keepTimeout         = 15 * time.Second // bound on one round of the Keeper's calls
	releaseCheckTimeout = 5 * time.Second  // bound on asking whether a held message was released
)

// defaultBackoff spaces this package's own attempts, the upper half of
// each wait jittered so that readers throttled together do not retry
// together.
var defaultBackoff = awsretry.Backoff{Base: 200 * time.Millisecond, Max: 10 * time.Second, Jitter: awsretry.Equal}

// Message is one received queue message.
type Message struct {
	ID, ReceiptHandle string
	Body              []byte
	// ReceiveCount is SQS's ApproximateReceiveCount, 1 on first delivery.
	ReceiveCount int
	// SentAt is when the message reached the queue (SentTimestamp).
	SentAt time.Time
}

// sqsAPI lists the SQS calls a Queue makes.
type sqsAPI interface {
	ReceiveMessage(context.Context, *sqs.ReceiveMessageInput, ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(context.Context, *sqs.DeleteMessageBatchInput, ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibilityBatch(context.Context, *sqs.ChangeMessageVisibilityBatchInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
}

// Queue receives and acknowledges the messages of one queue. It is safe
// for concurrent use.
type Queue struct {
	client sqsAPI
	url    string
	opts   options
	keep   keeper
	// backoff spaces this package's own attempts; tests shorten it.
	backoff awsretry.Backoff
}

// Open returns a Queue for the queue URL, using the process's AWS
// configuration (awsconfig.Load). It checks the URL's form and the options
// but does not call SQS; Describe and CheckQueue do that.
func Open(ctx context.Context, queueURL string, opts ...OptionFn) (*Queue, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqsio.Open: %w", err)
	}
	return newQueue(sqs.NewFromConfig(cfg), queueURL, opts)
}

func newQueue(c sqsAPI, queueURL string, opts []OptionFn) (*Queue, error) {
	if err := checkURL(queueURL); err != nil {
		return nil, fmt.Errorf("sqsio.Open: %w", err)
	}
	o, err := newOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("sqsio.Open %s: %w", queueURL, err)
	}
	return &Queue{client: c, url: queueURL, opts: o, backoff: defaultBackoff}, nil
}

// URL returns the queue's URL.
func (q *Queue) URL() string { return q.url }

// Receive long-polls for up to the batch size of messages and returns them,
// possibly none. Transient errors are retried for up to a minute.
func (q *Queue) Receive(ctx context.Context) ([]Message, error) {
	in := &sqs.ReceiveMessageInput{
		QueueUrl:            aws.String(q.url),
		MaxNumberOfMessages: int32(q.opts.batchSize),
		WaitTimeSeconds:     int32(q.opts.wait / time.Second),
		VisibilityTimeout:   int32(q.opts.visibility / time.Second),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{
			types.MessageSystemAttributeNameApproximateReceiveCount,
			types.MessageSystemAttributeNameSentTimestamp,
		},
	}
	var out *sqs.ReceiveMessageOutput
	err := q.retry(ctx, func(ctx context.Context) (err error) {
		out, err = q.client.ReceiveMessage(ctx, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqsio: receive from %s: %w", q.url, err)
	}
	msgs := make([]Message, 0, len(out.Messages))
	for _, m := range out.Messages {
		msg := Message{ID: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: []byte(aws.ToString(m.Body))}
		msg.ReceiveCount, _ = strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
		if ms, err := strconv.ParseInt(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
			msg.SentAt = time.UnixMilli(ms).UTC()
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// Delete deletes the messages, ten per DeleteMessageBatch call. Entries
// that fail on SQS's side are retried; what still fails is returned as a
// *BatchError, which matches ErrStaleHandle when every failure is a handle
// no longer valid.
func (q *Queue) Delete(ctx context.Context, receiptHandles ...string) error {
	return q.batch(ctx, opDelete, entriesFor(receiptHandles, 0))
}

// ChangeVisibility sets the messages' visibility timeout to timeout from
// now (whole seconds, 0 to 12 hours), ten per call. Errors are as Delete's.
func (q *Queue) ChangeVisibility(ctx context.Context, timeout time.Duration, handles ...string) error {
	if timeout < 0 || timeout > maxVisibility {
		return fmt.Errorf("sqsio: change visibility on %s: timeout %s outside [0, 12h]", q.url, timeout)
	}
	return q.batch(ctx, opVisibility, entriesFor(handles, seconds(timeout)))
}

// ReleaseForRetry gives a failed message back to SQS, deliberately without
// a call: stop (its Keep's stop function, may be nil) ends the extensions
// and the message becomes visible when its current visibility timeout runs
// out. SQS then redelivers it, and after maxReceiveCount receives its
// redrive policy moves it to the dead-letter queue. Setting visibility 0
// instead would retry a poison report at once, burning its receives in
// seconds, before a transient cause (an object still being written, a
// throttled table) can clear; the timeout spaces retries for free.
func ReleaseForRetry(stop func()) {
	if stop != nil {
		stop()
	}
}
