package awsretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// status is a service error with an HTTP status, as the SDK returns it.
func status(code int, err error) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: err}}
}

func code(c string) error { return &smithy.GenericAPIError{Code: c} }

var (
	reset   = &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	refused = &smithyhttp.RequestSendError{Err: errors.New("dial tcp: connection refused")}
	closed  = fmt.Errorf("deserialization failed: %w", &net.OpError{Op: "read", Net: "tcp", Err: net.ErrClosed})
	dialTO  = &net.OpError{Op: "dial", Net: "tcp", Err: context.DeadlineExceeded}
)

func TestRetryable(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"nil", nil, nil, false},
		{"plain", nil, errors.New("plain"), false},
		// Throttling, under every service's name for it.
		{"SDK throttling code", nil, code("ThrottlingException"), true},
		{"DynamoDB throughput", nil, code("ProvisionedThroughputExceededException"), true},
		{"DynamoDB request limit", nil, code("RequestLimitExceeded"), true},
		{"SQS RequestThrottled", nil, code("RequestThrottled"), true},
		{"SQS KmsThrottled", nil, code("KmsThrottled"), true},
		{"SQS KMS.ThrottlingException", nil, code("KMS.ThrottlingException"), true},
		{"SNS Throttled, 429", nil, status(429, code("Throttled")), true},
		{"SNS KMSThrottling", nil, code("KMSThrottling"), true},
		{"S3 SlowDown", nil, code("SlowDown"), true},
		// Transient states of a service.
		{"DynamoDB transaction conflict", nil, code("TransactionConflictException"), true},
		{"DynamoDB transaction in progress", nil, code("TransactionInProgressException"), true},
		{"SQS OverLimit", nil, code("OverLimit"), true},
		{"request timeout code", nil, code("RequestTimeout"), true},
		// The service's own failures: their codes, and any 5xx.
		{"InternalServerError", nil, code("InternalServerError"), true},
		{"InternalError", nil, code("InternalError"), true},
		{"ServiceUnavailable", nil, code("ServiceUnavailable"), true},
		{"500", nil, status(500, errors.New("x")), true},
		{"501, beyond the SDK's four", nil, status(501, errors.New("x")), true},
		{"504", nil, status(504, errors.New("x")), true},
		// Connections.
		{"refused", nil, refused, true},
		{"reset", nil, reset, true},
		{"closed while reading the answer", nil, closed, true},
		{"dial timeout", nil, dialTO, true},
		{"answer cut short", nil, fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), true},
		{"no such host", nil, &net.DNSError{Err: "no such host", IsNotFound: true}, false},
		// The SDK's retry quota ran dry: the error was not final.
		{"retry quota", nil, errors.Join(code("Unknown"), ratelimit.QuotaExceededError{}), true},
		// Final answers.
		{"validation", nil, code("ValidationException"), false},
		{"condition failed", nil, code("ConditionalCheckFailedException"), false},
		{"access denied, 403", nil, status(403, code("AccessDenied")), false},
		{"invalid parameter", nil, status(400, code("InvalidParameterValue")), false},
		{"missing queue", nil, code("AWS.SimpleQueueService.NonExistentQueue"), false},
		{"missing topic", nil, status(404, code("NotFound")), false},
		// Canceled calls and callers that stopped.
		{"canceled", nil, context.Canceled, false},
		{"canceled by the SDK", nil, &smithy.CanceledError{Err: context.Canceled}, false},
		{"caller done", done, code("ThrottlingException"), false},
		{"caller done, its deadline", done, &smithy.CanceledError{Err: context.DeadlineExceeded}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			if got := Retryable(ctx, tc.err); got != tc.want {
				t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestDropped(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"reset", nil, reset, true},
		{"refused", nil, refused, true},
		{"closed", nil, closed, true},
		{"unexpected EOF", nil, io.ErrUnexpectedEOF, true},
		{"wrapped unexpected EOF", nil, fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"EOF", nil, io.EOF, false},
		{"plain", nil, errors.New("boom"), false},
		{"nil", nil, nil, false},
		// Dropped says nothing of what a service answered.
		{"throttling", nil, code("ThrottlingException"), false},
		{"500", nil, status(500, errors.New("x")), false},
		{"canceled", nil, fmt.Errorf("read: %w", context.Canceled), false},
		{"caller done", done, reset, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			if got := Dropped(ctx, tc.err); got != tc.want {
				t.Errorf("Dropped(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
