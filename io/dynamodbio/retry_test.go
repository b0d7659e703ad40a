package dynamodbio

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/curpipe/curpipe/io/awstest"
)

// TestTransientFaults fails the first calls of one operation and checks
// that the report still lands whole.
func TestTransientFaults(t *testing.T) {
	tests := []struct {
		name   string
		target string
		n      int
		answer awstest.Answer
		sdk    bool // keep the SDK's retryer (else only this package retries)
	}{
		{"throttled transactions", "TransactWriteItems", 3, awstest.Error(400, "ThrottlingException"), false},
		{"throughput exceeded on transactions", "TransactWriteItems", 2, awstest.Error(400, "ProvisionedThroughputExceededException"), false},
		{"500 on transactions", "TransactWriteItems", 3, awstest.Error(500, "InternalServerError"), false},
		{"transaction conflicts", "TransactWriteItems", 3, awstest.CanceledTransaction("TransactionConflict"), false},
		{"throttled items in transactions", "TransactWriteItems", 2, awstest.CanceledTransaction("ThrottlingError"), false},
		{"throttled queries", "Query", 4, awstest.Error(400, "ThrottlingException"), false},
		{"503 on queries", "Query", 2, awstest.Error(503, "ServiceUnavailable"), false},
		{"request limit on state reads", "GetItem", 2, awstest.Error(400, "RequestLimitExceeded"), false},
		{"throttled state updates", "UpdateItem", 2, awstest.Error(400, "ThrottlingException"), false},
		{"throttled marker puts", "PutItem", 2, awstest.Error(400, "ThrottlingException"), false},
		{"throttled transactions, SDK retryer too", "TransactWriteItems", 3, awstest.Error(400, "ThrottlingException"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl, proxy := faultyTable(t)
			if tc.sdk {
				tbl = sdkRetryTable(t, tbl, proxy)
			}
			proxy.FailCalls(tc.target, tc.n, tc.answer)
			// v1 then v2 so that every kind of call happens: v2 deletes a
			// cell on d1, finds d2 unchanged (a lone marker put) and drops d3.
			v1 := report{version("k1", "v1", 1), append(slices.Clone(base), row(d3, "111", "C", "AmazonEC2", "USD", "1", "1", "1", 1))}
			if _, _, err := apply(t, tbl, v1); err != nil {
				t.Fatal(err)
			}
			v2 := report{version("k1", "v2", 2), slices.Concat(base[:2], base[4:])}
			if _, _, err := apply(t, tbl, v2); err != nil {
				t.Fatal(err)
			}
			wantQuery(t, tbl, d1, d3, tableOf(v2.rows))
			if hits := proxy.Failed(); hits != int64(tc.n) {
				t.Errorf("%d faults injected, want %d", hits, tc.n)
			}
		})
	}
}

// sdkRetryTable rebuilds tbl's client with the SDK's standard retryer.
func sdkRetryTable(t *testing.T, tbl *Table, p *awstest.Proxy) *Table {
	t.Helper()
	cfg := testConfig(t)
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 10 * time.Millisecond })
	}
	sdk, err := newTable(cfg, tbl.name, through(p))
	if err != nil {
		t.Fatal(err)
	}
	sdk.retry, sdk.pageLimit = tbl.retry, tbl.pageLimit
	return sdk
}

// TestPersistentFaults checks that a call that keeps failing gives up at
// the deadline with an error naming the table, the call and the cause.
func TestPersistentFaults(t *testing.T) {
	tests := []struct {
		name   string
		target string
		answer awstest.Answer
		code   string // the service error code wrapped, if any
		want   []string
	}{
		{"500 on transactions", "TransactWriteItems", awstest.Error(500, "InternalServerError"), "InternalServerError",
			[]string{"TransactWriteItems", "gave up after"}},
		{"conflicts on transactions", "TransactWriteItems", awstest.CanceledTransaction("TransactionConflict"), "TransactionCanceledException",
			[]string{"TransactWriteItems", "gave up after", "TransactionConflict"}},
		{"throttled queries", "Query", awstest.Error(400, "ThrottlingException"), "ThrottlingException",
			[]string{"Query", "gave up after"}},
		{"validation error on queries", "Query", awstest.Error(400, "ValidationException"), "ValidationException",
			[]string{"Query", "ValidationException"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl, proxy := faultyTable(t)
			proxy.FailCalls(tc.target, -1, tc.answer)
			tbl.retry.deadline = 300 * time.Millisecond
			var err error
			if tc.target == "Query" {
				_, err = tbl.Query(context.Background(), d1, d1)
			} else {
				_, err = tbl.WriteDay(context.Background(), version("k1", "v1", 1), d1, base[:1])
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append(tc.want, tbl.name) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
				t.Errorf("error wraps %v, want code %s", ae, tc.code)
			}
			if hits := proxy.Failed(); strings.Contains(tc.code, "Validation") && hits != 1 {
				t.Errorf("%d attempts at a permanent error, want 1", hits)
			}
		})
	}
}

// TestOutageFailsFast: once a call has run out of retries, the next makes
// one attempt and fails at once, naming the outage; the first call that
// succeeds ends it, and calls retry again after.
func TestOutageFailsFast(t *testing.T) {
	unavailable := awstest.Error(http.StatusServiceUnavailable, "ServiceUnavailable")
	tbl, proxy := faultyTable(t)
	proxy.FailCalls("Query", -1, unavailable)
	tbl.retry.deadline = 300 * time.Millisecond
	ctx := context.Background()
	if _, err := tbl.Query(ctx, d1, d1); err == nil || !strings.Contains(err.Error(), "gave up after") {
		t.Fatalf("first call: %v, want it to run out of retries", err)
	}
	before := proxy.Calls("Query")
	start := time.Now()
	_, err := tbl.Query(ctx, d1, d1)
	if after := proxy.Calls("Query"); err == nil || !strings.Contains(err.Error(), "not retried again") || after-before != 1 {
		t.Fatalf("during the outage: %v after %d attempts, want one attempt failing fast", err, after-before)
	}
	if took := time.Since(start); took > 250*time.Millisecond {
		t.Errorf("during the outage a call took %s", took)
	}
	proxy.FailCalls("Query", 1, unavailable) // one more failure, then the service is back
	if _, err := tbl.Query(ctx, d1, d1); err == nil {
		t.Fatal("the last failure did not fail")
	}
	if _, err := tbl.Query(ctx, d1, d1); err != nil {
		t.Fatalf("the service is back: %v", err)
	}
	proxy.FailCalls("Query", 2, unavailable) // two transient failures: retried again, as before the outage
	if _, err := tbl.Query(ctx, d1, d1); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}
