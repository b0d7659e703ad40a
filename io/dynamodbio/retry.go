package dynamodbio

import (
	"context"
	"fmt"
	"sync"
	"time"

	smithytime "github.com/aws/smithy-go/time"

	"github.com/curpipe/curpipe/io/awsretry"
)

// retryPolicy bounds the retries of one call. The SDK's own retryer runs
// first (awsconfig allows it 10 attempts); this layer outlasts it, and also
// covers what the SDK does not retry: transactions cancelled by a conflict
// or by throttling of one of their items.
type retryPolicy struct {
	// backoff has full jitter, spreading out the shards that were
	// throttled together.
	backoff  awsretry.Backoff
	deadline time.Duration // give up once this long has passed since the first attempt
}

var defaultRetry = retryPolicy{
	backoff:  awsretry.Backoff{Base: 100 * time.Millisecond, Max: 5 * time.Second, Jitter: awsretry.Full},
	deadline: 2 * time.Minute,
}

// attempts tracks the retries of one call.
type attempts struct {
	p     retryPolicy
	start time.Time
	n     int // attempts made
}

func (p retryPolicy) begin() *attempts { return &attempts{p: p, start: time.Now()} }

// wait sleeps before the next attempt, never past the deadline. It
// returns an error when the deadline has passed or ctx is done.
func (a *attempts) wait(ctx context.Context) error {
	a.n++
	left := a.p.deadline - time.Since(a.start)
	if left <= 0 {
		return fmt.Errorf("gave up after %d attempts in %s", a.n, time.Since(a.start).Round(time.Millisecond))
	}
	return smithytime.SleepWithContext(ctx, min(a.p.backoff.Delay(a.n), left))
}

// outages holds, per table name, when a call last ran out of retries
// (a time.Time). Until a call to the table succeeds again, each call makes
// one attempt (with the SDK's own retries) instead of retrying for
// minutes: during a long outage a run fails its reports in about one
// deadline, not one deadline per day written, and a stream's reports
// fail and come back through their queue.
var outages sync.Map

// do runs fn until it succeeds, fails for good, or the retries run out.
// Errors name the table and the call and wrap the service's error.
func (t *Table) do(ctx context.Context, call string, fn func(context.Context) error) error {
	since, down := outages.Load(t.name)
	a := t.retry.begin()
	for {
		err := fn(ctx)
		if err == nil {
			if down {
				outages.Delete(t.name)
			}
			return nil
		}
		if !awsretry.Retryable(ctx, err) {
			return fmt.Errorf("%s on table %q: %w", call, t.name, err)
		}
		if down {
			return fmt.Errorf("%s on table %q: failing since %s, not retried again: %w",
				call, t.name, since.(time.Time).UTC().Format(time.TimeOnly), err)
		}
		if werr := a.wait(ctx); werr != nil {
			if ctx.Err() == nil {
				outages.LoadOrStore(t.name, a.start)
			}
			return fmt.Errorf("%s on table %q: %v: %w", call, t.name, werr, err)
		}
	}
}

// Cancellation reasons of a transaction worth another attempt.
var retryableReasons = map[string]bool{
	"TransactionConflict":           true,
	"ThrottlingError":               true,
	"ProvisionedThroughputExceeded": true,
	"RequestLimitExceeded":          true,
	"InternalServerError":           true,
}
