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
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/curpipe/curpipe/io/awsconfig"
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

	maxWait       = 20 * time.Second // SQS's limit on a long poll
	maxVisibility = 12 * time.Hour   // SQS's limit on a message's visibility timeout
	retryFor      = time.Minute      // how long a call keeps retrying transient errors
	keepTimeout   = 15 * time.Second // bound on one round of the Keeper's calls
)

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

type options struct {
	batchSize  int
	wait       time.Duration
	visibility time.Duration // 0: the queue's
	step       time.Duration
	log        *slog.Logger
}

// OptionFn configures Open.
type OptionFn func(*options) error

// newOptions applies opts over the defaults.
func newOptions(opts []OptionFn) (options, error) {
	o := options{batchSize: DefaultBatchSize, wait: DefaultWaitTime, step: DefaultExtensionStep, log: slog.Default()}
	for _, fn := range opts {
		if err := fn(&o); err != nil {
			return options{}, err
		}
	}
	return o, nil
}

// CheckOptions reports whether opts are valid, for a caller that opens
// its Queue later (a pipeline stage, in its Setup).
func CheckOptions(opts ...OptionFn) error {
	_, err := newOptions(opts)
	return err
}

// BatchSize sets how many messages one Receive asks for, 1 to 10. Large
// reports favour small batches, so that one reader does not hold many.
func BatchSize(n int) OptionFn {
	return func(o *options) error {
		if n < 1 || n > MaxBatch {
			return fmt.Errorf("batch size %d outside [1, %d]", n, MaxBatch)
		}
		o.batchSize = n
		return nil
	}
}

// WaitTime sets Receive's long-poll wait, whole seconds from 0 to 20. The
// SDK omits a zero, so 0 leaves the wait to the queue's
// ReceiveMessageWaitTimeSeconds.
func WaitTime(d time.Duration) OptionFn {
	return func(o *options) error {
		if d < 0 || d > maxWait || d%time.Second != 0 {
			return fmt.Errorf("wait time %s is not whole seconds in [0s, 20s]", d)
		}
		o.wait = d
		return nil
	}
}

// VisibilityTimeout sets the visibility timeout Receive requests, whole
// seconds up to 12 hours. Unset, the queue's own applies.
func VisibilityTimeout(d time.Duration) OptionFn {
	return func(o *options) error {
		if d < time.Second || d > maxVisibility || d%time.Second != 0 {
			return fmt.Errorf("visibility timeout %s is not whole seconds in [1s, 12h]", d)
		}
		o.visibility = d
		return nil
	}
}

// ExtensionStep sets Keep's defaults: extendBy = step, every = step/3.
func ExtensionStep(d time.Duration) OptionFn {
	return func(o *options) error {
		if d < time.Second || d > maxVisibility {
			return fmt.Errorf("extension step %s outside [1s, 12h]", d)
		}
		o.step = d
		return nil
	}
}

// Logger sets where the Keeper reports failed extensions (default
// slog.Default()).
func Logger(l *slog.Logger) OptionFn {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("nil logger")
		}
		o.log = l
		return nil
	}
}

// Queue receives and acknowledges the messages of one queue. It is safe
// for concurrent use.
type Queue struct {
	client sqsAPI
	url    string
	opts   options
	keep   keeper
	// minBackoff and maxBackoff bound the wait between this package's own
	// attempts; tests shorten them.
	minBackoff, maxBackoff time.Duration
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
	return &Queue{client: c, url: queueURL, opts: o, minBackoff: 200 * time.Millisecond, maxBackoff: 10 * time.Second}, nil
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

const (
	opDelete     = "delete"
	opVisibility = "change visibility"
	// entryAttempts bounds the calls for an entry SQS keeps failing on its side.
	entryAttempts = 3
)

// entry is one batch item: a receipt handle and, for visibility changes,
// the timeout in seconds.
type entry struct {
	handle  string
	timeout int32
}

func entriesFor(handles []string, timeout int32) []entry {
	es := make([]entry, len(handles))
	for i, h := range handles {
		es[i] = entry{handle: h, timeout: timeout}
	}
	return es
}

// seconds rounds up, so that a visibility is never shorter than asked.
func seconds(d time.Duration) int32 {
	return int32((d + time.Second - 1) / time.Second)
}

// batch sends the entries ten per call and returns a *BatchError for those
// that failed for good. A repeated handle is sent once: SQS would act twice.
func (q *Queue) batch(ctx context.Context, op string, es []entry) error {
	berr := &BatchError{Op: op, Queue: q.url, Total: len(es)}
	seen := make(map[string]bool, len(es))
	var todo []int
	for i, e := range es {
		switch {
		case e.handle == "":
			berr.Failed = append(berr.Failed, EntryError{Index: i, Code: "EmptyHandle", Message: "empty receipt handle", SenderFault: true})
		case !seen[e.handle]:
			seen[e.handle] = true
			todo = append(todo, i)
		}
	}
	for start := 0; start < len(todo); start += MaxBatch {
		if err := q.sendChunk(ctx, op, es, todo[start:min(start+MaxBatch, len(todo))], berr); err != nil {
			return fmt.Errorf("sqsio: %s on %s: %d of %d entries not done: %w", op, q.url, len(todo)-start, len(es), err)
		}
	}
	if len(berr.Failed) == 0 {
		return nil
	}
	slices.SortFunc(berr.Failed, func(a, b EntryError) int { return a.Index - b.Index })
	return berr
}

// sendChunk sends up to ten entries, whose batch ids are their indexes in
// es, and calls again for those SQS failed on its side.
func (q *Queue) sendChunk(ctx context.Context, op string, es []entry, chunk []int, berr *BatchError) error {
	for attempt := 1; ; attempt++ {
		var failed []types.BatchResultErrorEntry
		err := q.retry(ctx, func(ctx context.Context) (err error) {
			failed, err = q.send(ctx, op, es, chunk)
			return err
		})
		if err != nil {
			return err
		}
		var again []int
		for _, f := range failed {
			i, err := strconv.Atoi(aws.ToString(f.Id))
			if err != nil || i < 0 || i >= len(es) {
				return fmt.Errorf("SQS answered for unknown batch entry %q", aws.ToString(f.Id))
			}
			if retryableEntry(f) && attempt < entryAttempts {
				again = append(again, i)
				continue
			}
			code, msg := aws.ToString(f.Code), aws.ToString(f.Message)
			berr.Failed = append(berr.Failed, EntryError{Index: i, Handle: es[i].handle, Code: code, Message: msg,
				SenderFault: f.SenderFault, Stale: staleEntry(code, msg)})
		}
		if len(again) == 0 {
			return nil
		}
		if err := sleep(ctx, q.backoff(attempt)); err != nil {
			return err
		}
		chunk = again
	}
}

// send makes one batch call for the entries at idx.
func (q *Queue) send(ctx context.Context, op string, es []entry, idx []int) ([]types.BatchResultErrorEntry, error) {
	if op == opDelete {
		in := &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.url)}
		for _, i := range idx {
			in.Entries = append(in.Entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(es[i].handle)})
		}
		out, err := q.client.DeleteMessageBatch(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.Failed, nil
	}
	in := &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(q.url)}
	for _, i := range idx {
		in.Entries = append(in.Entries, types.ChangeMessageVisibilityBatchRequestEntry{
			Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(es[i].handle), VisibilityTimeout: es[i].timeout})
	}
	out, err := q.client.ChangeMessageVisibilityBatch(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.Failed, nil
}

// keeper holds the messages being kept invisible. One goroutine serves
// them all, started by the first Keep and ended when none is left.
type keeper struct {
	mu      sync.Mutex
	held    map[*held]struct{}
	running bool
	wake    chan struct{}
}

type held struct {
	handle   string
	every    time.Duration
	extendBy int32
	due      time.Time
}

// Keep extends the message's visibility timeout to extendBy from now, every
// every, until stop is called or ctx ends, so that a report still being
// processed is never handed to a second reader. every must be shorter than
// extendBy and than the visibility left when Keep is called; it defaults to
// a third of extendBy, and extendBy to the ExtensionStep. Extensions of all
// held messages go ten per call. A failed call is logged and retried within
// a second; a message SQS refuses (a stale handle, the 12-hour limit) is
// logged and dropped. stop may be called more than once; an extension
// already under way may still land after it.
func (q *Queue) Keep(ctx context.Context, handle string, every, extendBy time.Duration) (stop func()) {
	if extendBy <= 0 {
		extendBy = q.opts.step
	}
	extendBy = min(extendBy, maxVisibility)
	if every <= 0 || every >= extendBy {
		every = extendBy / 3
	}
	h := &held{handle: handle, every: every, extendBy: seconds(extendBy), due: time.Now().Add(every)}
	k := &q.keep
	k.mu.Lock()
	if k.held == nil {
		k.held, k.wake = map[*held]struct{}{}, make(chan struct{}, 1)
	}
	k.held[h] = struct{}{}
	if !k.running {
		k.running = true
		go q.keepLoop()
	}
	k.mu.Unlock()
	k.poke()
	var once sync.Once
	release := func() { once.Do(func() { k.drop(h) }) }
	unhook := context.AfterFunc(ctx, release)
	return func() { unhook(); release() }
}

func (k *keeper) poke() {
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

func (k *keeper) drop(h *held) {
	k.mu.Lock()
	delete(k.held, h)
	k.mu.Unlock()
	k.poke()
}

// keepLoop extends the messages that are due, then sleeps until the next
// is due or Keep or stop changes the set.
func (q *Queue) keepLoop() {
	k := &q.keep
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		k.mu.Lock()
		if len(k.held) == 0 {
			k.running = false
			k.mu.Unlock()
			return
		}
		now := time.Now()
		next := now.Add(time.Hour)
		var due []*held
		for h := range k.held {
			if !h.due.After(now) {
				due = append(due, h)
				h.due = now.Add(h.every)
			} else if h.due.Before(next) {
				next = h.due
			}
		}
		k.mu.Unlock()
		if len(due) > 0 {
			q.extend(due)
			continue
		}
		timer.Reset(time.Until(next))
		select {
		case <-timer.C:
		case <-k.wake:
		}
	}
}

// extend makes one round of extensions and deals with what failed.
func (q *Queue) extend(hs []*held) {
	es := make([]entry, len(hs))
	for i, h := range hs {
		es[i] = entry{handle: h.handle, timeout: h.extendBy}
	}
	ctx, cancel := context.WithTimeout(context.Background(), keepTimeout)
	defer cancel()
	err := q.batch(ctx, opVisibility, es)
	var berr *BatchError
	if err != nil && !errors.As(err, &berr) {
		q.opts.log.Warn("sqsio: extending visibility failed; retrying", "queue", q.url, "messages", len(hs), "error", err)
		q.keep.retrySoon(hs)
		return
	}
	if berr == nil {
		return
	}
	for _, f := range berr.Failed {
		h := hs[f.Index]
		if !f.SenderFault {
			q.opts.log.Warn("sqsio: extending visibility failed; retrying", "queue", q.url, "code", f.Code, "error", f.Message)
			q.keep.retrySoon([]*held{h})
			continue
		}
		q.opts.log.Warn("sqsio: SQS refused a visibility extension; no longer extending the message",
			"queue", q.url, "stale", f.Stale, "code", f.Code, "error", f.Message)
		q.keep.drop(h)
	}
}

// retrySoon brings the messages' next extension forward, to land before
// they reappear.
func (k *keeper) retrySoon(hs []*held) {
	k.mu.Lock()
	for _, h := range hs {
		h.due = time.Now().Add(min(h.every, time.Second))
	}
	k.mu.Unlock()
}
