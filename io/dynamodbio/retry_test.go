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
)

// TestTransientFaults fails the first calls of one operation and checks
// that the report still lands whole.
func TestTransientFaults(t *testing.T) {
	tests := []struct {
		name   string
		target string
		n      int
		status int
		body   func([]byte) string
		sdk    bool // keep the SDK's retryer (else only this package retries)
	}{
		{"throttled transactions", "TransactWriteItems", 3, 400, errorBody("ThrottlingException"), false},
		{"throughput exceeded on transactions", "TransactWriteItems", 2, 400, errorBody("ProvisionedThroughputExceededException"), false},
		{"500 on transactions", "TransactWriteItems", 3, 500, errorBody("InternalServerError"), false},
		{"transaction conflicts", "TransactWriteItems", 3, 400, cancelBody("TransactionConflict"), false},
		{"throttled items in transactions", "TransactWriteItems", 2, 400, cancelBody("ThrottlingError"), false},
		{"throttled queries", "Query", 4, 400, errorBody("ThrottlingException"), false},
		{"503 on queries", "Query", 2, 503, errorBody("ServiceUnavailable"), false},
		{"request limit on state reads", "GetItem", 2, 400, errorBody("RequestLimitExceeded"), false},
		{"throttled state updates", "UpdateItem", 2, 400, errorBody("ThrottlingException"), false},
		{"throttled marker puts", "PutItem", 2, 400, errorBody("ThrottlingException"), false},
		{"throttled transactions, SDK retryer too", "TransactWriteItems", 3, 400, errorBody("ThrottlingException"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fault{target: tc.target, n: tc.n, status: tc.status, body: tc.body}
			tbl := faultyTable(t, f)
			if tc.sdk {
				tbl = sdkRetryTable(t, tbl, f)
			}
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
			if hits, _ := f.count(); hits != tc.n {
				t.Errorf("%d faults injected, want %d", hits, tc.n)
			}
		})
	}
}

// sdkRetryTable rebuilds tbl's client with the SDK's standard retryer.
func sdkRetryTable(t *testing.T, tbl *Table, f *fault) *Table {
	t.Helper()
	cfg := testConfig(t)
	cfg.HTTPClient = &http.Client{Transport: f}
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 10 * time.Millisecond })
	}
	sdk, err := newTable(cfg, tbl.name)
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
		status int
		body   func([]byte) string
		code   string // the service error code wrapped, if any
		want   []string
	}{
		{"500 on transactions", "TransactWriteItems", 500, errorBody("InternalServerError"), "InternalServerError",
			[]string{"TransactWriteItems", "gave up after"}},
		{"conflicts on transactions", "TransactWriteItems", 400, cancelBody("TransactionConflict"), "TransactionCanceledException",
			[]string{"TransactWriteItems", "gave up after", "TransactionConflict"}},
		{"throttled queries", "Query", 400, errorBody("ThrottlingException"), "ThrottlingException",
			[]string{"Query", "gave up after"}},
		{"validation error on queries", "Query", 400, errorBody("ValidationException"), "ValidationException",
			[]string{"Query", "ValidationException"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fault{target: tc.target, n: -1, status: tc.status, body: tc.body}
			tbl := faultyTable(t, f)
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
			if hits, _ := f.count(); strings.Contains(tc.code, "Validation") && hits != 1 {
				t.Errorf("%d attempts at a permanent error, want 1", hits)
			}
		})
	}
}

// TestOutageFailsFast: once a call has run out of retries, the next makes
// one attempt and fails at once, naming the outage; the first call that
// succeeds ends it, and calls retry again after.
func TestOutageFailsFast(t *testing.T) {
	f := &fault{target: "Query", n: -1, status: 503, body: errorBody("ServiceUnavailable")}
	tbl := faultyTable(t, f)
	tbl.retry.deadline = 300 * time.Millisecond
	ctx := context.Background()
	if _, err := tbl.Query(ctx, d1, d1); err == nil || !strings.Contains(err.Error(), "gave up after") {
		t.Fatalf("first call: %v, want it to run out of retries", err)
	}
	_, before := f.count()
	start := time.Now()
	_, err := tbl.Query(ctx, d1, d1)
	if _, after := f.count(); err == nil || !strings.Contains(err.Error(), "not retried again") || after-before != 1 {
		t.Fatalf("during the outage: %v after %d attempts, want one attempt failing fast", err, after-before)
	}
	if took := time.Since(start); took > 250*time.Millisecond {
		t.Errorf("during the outage a call took %s", took)
	}
	f.mu.Lock()
	f.n = f.hits + 1 // one more failure, then the service is back
	f.mu.Unlock()
	if _, err := tbl.Query(ctx, d1, d1); err == nil {
		t.Fatal("the last failure did not fail")
	}
	if _, err := tbl.Query(ctx, d1, d1); err != nil {
		t.Fatalf("the service is back: %v", err)
	}
	f.mu.Lock()
	f.n = f.hits + 2 // two transient failures: retried again, as before the outage
	f.mu.Unlock()
	if _, err := tbl.Query(ctx, d1, d1); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}
