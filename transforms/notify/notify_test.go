package notify

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/io/lake"
	_ "github.com/curpipe/curpipe/io/localfs" // the lake in a temporary folder
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
)

func init() {
	register.Function1x1(describe)
	register.Function1x1(describeNotified)
}

// describe names an outcome for passert.
func describe(o element.Outcome) string { return o.Status + " " + o.Ref }

func TestMain(m *testing.M) {
	code := ptest.MainRet(m)
	awstest.Stop()
	os.Exit(code)
}

var (
	committed = element.Outcome{Ref: "r@v1", ReportID: "s3://b/cur/koku/20240101-20240201", Name: "koku", BillingPeriod: "2024-01",
		Version: "v1", Status: element.Committed, Files: 2, Rows: 10, Days: []string{"2024-01-01", "2024-01-02"},
		Totals: []element.CurrencyTotal{{Provider: "AWS", Currency: "USD", Unblended: decimal.MustParse("12.500"),
			NetUnblended: decimal.MustParse("0.000000000000000000001"), Amortized: decimal.MustParse("-3"), LineItems: 10}}}
	failed = element.Outcome{Ref: "r@v2", ReportID: "s3://b/x.csv", Name: "x.csv", Version: "v2", Status: element.Failed,
		Reason: "x.csv:3: a record is over the limit of 8 MiB (--max-record-bytes)", Days: []string{"2024-02-03"}}
	skipped = element.Outcome{Ref: "r@v3", ReportID: "s3://b/y.csv", Name: "y.csv", Status: element.Skipped, Reason: "committed already"}
)

// TestMessage: a notification's subject and body carry the figures as
// exact decimals (in their shortest exact form), the error of a failed report, and a billing period
// taken from the days when the report names none.
func TestMessage(t *testing.T) {
	for _, tc := range []struct {
		name    string
		o       element.Outcome
		subject string
		body    Body
	}{
		{"committed", committed, "curpipe: koku 2024-01 committed: 12.5 USD", Body{Status: "committed", Report: "koku",
			ReportID: committed.ReportID, BillingPeriod: "2024-01", Version: "v1", Days: committed.Days,
			FirstDay: "2024-01-01", LastDay: "2024-01-02", Files: 2, Rows: 10,
			Totals: []Currency{{Provider: "AWS", Currency: "USD", UnblendedCost: "12.5",
				NetUnblendedCost: "0.000000000000000000001", AmortizedCost: "-3", LineItems: 10}}}},
		{"failed, no billing period", failed, "curpipe: x.csv 2024-02 FAILED", Body{Status: "failed", Report: "x.csv",
			ReportID: failed.ReportID, Version: "v2", Days: failed.Days, FirstDay: "2024-02-03", LastDay: "2024-02-03",
			Totals: []Currency{}, Error: failed.Reason}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Message(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tc.subject {
				t.Errorf("subject %q, want %q", m.Subject, tc.subject)
			}
			if m.Attributes["type"] != "report" || m.Attributes["status"] != tc.o.Status || m.Attributes["report"] != tc.o.ReportID {
				t.Errorf("attributes %v", m.Attributes)
			}
			var got Body
			if err := json.Unmarshal(m.Body, &got); err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(tc.body)
			if again, _ := json.Marshal(got); string(again) != string(want) {
				t.Errorf("body\n%s\nwant\n%s", again, want)
			}
		})
	}
}

// TestPublish runs Publish on prism against an SNS topic on moto with a
// queue subscribed: each committed or failed report is told once, a
// skipped one not at all, and every outcome passes on.
func TestPublish(t *testing.T) {
	topic := awstest.Topic(t, false)
	queue := awstest.SubscribedQueue(t, topic, false)
	p, s := beam.NewPipelineWithRoot()
	out := Publish(s, beam.CreateList(s, []element.Outcome{committed, failed, skipped}), topic, Options{})
	passert.Equals(s, beam.ParDo(s, describe, out),
		"committed r@v1", "failed r@v2", "skipped r@v3")
	ptest.RunAndValidate(t, p)

	var subjects []string
	for _, n := range awstest.Notifications(t, queue, 2) {
		subjects = append(subjects, n.Subject)
		if !strings.Contains(n.Message, `"report_id": "s3://b/`) {
			t.Errorf("message body %q", n.Message)
		}
	}
	slices.Sort(subjects)
	if want := []string{"curpipe: koku 2024-01 committed: 12.5 USD", "curpipe: x.csv 2024-02 FAILED"}; !slices.Equal(subjects, want) {
		t.Errorf("subjects %q, want %q", subjects, want)
	}
}

// TestPublishUnsent: a notification SNS will not take is kept in the lake
// and its outcome marked Unnotified, without failing the bundle; when the
// same version of the report comes through again, skipped as committed,
// the kept message is sent and removed.
func TestPublishUnsent(t *testing.T) {
	topic := awstest.Topic(t, false)
	queue := awstest.SubscribedQueue(t, topic, false)
	proxy := awstest.NewProxy(t)
	t.Setenv("AWS_ENDPOINT_URL_SNS", proxy.URL)
	output := t.TempDir()
	opts := Options{Output: output, Deadline: 2 * time.Second}
	kept := lake.UnsentURL(output, committed.ReportID, committed.Version)

	proxy.Fail(awstest.Unavailable, time.Hour)
	p, s := beam.NewPipelineWithRoot()
	out := Publish(s, beam.CreateList(s, []element.Outcome{committed}), topic, opts)
	passert.Equals(s, beam.ParDo(s, describeNotified, out), "committed r@v1 unnotified")
	ptest.RunAndValidate(t, p)
	if _, err := os.Stat(kept); err != nil {
		t.Fatalf("the unsent message was not kept: %v", err)
	}
	if proxy.Failed() == 0 {
		t.Fatal("the proxy failed no request")
	}

	proxy.Fail(awstest.Unavailable, 0)
	again := committed
	again.Status, again.Reason, again.Totals = element.Skipped, "version v1 already committed", nil
	p, s = beam.NewPipelineWithRoot()
	out = Publish(s, beam.CreateList(s, []element.Outcome{again, skipped}), topic, opts)
	passert.Equals(s, beam.ParDo(s, describeNotified, out), "skipped r@v1 notified", "skipped r@v3 notified")
	ptest.RunAndValidate(t, p)
	n := awstest.Notifications(t, queue, 1)
	if n[0].Subject != "curpipe: koku 2024-01 committed: 12.5 USD" {
		t.Errorf("the kept message's subject %q", n[0].Subject)
	}
	if _, err := os.Stat(kept); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the sent message is still kept: %v", err)
	}
}

// describeNotified names an outcome and whether it was told.
func describeNotified(o element.Outcome) string {
	if o.Unnotified != "" {
		return describe(o) + " unnotified"
	}
	return describe(o) + " notified"
}
