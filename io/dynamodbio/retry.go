package dynamodbio

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// backoff bounds the retries of one call. The SDK's own retryer runs first
// (awsconfig allows it 10 attempts); this layer outlasts it, and also covers
// what the SDK does not retry: transactions cancelled by a conflict or by
// throttling of one of their items.
type backoff struct {
	base, max time.Duration // first and largest sleep, before jitter
	deadline  time.Duration // give up once this long has passed since the first attempt
}

var defaultBackoff = backoff{base: 50 * time.Millisecond, max: 5 * time.Second, deadline: 2 * time.Minute}

// attempts tracks the retries of one call.
type attempts struct {
	b     backoff
	start time.Time
	n     int // attempts made
}

func (b backoff) begin() *attempts { return &attempts{b: b, start: time.Now()} }

// wait sleeps before the next attempt, with exponential backoff and full
// jitter (spreading out the shards that were throttled together). It
// returns an error when the deadline has passed or ctx is done.
func (a *attempts) wait(ctx context.Context) error {
	a.n++
	left := a.b.deadline - time.Since(a.start)
	if left <= 0 {
		return fmt.Errorf("gave up after %d attempts in %s", a.n, time.Since(a.start).Round(time.Millisecond))
	}
	ceiling := a.b.max
	if a.n < 30 && a.b.base<<a.n < ceiling {
		ceiling = a.b.base << a.n
	}
	d := min(time.Duration(rand.Int64N(int64(ceiling)+1)), left)
	return sleep(ctx, d)
}

func sleep(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
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
		if !retryable(err) {
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

// Error codes worth another attempt: throttling, conflicts with another
// transaction, and the service's own failures.
var retryableCodes = map[string]bool{
	"ThrottlingException":                    true,
	"Throttling":                             true,
	"ProvisionedThroughputExceededException": true,
	"RequestLimitExceeded":                   true,
	"TransactionConflictException":           true,
	"TransactionInProgressException":         true,
	"InternalServerError":                    true,
	"ServiceUnavailable":                     true,
	"LimitExceededException":                 true,
}

// Cancellation reasons of a transaction worth another attempt.
var retryableReasons = map[string]bool{
	"TransactionConflict":           true,
	"ThrottlingError":               true,
	"ProvisionedThroughputExceeded": true,
	"RequestLimitExceeded":          true,
	"InternalServerError":           true,
}

// retryable reports whether err is transient.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && retryableCodes[ae.ErrorCode()] {
		return true
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return true
	}
	// Connection refused or reset, also while reading a response: the
	// SDK's own test. Every call here is idempotent, so resending is safe.
	if (retry.RetryableConnectionError{}).IsErrorRetryable(err).Bool() {
		return true
	}
	var qe ratelimit.QuotaExceededError // the SDK's retry budget ran dry
	return errors.As(err, &qe)
}
