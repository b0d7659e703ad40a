package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/pipeline/pipelinetest"
)

// TestSamplesThroughS3AndDynamoDB uploads each public sample to S3 in its
// delivery layout, runs the pipeline from S3 into a lake on S3 and a
// DynamoDB table, and reads the totals back with curpipe query: they
// equal the reference exactly.
func TestSamplesThroughS3AndDynamoDB(t *testing.T) {
	samples, err := pipelinetest.Samples("../..")
	if err != nil || len(samples) < 4 {
		t.Fatalf("samples: %v %v", samples, err)
	}
	billing, lake := newBucket(t, "billing"), newBucket(t, "lake")
	for _, dir := range samples {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			upload(t, filepath.Join(dir, "input"), billing, "cur/"+name)
			table := awstest.Name(t, "totals")
			if _, err := curpipe(t, "run", "--input", "s3://"+billing+"/cur/"+name+"/", "--output", "s3://"+lake+"/"+name,
				"--totals-table", table, "--create-table"); err != nil {
				t.Fatal(err)
			}
			ref, err := pipelinetest.Load(filepath.Join(dir, "reference_daily.csv"))
			if err != nil {
				t.Fatal(err)
			}
			first, last := ref.Span()
			out, err := curpipe(t, "query", "--table", table, "--from", first, "--to", last, "--detail")
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ref.Compare(readCSVTable(t, out)) {
				t.Error(d)
			}
		})
	}
}

// TestVersionsAndOrderInDynamoDB: a replay changes nothing, an older
// version after a newer is ignored, and two payers' reports for the same
// days sum the same whichever order they arrive in.
func TestVersionsAndOrderInDynamoDB(t *testing.T) {
	billing, lake := newBucket(t, "billing"), newBucket(t, "lake")
	dir := t.TempDir()
	period := "cur/%s/20240101-20240201"
	// Payer A delivers version aaa, then bbb; payer B delivers once.
	write := func(report, assembly, cost string) {
		base := filepath.Join(dir, fmt.Sprintf(period, report))
		key := fmt.Sprintf(period, report) + "/" + assembly + "/" + report + "-1.csv"
		writeFile(t, filepath.Join(base, assembly, report+"-1.csv"), curCSV(report, cost))
		writeFile(t, filepath.Join(base, assembly, report+"-Manifest.json"), manifest(assembly, report, key))
	}
	write("payera", "aaa", "100")
	upload(t, dir, billing, "")
	time.Sleep(1100 * time.Millisecond) // S3 times have one-second resolution: bbb is newer
	write("payera", "bbb", "7.5")
	write("payerb", "ccc", "0.25")
	upload(t, dir, billing, "")

	aaa := "s3://" + billing + "/" + fmt.Sprintf(period, "payera") + "/aaa/"
	bbb := "s3://" + billing + "/" + fmt.Sprintf(period, "payera") + "/bbb/"
	payerB := "s3://" + billing + "/" + fmt.Sprintf(period, "payerb") + "/"
	query := func(table string) string {
		out, err := curpipe(t, "query", "--table", table, "--from", "2024-01-01", "--to", "2024-01-31")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	runs := func(table string, inputs ...string) {
		for _, in := range inputs {
			// A lake of its own per run, so that only the table's version
			// guard stands between an old version and the totals.
			if _, err := curpipe(t, "run", "--input", in, "--output", fmt.Sprintf("s3://%s/%s-%d", lake, table, time.Now().UnixNano()),
				"--totals-table", table, "--create-table"); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := "usage_date,provider,currency,unblended_cost,net_unblended_cost,amortized_cost,line_items\n" +
		"2024-01-05,AWS,USD,7.75,7.75,7.75,2\n"

	ordered := awstest.Name(t, "ordered")
	runs(ordered, aaa, bbb, payerB)
	if got := query(ordered); got != want {
		t.Fatalf("A's old version, A's new version, then B:\n%s\nwant\n%s", got, want)
	}
	runs(ordered, bbb, aaa, payerB) // a replay, then the older version late
	if got := query(ordered); got != want {
		t.Errorf("after a replay and a late older version:\n%s\nwant\n%s", got, want)
	}

	reversed := awstest.Name(t, "reversed")
	runs(reversed, payerB, bbb, aaa)
	if got := query(reversed); got != want {
		t.Errorf("B first, then A's versions newest first:\n%s\nwant\n%s", got, want)
	}
}

// TestValidate passes on a good set-up and names each missing resource on
// a bad one.
func TestValidate(t *testing.T) {
	// The billing bucket notifies the stream's queue.
	env := newStreamEnv(t, viaS3)
	billing, lake := env.bucket, newBucket(t, "lake")
	upload(t, "../../testdata/samples/koku-aws-fixtures/input", billing, "cur")
	table := awstest.Name(t, "totals")
	if _, err := curpipe(t, "run", "--input", "s3://"+billing+"/cur/", "--output", "s3://"+lake+"/x",
		"--totals-table", table, "--create-table"); err != nil {
		t.Fatal(err)
	}
	topic := createTopic(t)
	out, err := curpipe(t, "validate", "--input", "s3://"+billing+"/cur/", "--output", "s3://"+lake+"/x",
		"--totals-table", table, "--sns-topic", topic, "--queue", env.queue)
	if err != nil || !strings.Contains(out, "all 10 checks passed") || !strings.Contains(out, "ok    topic "+topic+" accepts an alert") {
		t.Fatalf("validate on a good set-up: %v\n%s", err, out)
	}

	missingTopic := strings.TrimSuffix(topic, "-events") + "-missing"
	out, err = curpipe(t, "validate", "--input", "s3://no-such-billing/cur/", "--output", "s3://no-such-lake/x",
		"--totals-table", "no-such-table", "--sns-topic", missingTopic, "--queue", env.queue+"-missing")
	if err == nil {
		t.Fatalf("validate on a bad set-up passed:\n%s", out)
	}
	for _, want := range []string{
		"FAIL  input s3://no-such-billing/cur/ is listable: bucket no-such-billing does not exist",
		"FAIL  output s3://no-such-lake/x is writable: bucket no-such-lake does not exist",
		"FAIL  table no-such-table is ready",
		"FAIL  topic " + missingTopic + " exists",
		"FAIL  topic " + missingTopic + " accepts an alert",
		"FAIL  queue " + env.queue + "-missing is usable",
		"ok    the stream graph builds",
		"ok    the bundled sample computes its known totals on prism",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate output lacks %q:\n%s", want, out)
		}
	}
}
