package queue

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

	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/transforms/progress"
)

func init() {
	register.DoFn5x2[context.Context, *sdf.WallTimeWatermarkEstimator, *sdf.LockRTracker, []byte,
		func(beam.EventTime, sqsio.Delivery), sdf.ProcessContinuation, error](&readFn{})
	register.Emitter2[beam.EventTime, sqsio.Delivery]()
}

// How long the reader waits before polling again after an empty poll or
// a failed one. Long polling already waited up to WaitTime.
const (
	idleDelay  = time.Second
	errorDelay = 5 * time.Second
)

// ReadOptions configure Read; zero fields take sqsio's defaults.
type ReadOptions struct {
	// BatchSize is how many messages one poll asks for, 1 to 10.
	BatchSize int
	// Wait is a poll's long-poll wait, whole seconds from 0 to 20.
	Wait time.Duration
	// Visibility is how long a received message stays invisible before
	// the stages that work on it extend it; 0 keeps the queue's.
	Visibility time.Duration
	// Readers is how many pollers run at once (1 to 64, default 1): each
	// is a restriction of its own, which the runner may place on any
	// worker. More pollers drain a busy queue faster; one suffices for the
	// few messages a day billing exports bring.
	Readers int
	// HoldLimit, when above zero, makes the reader hold every message it
	// receives invisible (sqsio.Queue.Hold) until the message is deleted,
	// released (Releases), or HoldLimit has passed since its receipt.
	// Zero keeps messages invisible only while a stage works on them.
	HoldLimit time.Duration
	// Releases is the folder where Release marks the messages of failed
	// work (ReleasesFolder of the output); a hold looks there.
	Releases string
	// Owner names the pipeline's holds in a process, for sqsio.EndHolds
	// once the pipeline ends there.
	Owner string
}

// client returns the sqsio options o sets.
func (o ReadOptions) client() []sqsio.OptionFn {
	var opts []sqsio.OptionFn
	if o.BatchSize > 0 {
		opts = append(opts, sqsio.BatchSize(o.BatchSize))
	}
	if o.Wait > 0 {
		opts = append(opts, sqsio.WaitTime(o.Wait))
	}
	if o.Visibility > 0 {
		opts = append(opts, sqsio.VisibilityTimeout(o.Visibility))
	}
	return opts
}

// Read is an unbounded source of the messages on an SQS queue
// (sqsio.Delivery). Each message is emitted once per receipt, timestamped
// with its read time, and left on the queue: the stage that commits its
// work deletes it (Ack), so a message whose work fails or is abandoned
// comes back after its visibility timeout, and the queue's redrive policy
// moves a poison message to the dead-letter queue after maxReceiveCount
// receipts.
//
// It polls with long polling, returns to the runner after every batch
// (self-checkpointing, so output flows downstream continuously), and
// advances the watermark with wall time. Options out of range are an
// error, before anything runs.
func Read(s beam.Scope, queueURL string, opts ReadOptions) (beam.PCollection, error) {
	s = s.Scope("queue.Read")
	if err := sqsio.CheckOptions(opts.client()...); err != nil {
		return beam.PCollection{}, fmt.Errorf("queue.Read %s: %w", queueURL, err)
	}
	if opts.Readers < 0 || opts.Readers > 64 {
		return beam.PCollection{}, fmt.Errorf("queue.Read %s: %d readers, want 1 to 64", queueURL, opts.Readers)
	}
	if opts.HoldLimit < 0 {
		return beam.PCollection{}, fmt.Errorf("queue.Read %s: hold limit %s, want at least 0", queueURL, opts.HoldLimit)
	}
	if opts.HoldLimit > 0 && opts.Releases == "" {
		return beam.PCollection{}, fmt.Errorf("queue.Read %s: a hold needs the folder of its releases", queueURL)
	}
	fn := &readFn{Queue: queueURL, BatchSize: opts.BatchSize, WaitSeconds: int(opts.Wait / time.Second),
		VisibilitySeconds: int(opts.Visibility / time.Second), Readers: max(opts.Readers, 1),
		Releases: opts.Releases, HoldLimitSeconds: int(opts.HoldLimit / time.Second), Owner: opts.Owner}
	return beam.ParDo(s, fn, beam.Impulse(s)), nil
}

type readFn struct {
	Queue             string
	BatchSize         int
	WaitSeconds       int
	VisibilitySeconds int
	Readers           int
	Releases          string
	HoldLimitSeconds  int
	Owner             string
	q                 *sqsio.Queue
}

func (fn *readFn) Setup(ctx context.Context) error {
	opts := ReadOptions{BatchSize: fn.BatchSize, Wait: time.Duration(fn.WaitSeconds) * time.Second,
		Visibility: time.Duration(fn.VisibilitySeconds) * time.Second}
	var err error
	fn.q, err = sqsio.Open(ctx, fn.Queue, opts.client()...)
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

func (fn *readFn) ProcessElement(ctx context.Context, _ *sdf.WallTimeWatermarkEstimator, rt *sdf.LockRTracker, _ []byte, emit func(beam.EventTime, sqsio.Delivery)) (sdf.ProcessContinuation, error) {
	pos := rt.GetRestriction().(offsetrange.Restriction).Start
	msgs, err := fn.q.Receive(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return sdf.StopProcessing(), nil
		}
		// The queue being briefly unreachable is no reason to fail the
		// pipeline: nothing was received, so nothing is lost.
		log.Warnf(ctx, "queue.Read %s: %v; polling again in %s", fn.Queue, err, errorDelay)
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
		if fn.HoldLimitSeconds > 0 {
			// Extend by the visibility asked for on receive (or Keep's
			// step), a third of it before it lapses.
			fn.q.Hold(m.ReceiptHandle, sqsio.HoldOptions{
				ExtendBy: time.Duration(fn.VisibilitySeconds) * time.Second,
				Limit:    time.Duration(fn.HoldLimitSeconds) * time.Second,
				Released: released(fn.Releases, m.ReceiptHandle),
				Owner:    fn.Owner,
			})
		}
		progress.Received(m.ID, m.SentAt)
		emit(beam.EventTime(now.UnixMilli()), sqsio.Delivery{
			Queue: fn.Queue, ID: m.ID, ReceiptHandle: m.ReceiptHandle, Body: m.Body,
			ReceiveCount: m.ReceiveCount, SentAtMillis: m.SentAt.UnixMilli(),
		})
	}
	return sdf.ResumeProcessingIn(0), nil
}
