package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/io/s3io"
	"github.com/curpipe/curpipe/runners/flinktest"
	"github.com/curpipe/curpipe/transforms/totals"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	flinktest.Stop()
	os.Exit(code)
}

// curpipe runs a command in process and returns what it printed.
func curpipe(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	if err != nil {
		t.Logf("curpipe %s: %v\nstderr:\n%s", strings.Join(args, " "), err, tail(errOut.String(), 20))
	}
	return out.String(), err
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// newBucket creates a bucket on the test endpoint.
func newBucket(t *testing.T, prefix string) string {
	t.Helper()
	awstest.Endpoint(t)
	c, err := s3io.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	name := awstest.Name(t, prefix)
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

// upload copies a local folder to s3://bucket/prefix/, keeping its layout.
func upload(t *testing.T, dir, bucket, prefix string) {
	t.Helper()
	c, err := s3io.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if prefix != "" {
			key = prefix + "/" + key
		}
		_, err = c.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(b),
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readCSVTable parses curpipe query --detail output.
func readCSVTable(t *testing.T, out string) totals.Table {
	t.Helper()
	tab := make(totals.Table)
	if err := tab.ReadDetail(strings.NewReader(out)); err != nil {
		t.Fatalf("query output: %v\n%s", err, out)
	}
	return tab
}

// writeFile writes a fixture file, creating its folders.
func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// curCSV is a one-line CUR export of a payer for 2024-01-05.
func curCSV(payer, cost string) []byte {
	return []byte("bill/PayerAccountId,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/CurrencyCode,lineItem/UnblendedCost\n" +
		payer + ",111111111111,Usage,2024-01-05T00:00:00Z,AmazonEC2,USD," + cost + "\n")
}

// manifest is a CUR 1.0 assembly manifest naming one key.
func manifest(assembly, report, key string) []byte {
	b, _ := json.Marshal(map[string]any{
		"assemblyId":    assembly,
		"reportName":    report,
		"billingPeriod": map[string]string{"start": "20240101T000000.000Z", "end": "20240201T000000.000Z"},
		"reportKeys":    []string{key},
	})
	return b
}

// createTopic creates an SNS topic and returns its ARN.
func createTopic(t *testing.T) string {
	t.Helper()
	out, err := sns.NewFromConfig(awstest.Config(t)).CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(awstest.Name(t, "t") + "-events")})
	if err != nil {
		t.Fatal(err)
	}
	return *out.TopicArn
}

// history generates curgen's labelled history: days of series over
// accounts per payer, with the events asked for.
func history(t *testing.T, seed uint64, days, payers, accounts, series int, events gen.Events) *gen.HistoryData {
	t.Helper()
	cfg := gen.DefaultHistoryConfig()
	cfg.Seed, cfg.Days, cfg.Payers, cfg.Accounts, cfg.Series, cfg.Events = seed, days, payers, accounts, series, events
	h, err := gen.History(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
