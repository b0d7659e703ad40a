package queue

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/transforms/progress"
)

func init() {
	register.DoFn2x1[context.Context, sqsio.Receipt, error](&ackFn{})
}

// Ack deletes the messages it is given (sqsio.Receipt), in batches of up to ten per queue,
// flushed at the end of each bundle. Put it after the stage that commits
// the messages' work: a message is deleted only once its work is durable,
// never on receipt and never through bundle finalization.
func Ack(s beam.Scope, receipts beam.PCollection) {
	s = s.Scope("queue.Ack")
	beam.ParDo0(s, &ackFn{}, receipts)
}

type ackFn struct {
	pending map[string][]sqsio.Receipt // by queue
}

func (f *ackFn) StartBundle() {
	f.pending = map[string][]sqsio.Receipt{}
}

func (f *ackFn) ProcessElement(ctx context.Context, r sqsio.Receipt) error {
	f.pending[r.Queue] = append(f.pending[r.Queue], r)
	if len(f.pending[r.Queue]) >= sqsio.MaxBatch {
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
	q, err := sqsio.For(ctx, queue)
	if err != nil {
		return err
	}
	handles := make([]string, len(rs))
	for i, r := range rs {
		handles[i] = r.ReceiptHandle
	}
	err = q.Delete(ctx, handles...)
	if errors.Is(err, sqsio.ErrStaleHandle) {
		// The message came back and another receipt will carry it; its
		// work was committed idempotently, so the redelivery changes
		// nothing.
		log.Warnf(ctx, "queue.Ack %s: %v", queue, err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("queue.Ack %s: %w", queue, err)
	}
	for _, r := range rs {
		progress.Acked(r.ID)
	}
	log.Infof(ctx, "acknowledged %d messages on %s", len(rs), queue)
	return nil
}
