package dynamodbio

import (
	"bytes"
	"context"
	"os"
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
func newTestTable(t *testing.T, cfg aws.Config, optFns ...func(*dynamodb.Options)) *Table {
	t.Helper()
	tbl, err := newTable(cfg, awstest.Name(t, "tbl"), optFns...)
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

// faultyTable returns a created table whose client goes through a proxy,
// for the test to make fail, with the SDK's retries off so that this
// package's own are what is tested.
func faultyTable(t *testing.T) (*Table, *awstest.Proxy) {
	t.Helper()
	p := awstest.NewProxy(t)
	cfg := testConfig(t)
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	tbl := newTestTable(t, cfg, through(p))
	if err := tbl.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tbl, p
}

// through sends a DynamoDB client's calls to the proxy.
func through(p *awstest.Proxy) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(p.URL) }
}
