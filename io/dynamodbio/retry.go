package dynamodbio

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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

// do runs fn until it succeeds, fails for good, or the retries run out.
// Errors name the table and the call and wrap the service's error.
func (t *Table) do(ctx context.Context, call string, fn func(context.Context) error) error {
	a := t.retry.begin()
	for {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if !retryable(err) {
			return fmt.Errorf("%s on table %q: %w", call, t.name, err)
		}
		if werr := a.wait(ctx); werr != nil {
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
