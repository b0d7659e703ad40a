package dynamodbio

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/curpipe/curpipe/io/awsretry"
	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	os.Exit(code)
}

// testConfig returns the AWS configuration for the moto endpoint.
func testConfig(t *testing.T) aws.Config {
	t.Helper()
	return awstest.Config(t).Copy()
}

// newTestTable returns a Table on cfg named for the test, with small pages
// (so that every read pages) and short retries. The table is not created.
func newTestTable(t *testing.T, cfg aws.Config) *Table {
	t.Helper()
	tbl, err := newTable(cfg, awstest.Name(t, "tbl"))
	if err != nil {
		t.Fatal(err)
	}
	tbl.pageLimit = 2
	tbl.retry = retryPolicy{
		backoff:  awsretry.Backoff{Base: 2 * time.Millisecond, Max: 20 * time.Millisecond, Jitter: awsretry.Full},
		deadline: 10 * time.Second,
	}
	admin := dynamodb.NewFromConfig(testConfig(t))
	t.Cleanup(func() {
		admin.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(tbl.name)})
	})
	return tbl
}

// createdTable returns a created, empty table for the test.
func createdTable(t *testing.T) *Table {
	t.Helper()
	tbl := newTestTable(t, testConfig(t))
	if err := tbl.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tbl
}

// row is a totals.Row of provider "aws"; costs are exact decimal strings.
func row(day, payer, account, service, currency, unblended, net, amortized string, items int64) totals.Row {
	return totals.Row{
		Dims: totals.Dims{Day: day, Provider: "aws", Payer: payer, Account: account, Service: service, Currency: currency},
		Sums: totals.Sums{
			Unblended:    decimal.MustParse(unblended),
			NetUnblended: decimal.MustParse(net),
			Amortized:    decimal.MustParse(amortized),
			LineItems:    items,
		},
	}
}

// tableOf sums rows into a totals.Table.
func tableOf(rows ...[]totals.Row) totals.Table {
	out := make(totals.Table)
	for _, rs := range rows {
		for _, r := range rs {
			out.Merge(r.Dims, r.Sums)
		}
	}
	return out
}

// detail renders tb as daily_detail.csv: exact decimal text, sorted.
func detail(t *testing.T, tb totals.Table) string {
	t.Helper()
	var b bytes.Buffer
	if err := tb.WriteDetail(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// wantQuery checks that Query over [from, to] returns exactly want.
func wantQuery(t *testing.T, tbl *Table, from, to string, want totals.Table) {
	t.Helper()
	got, err := tbl.Query(context.Background(), from, to)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	if g, w := detail(t, got), detail(t, want); g != w {
		t.Errorf("Query %s..%s:\n got %s\nwant %s", from, to, g, w)
	}
}

// report is one version of a report with its rows, applied as the commit
// stage does: WriteDay per day, then Commit.
type report struct {
	v    Version
	rows []totals.Row
}

func (r report) days() []string {
	var days []string
	seen := map[string]bool{}
	for _, x := range r.rows {
		if !seen[x.Day] {
			seen[x.Day] = true
			days = append(days, x.Day)
		}
	}
	return days
}

// apply writes r and commits it, returning the summed Stats of the writes,
// the commit's Stats and its error.
func apply(t *testing.T, tbl *Table, r report) (writes, commit Stats, err error) {
	t.Helper()
	ctx := context.Background()
	byDay := map[string][]totals.Row{}
	for _, x := range r.rows {
		byDay[x.Day] = append(byDay[x.Day], x)
	}
	for _, d := range r.days() {
		st, err := tbl.WriteDay(ctx, r.v, d, byDay[d])
		if err != nil {
			t.Fatalf("WriteDay %s %s: %v", r.v.Version, d, err)
		}
		writes.add(st)
	}
	commit, err = tbl.Commit(ctx, r.v, "cur", "2025-01", r.days())
	return writes, commit, err
}

func version(key, ver string, at int64) Version {
	return Version{ReportKey: key, ReportID: "s3://bucket/" + key, Version: ver, VersionTime: at}
}

// fault makes the first n calls of one DynamoDB operation fail (n < 0:
// all of them) with an HTTP status and an error body, before they reach
// the server.
type fault struct {
	target string // "TransactWriteItems", "Query", ...
	n      int
	status int
	body   func(req []byte) string // the error body; req is the request's

	mu    sync.Mutex
	hits  int // calls failed
	calls int // calls of target, failed or not
}

func (f *fault) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.TrimPrefix(req.Header.Get("X-Amz-Target"), "DynamoDB_20120810.") == f.target {
		f.mu.Lock()
		f.calls++
		hit := f.n < 0 || f.hits < f.n
		if hit {
			f.hits++
		}
		f.mu.Unlock()
		if hit {
			var body []byte
			if req.Body != nil {
				body, _ = io.ReadAll(req.Body)
				req.Body.Close()
			}
			out := f.body(body)
			return &http.Response{
				StatusCode: f.status,
				Status:     fmt.Sprintf("%d %s", f.status, http.StatusText(f.status)),
				Header: http.Header{
					"Content-Type":     {"application/x-amz-json-1.0"},
					"X-Amzn-Requestid": {"fault-injected"},
					"X-Amz-Crc32":      {strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(out))), 10)},
				},
				Body:    io.NopCloser(strings.NewReader(out)),
				Request: req,
			}, nil
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

// count returns the calls failed and the calls made.
func (f *fault) count() (hits, calls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits, f.calls
}

// errorBody returns a DynamoDB JSON error body of the given type.
func errorBody(typ string) func([]byte) string {
	return func([]byte) string {
		return fmt.Sprintf(`{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"injected %s"}`, typ, typ)
	}
}

// cancelBody returns a TransactionCanceledException body whose reasons
// give code to every item of the request.
func cancelBody(code string) func([]byte) string {
	return func(req []byte) string {
		var in struct{ TransactItems []json.RawMessage }
		json.Unmarshal(req, &in)
		reasons := make([]map[string]string, len(in.TransactItems))
		for i := range reasons {
			reasons[i] = map[string]string{"Code": code, "Message": "injected"}
		}
		b, _ := json.Marshal(map[string]any{
			"__type":              "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
			"message":             "Transaction cancelled, please refer cancellation reasons for specific reasons [injected]",
			"CancellationReasons": reasons,
		})
		return string(b)
	}
}

// faultyTable returns a created table whose client goes through f, with
// the SDK's retries off so that this package's own are what is tested.
func faultyTable(t *testing.T, f *fault) *Table {
	t.Helper()
	cfg := testConfig(t)
	cfg.HTTPClient = &http.Client{Transport: f}
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	tbl := newTestTable(t, cfg)
	if f.target == "DescribeTable" || f.target == "CreateTable" {
		return tbl
	}
	if err := tbl.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tbl
}
