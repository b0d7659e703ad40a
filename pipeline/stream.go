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
	register.Function3x0(toReceipts)
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
	// HoldLimit, above zero, has the reader hold each message invisible
	// from its receipt until its report commits or fails, whichever
	// worker that happens on, for at most HoldLimit; past it, a message
	// whose work was lost (a runner's restart from a checkpoint taken
	// after the message was read, say) is received again. Zero leaves the
	// gaps between the stages that extend a message to Visibility
	// (curpipe stream's --hold-limit defaults to 10 minutes).
	HoldLimit time.Duration
	// Owner names the stream's holds on its messages: once the stream
	// ends in a process that lives on, sqsio.EndHolds(Owner) lets them go.
	Owner string
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
		Visibility: q.Visibility, Readers: q.Readers, Releases: queue.ReleasesFolder(c.Output), HoldLimit: q.HoldLimit, Owner: q.Owner})
	if err != nil {
		return err
	}
	// The reshuffle ends the reader's bundle at the window: resolving a
	// message can take the S3 retries' minutes, and a reader's bundle that
	// long is split by the runner, whose other half's wall-time watermark
	// would pass the window and make the slow half's reports late, dropped
	// at the next GroupByKey with their outcomes.
	windowed := beam.Reshuffle(s, beam.WindowInto(s, window.NewFixedWindows(q.Window), deliveries))
	reports := reports.ResolveEvents(s, windowed, reports.ListOptions{Output: c.Output, Reprocess: c.Reprocess, Limits: c.ReportLimits, Roles: c.Roles})
	outcomes := process(s, c, reports, true)
	c.evaluate(s, commit.Finalize(s, outcomes, commit.Options{Output: c.Output, Table: c.TotalsTable}, ""))
	acks, releases := beam.ParDo2(s, toReceipts, outcomes)
	queue.Ack(s, acks)
	if q.HoldLimit > 0 {
		queue.Release(s, queue.ReleasesFolder(c.Output), releases)
	}
	return nil
}

// toReceipts lists the messages of an outcome: to acknowledge when its
// report committed or was skipped and notified, to release (to be
// received again) when it failed or its notification did.
func toReceipts(o element.Outcome, ack, release func(sqsio.Receipt)) {
	emit := ack
	if o.Status == element.Failed || o.Unnotified != "" {
		emit = release
	}
	for _, r := range element.Receipts(o.Messages) {
		emit(r)
	}
}
