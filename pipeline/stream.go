package pipeline

import (
	"errors"
	"fmt"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/graph/window"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/transforms/commit"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/queue"
	"github.com/curpipe/curpipe/transforms/reports"
)

func init() {
	register.Function2x0(toReceipts)
	register.Emitter1[sqsio.Receipt]()
}

// StreamConfig is what a stream needs besides a Config.
type StreamConfig struct {
	// Queue is the SQS queue URL the S3 events arrive on.
	Queue string
	// Window cuts the stream into fixed windows of read time, so that it
	// commits continuously.
	Window time.Duration
	// BatchSize and WaitTime tune the queue polling; zero keeps sqsio's
	// defaults. Visibility is asked for on receive; zero means long enough
	// to outlast the window, after which the working stages extend it.
	BatchSize  int
	WaitTime   time.Duration
	Visibility time.Duration
	// Readers is how many pollers read the queue at once; 0 means one.
	Readers int
}

// Validate checks a StreamConfig.
func (q StreamConfig) Validate() error {
	var errs []error
	if q.Queue == "" {
		errs = append(errs, errors.New("no queue: give --queue"))
	}
	if q.Window < time.Second {
		errs = append(errs, fmt.Errorf("--window %s: must be at least 1s", q.Window))
	}
	return errors.Join(errs...)
}

// Stream adds the stream graph to s: read S3 events from the queue, cut
// them into windows of read time, resolve each to its report, process it
// as the batch graph does, and acknowledge each message once its report
// is committed (or deliberately skipped). A failed report's messages stay
// on the queue: SQS redelivers them, and the redrive policy moves them to
// the dead-letter queue after maxReceiveCount.
func Stream(s beam.Scope, c Config, q StreamConfig) error {
	if err := q.Validate(); err != nil {
		return err
	}
	if c.Output == "" {
		return errors.New("no output: give --output")
	}
	if q.Visibility == 0 {
		// A message waits for its window to close before any stage works
		// on it (and extends it); until then its receipt must hold.
		q.Visibility = 2*q.Window + q.WaitTime + 30*time.Second
	}
	deliveries, err := queue.Read(s, q.Queue, queue.ReadOptions{BatchSize: q.BatchSize, Wait: q.WaitTime,
		Visibility: q.Visibility, Readers: q.Readers})
	if err != nil {
		return err
	}
	windowed := beam.WindowInto(s, window.NewFixedWindows(q.Window), deliveries)
	reports := reports.ResolveEvents(s, windowed, reports.ListOptions{Output: c.Output, Reprocess: c.Reprocess, Limits: c.ReportLimits, Roles: c.Roles})
	outcomes := process(s, c, reports, true)
	c.evaluate(s, commit.Finalize(s, outcomes, commit.Options{Output: c.Output, Table: c.TotalsTable}, ""))
	queue.Ack(s, beam.ParDo(s, toReceipts, outcomes))
	return nil
}

// toReceipts lists the messages to acknowledge for an outcome.
func toReceipts(o element.Outcome, emit func(sqsio.Receipt)) {
	if o.Status == element.Failed || o.Unnotified != "" {
		return
	}
	for _, r := range element.Receipts(o.Messages) {
		emit(r)
	}
}
