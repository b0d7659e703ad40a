package sqsio

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	smithytime "github.com/aws/smithy-go/time"
)

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
		if err := smithytime.SleepWithContext(ctx, q.backoff.Delay(attempt)); err != nil {
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
