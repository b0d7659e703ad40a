package sqsio

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/sdf"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/rtrackers/offsetrange"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/transforms/rowcoder"
)

func init() {
	register.DoFn5x2[context.Context, *sdf.WallTimeWatermarkEstimator, *sdf.LockRTracker, []byte,
		func(beam.EventTime, Delivery), sdf.ProcessContinuation, error](&readFn{})
	register.Emitter2[beam.EventTime, Delivery]()
	rowcoder.Register(encodeDelivery, decodeDelivery)
}

var deliveryCodec rowcoder.Codec[Delivery]

func encodeDelivery(v Delivery) ([]byte, error) { return deliveryCodec.Encode(v) }
func decodeDelivery(b []byte) (Delivery, error) { return deliveryCodec.Decode(b) }

// Delivery is one received message as it travels through a pipeline:
// what it says, and what the stage that commits its work needs to
// acknowledge it.
type Delivery struct {
	Queue         string
	ID            string
	ReceiptHandle string
	Body          []byte
	ReceiveCount  int
	SentAtMillis  int64
}

// How long the reader waits before polling again after an empty poll or
// a failed one. Long polling already waited up to WaitTime.
const (
	idleDelay  = time.Second
	errorDelay = 5 * time.Second
)

// Read is an unbounded source of the messages on an SQS queue. Each
// message is emitted once per receipt, timestamped with its read time,
// and left on the queue: the stage that commits its work deletes it
// (Ack), so a message whose work fails or is abandoned comes back after
// its visibility timeout, and the queue's redrive policy moves a poison
// message to the dead-letter queue after maxReceiveCount receipts.
//
// It polls with long polling, returns to the runner after every batch
// (self-checkpointing, so output flows downstream continuously), and
// advances the watermark with wall time.
func Read(s beam.Scope, queueURL string, opts ...OptionFn) beam.PCollection {
	s = s.Scope("sqsio.Read")
	o, err := newOptions(opts)
	if err != nil {
		panic(fmt.Sprintf("sqsio.Read: %v", err))
	}
	fn := &readFn{Queue: queueURL, BatchSize: o.batchSize, WaitSeconds: int(o.wait / time.Second),
		VisibilitySeconds: int(o.visibility / time.Second), Readers: o.readers}
	return beam.ParDo(s, fn, beam.Impulse(s))
}

// Readers sets how many pollers Read runs at once (1 to 64, default 1):
// each is a restriction of its own, which the runner may place on any
// worker. More pollers drain a busy queue faster; one suffices for the
// few messages a day billing exports bring.
func Readers(n int) OptionFn {
	return func(o *options) error {
		if n < 1 || n > 64 {
			return fmt.Errorf("sqsio: Readers(%d): want 1 to 64", n)
		}
		o.readers = n
		return nil
	}
}

type readFn struct {
	Queue             string
	BatchSize         int
	WaitSeconds       int
	VisibilitySeconds int
	Readers           int
	q                 *Queue
}

func (fn *readFn) Setup(ctx context.Context) error {
	opts := []OptionFn{BatchSize(fn.BatchSize), WaitTime(time.Duration(fn.WaitSeconds) * time.Second)}
	if fn.VisibilitySeconds > 0 {
		opts = append(opts, VisibilityTimeout(time.Duration(fn.VisibilitySeconds)*time.Second))
	}
	var err error
	fn.q, err = Open(ctx, fn.Queue, opts...)
	return err
}

// The restriction counts messages read: there are no offsets on a queue,
// but a counter lets the runner split the work at a checkpoint.
func (fn *readFn) CreateInitialRestriction(_ []byte) offsetrange.Restriction {
	return offsetrange.Restriction{Start: 0, End: math.MaxInt64}
}

// SplitRestriction cuts the counter's range into one part per poller.
func (fn *readFn) SplitRestriction(_ []byte, r offsetrange.Restriction) []offsetrange.Restriction {
	n := int64(max(fn.Readers, 1))
	step := (r.End - r.Start) / n
	parts := make([]offsetrange.Restriction, 0, n)
	for i := int64(0); i < n; i++ {
		end := r.Start + (i+1)*step
		if i == n-1 {
			end = r.End
		}
		parts = append(parts, offsetrange.Restriction{Start: r.Start + i*step, End: end})
	}
	return parts
}

func (fn *readFn) RestrictionSize(_ []byte, r offsetrange.Restriction) float64 {
	return 1 // unknown and unbounded; one unit keeps the runner from splitting eagerly
}

func (fn *readFn) CreateTracker(r offsetrange.Restriction) *sdf.LockRTracker {
	return sdf.NewLockRTracker(offsetrange.NewTracker(r))
}

// TruncateRestriction ends the read when the pipeline drains.
func (fn *readFn) TruncateRestriction(rt *sdf.LockRTracker, _ []byte) offsetrange.Restriction {
	start := rt.GetRestriction().(offsetrange.Restriction).Start
	return offsetrange.Restriction{Start: start, End: start}
}

func (fn *readFn) CreateWatermarkEstimator() *sdf.WallTimeWatermarkEstimator {
	return &sdf.WallTimeWatermarkEstimator{}
}

func (fn *readFn) ProcessElement(ctx context.Context, _ *sdf.WallTimeWatermarkEstimator, rt *sdf.LockRTracker, _ []byte, emit func(beam.EventTime, Delivery)) (sdf.ProcessContinuation, error) {
	pos := rt.GetRestriction().(offsetrange.Restriction).Start
	msgs, err := fn.q.Receive(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return sdf.StopProcessing(), nil
		}
		// The queue being briefly unreachable is no reason to fail the
		// pipeline: nothing was received, so nothing is lost.
		log.Warnf(ctx, "sqsio.Read %s: %v; polling again in %s", fn.Queue, err, errorDelay)
		return sdf.ResumeProcessingIn(errorDelay), nil
	}
	if len(msgs) == 0 {
		return sdf.ResumeProcessingIn(idleDelay), nil
	}
	now := time.Now()
	for _, m := range msgs {
		if !rt.TryClaim(pos) {
			// Split or drained: the unclaimed messages come back after
			// their visibility timeout.
			return sdf.StopProcessing(), nil
		}
		pos++
		emit(beam.EventTime(now.UnixMilli()), Delivery{
			Queue: fn.Queue, ID: m.ID, ReceiptHandle: m.ReceiptHandle, Body: m.Body,
			ReceiveCount: m.ReceiveCount, SentAtMillis: m.SentAt.UnixMilli(),
		})
	}
	return sdf.ResumeProcessingIn(0), nil
}
