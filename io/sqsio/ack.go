package sqsio

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/transforms/rowcoder"
)

func init() {
	register.DoFn2x1[context.Context, Receipt, error](&ackFn{})
	rowcoder.Register(encodeReceipt, decodeReceipt)
}

var receiptCodec rowcoder.Codec[Receipt]

func encodeReceipt(v Receipt) ([]byte, error) { return receiptCodec.Encode(v) }
func decodeReceipt(b []byte) (Receipt, error) { return receiptCodec.Decode(b) }

// Receipt names a received message to acknowledge.
type Receipt struct {
	Queue         string
	ID            string
	ReceiptHandle string
}

// Ack deletes the messages it is given, in batches of up to ten per queue,
// flushed at the end of each bundle. Put it after the stage that commits
// the messages' work: a message is deleted only once its work is durable,
// never on receipt and never through bundle finalization.
func Ack(s beam.Scope, receipts beam.PCollection) {
	s = s.Scope("sqsio.Ack")
	beam.ParDo0(s, &ackFn{}, receipts)
}

type ackFn struct {
	pending map[string][]Receipt // by queue
}

func (f *ackFn) StartBundle() {
	f.pending = map[string][]Receipt{}
}

func (f *ackFn) ProcessElement(ctx context.Context, r Receipt) error {
	f.pending[r.Queue] = append(f.pending[r.Queue], r)
	if len(f.pending[r.Queue]) >= maxBatch {
		return f.flush(ctx, r.Queue)
	}
	return nil
}

func (f *ackFn) FinishBundle(ctx context.Context) error {
	for q := range f.pending {
		if err := f.flush(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func (f *ackFn) flush(ctx context.Context, queue string) error {
	rs := f.pending[queue]
	delete(f.pending, queue)
	if len(rs) == 0 {
		return nil
	}
	q, err := queueFor(ctx, queue)
	if err != nil {
		return err
	}
	handles := make([]string, len(rs))
	for i, r := range rs {
		handles[i] = r.ReceiptHandle
	}
	err = q.Delete(ctx, handles...)
	if errors.Is(err, ErrStaleHandle) {
		// The message came back and another receipt will carry it; its
		// work was committed idempotently, so the redelivery changes
		// nothing.
		log.Warnf(ctx, "sqsio.Ack %s: %v", queue, err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqsio.Ack %s: %w", queue, err)
	}
	log.Infof(ctx, "acknowledged %d messages on %s", len(rs), queue)
	return nil
}

var (
	queuesMu sync.Mutex
	queues   = map[string]*Queue{}
)

// queueFor returns a process-wide Queue for a URL, so that stages share
// clients and keepers.
func queueFor(ctx context.Context, url string) (*Queue, error) {
	queuesMu.Lock()
	defer queuesMu.Unlock()
	if q, ok := queues[url]; ok {
		return q, nil
	}
	q, err := Open(ctx, url)
	if err != nil {
		return nil, err
	}
	queues[url] = q
	return q, nil
}

// KeepInvisible extends the visibility of the given messages while work on
// them is under way, so that a report that takes longer than the queue's
// visibility timeout is never handed to a second reader. Call the returned
// function when the work is done.
func KeepInvisible(ctx context.Context, receipts []Receipt) (stop func(), err error) {
	var stops []func()
	for _, r := range receipts {
		q, err := queueFor(ctx, r.Queue)
		if err != nil {
			for _, s := range stops {
				s()
			}
			return nil, err
		}
		stops = append(stops, q.Keep(ctx, r.ReceiptHandle, keepEvery, keepExtendBy))
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}, nil
}

// While work is under way, its messages are made invisible for another
// keepExtendBy every keepEvery: a crashed worker's messages come back
// within a minute, and a live one never lets them lapse.
const (
	keepEvery    = 15 * time.Second
	keepExtendBy = time.Minute
)
