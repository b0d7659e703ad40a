// Package awsretry holds what curpipe's AWS clients (sqsio, snsio,
// dynamodbio, s3io) share when they retry a call themselves: which errors
// are worth another call, and the backoff between their attempts.
//
// The SDK's retryer already retries inside each call. These packages
// retry around it for longer, because a stream or a backfill outlasts its
// attempts and its retry quota; one set of rules here means a throttled
// queue, topic, table and bucket are treated alike. For the wait itself
// they use smithy-go's time.SleepWithContext.
package awsretry

import (
	"context"
	"errors"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Retryable reports whether another call may succeed after err, for a
// caller whose context is ctx: never once ctx is done or the call was
// canceled; otherwise for throttling, the service's own failures (any
// 5xx status, and the codes that name them), a connection refused, reset,
// timed out or cut short, and the SDK's retry quota running dry.
func Retryable(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() == nil && retryables.IsErrorRetryable(err) == aws.TrueTernary
}

// Dropped reports whether err is a connection refused, reset, timed out
// or cut short, and ctx is not done: the narrower test for an error the
// SDK never sees, such as a response body breaking off after the call
// returned, where an error code or status says nothing.
func Dropped(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() == nil && dropped.IsErrorRetryable(err) == aws.TrueTernary
}

// codes are the transient error codes the SDK's defaults leave out, by
// the services that send them.
var codes = map[string]struct{}{
	// DynamoDB: a conflict with another transaction, and its failures.
	"TransactionConflictException": {},
	"InternalServerError":          {},
	// DynamoDB and SQS.
	"ServiceUnavailable": {},
	// SQS and SNS.
	"InternalError": {},
	// SQS: too many messages in flight, which clears as readers delete;
	// its KMS key throttled, under either name SQS gives it.
	"OverLimit":               {},
	"KmsThrottled":            {},
	"KMS.ThrottlingException": {},
	// SNS's throttling, its own and its KMS key's.
	"Throttled":     {},
	"KMSThrottling": {},
}

// The checks run in order and the first that knows decides: a canceled
// call is final, then what this package adds, then the SDK's defaults
// (an error that says it is retryable, connection errors, 500, 502, 503,
// 504, an unmodeled 429, the throttling and timeout codes).
var (
	dropped = retry.IsErrorRetryables{
		retry.IsErrorRetryableFunc(canceled),
		retry.NoRetryCanceledError{},
		retry.IsErrorRetryableFunc(cutShort),
		retry.RetryableConnectionError{},
	}
	retryables = append(retry.IsErrorRetryables{
		retry.IsErrorRetryableFunc(canceled),
		retry.NoRetryCanceledError{},
		retry.RetryableErrorCode{Codes: codes},
		retry.IsErrorRetryableFunc(serverError),
		retry.IsErrorRetryableFunc(quotaExceeded),
		retry.IsErrorRetryableFunc(cutShort),
	}, retry.DefaultRetryables...)
)

// canceled: a call canceled from inside is not retried either (the
// caller's own context is checked before).
func canceled(err error) aws.Ternary {
	if errors.Is(err, context.Canceled) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// serverError: any 5xx, where the SDK takes only 500, 502, 503 and 504.
func serverError(err error) aws.Ternary {
	var v interface{ HTTPStatusCode() int }
	if errors.As(err, &v) && v.HTTPStatusCode() >= 500 {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}

// quotaExceeded: the SDK stopped retrying because its retry quota ran
// dry, not because the error was final.
func quotaExceeded(err error) aws.Ternary {
	var qe ratelimit.QuotaExceededError
	if errors.As(err, &qe) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}

// cutShort: a response that ended before its length, a connection that
// broke without a reset.
func cutShort(err error) aws.Ternary {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}
