package main

import (
	"context"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/forecast"
	"github.com/curpipe/curpipe/transforms/notify"
)

// alertDoc is the JSON an alert's body ends with.
type alertDoc struct {
	Status, AnomalyStartDate, LinkedAccount, Service string
	Impact                                           struct {
		TotalActualSpend, TotalExpectedSpend, TotalImpact decimal.Decimal
	}
	RootCauses []struct {
		Service, LinkedAccount, Region, UsageType string
		Impact                                    struct{ Contribution decimal.Decimal }
	}
}

// TestStreamAnomalies delivers a labelled history to a stream report
// version by report version, as AWS does: the history's normal days and
// month-start charges raise nothing; the version holding a spike raises
// exactly one alert, with its figures, when it commits; the same version
// delivered again raises nothing; the next version, which restates the
// spike away, resolves it.
func TestStreamAnomalies(t *testing.T) {
	env := newStreamEnv(t, viaS3)
	topic, alerts := topicWithQueue(t)
	reportTopic, reports := topicWithQueue(t)
	out := t.TempDir()

	h := history(t, 11, 75, 1, 3, 12, gen.Events{RestatedSpikes: 1})
	dir := t.TempDir()
	if _, err := h.Write(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(h.Labels, func(l gen.Label) bool { return l.Kind == gen.KindRestatedSpike })
	if i < 0 {
		t.Fatal("the history has no restated spike")
	}
	spike := h.Labels[i]
	spiked := slices.IndexFunc(h.Deliveries, func(d gen.Delivery) bool { return d.ID == spike.Group })
	restating := spiked + 1
	if spiked < 0 || restating >= len(h.Deliveries) || !h.Deliveries[restating].Period.Equal(h.Deliveries[spiked].Period) {
		t.Fatalf("the spike's version %s has no later version in its period", spike.Group)
	}
	day := spike.Start.Format(time.DateOnly)
	t.Logf("a spike of %s over %s in %s/%s on %s, held by version %d of %s", spike.Impact, spike.Expected,
		spike.Account, spike.Service, day, h.Deliveries[spiked].Version, h.Deliveries[spiked].Period.Format("2006-01"))

	// deliver puts a version as AWS does: its data, its manifest, then the
	// date-range folder's copy of the manifest naming it current.
	deliver := func(d gen.Delivery) {
		t.Helper()
		for _, key := range []string{d.Path, d.Manifest} {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
			if err != nil {
				t.Fatal(err)
			}
			env.put(t, key, b)
			if key == d.Manifest {
				env.put(t, path.Join(path.Dir(path.Dir(key)), path.Base(key)), b)
			}
		}
	}
	newAlerts := func() []alertDoc {
		t.Helper()
		var docs []alertDoc
		for _, n := range takeNotifications(t, env, alerts) {
			if n.MessageAttributes["type"].Value == "findings" {
				continue // a digest of savings findings shares the alerts' topic
			}
			body := n.Message
			var doc alertDoc
			if err := json.Unmarshal([]byte(body[strings.Index(body, "\n{")+1:]), &doc); err != nil {
				t.Fatalf("alert %q: %v\n%s", n.Subject, err, body)
			}
			if n.MessageAttributes["type"].Value != "anomaly" {
				t.Errorf("alert %q has type %v", n.Subject, n.MessageAttributes["type"])
			}
			docs = append(docs, doc)
			t.Logf("alert: %s", n.Subject)
		}
		return docs
	}
	settled := func(what string) {
		t.Helper()
		waitFor(t, what, 2*time.Minute, func() bool { return env.depth(t, env.queue) == 0 })
		time.Sleep(4 * time.Second) // a window for the last commit's evaluation to publish
	}

	stop := env.stream(t, out, "--alerts-topic", topic, "--sns-topic", reportTopic, "--alert-min-impact", "50", "--alert-horizon", "100000")
	defer stop()
	for _, d := range h.Deliveries[:spiked] {
		deliver(d)
	}
	settled("the history before the spike")
	if got := newAlerts(); len(got) != 0 {
		t.Errorf("the history before the spike raised %d alerts, want none", len(got))
	}

	deliver(h.Deliveries[spiked])
	settled("the version holding the spike")
	got := newAlerts()
	if len(got) != 1 {
		t.Fatalf("the spike raised %d alerts, want 1", len(got))
	}
	a := got[0]
	if a.Status != "open" || a.AnomalyStartDate != day || a.LinkedAccount != spike.Account || a.Service != spike.Service {
		t.Errorf("alert %+v, want an open one for %s/%s on %s", a, spike.Account, spike.Service, day)
	}
	if want := spike.Expected.Add(spike.Impact); !a.Impact.TotalActualSpend.Equal(want) {
		t.Errorf("alert's actual spend %s, want %s", a.Impact.TotalActualSpend, want)
	}
	if !a.Impact.TotalImpact.Equal(a.Impact.TotalActualSpend.Sub(a.Impact.TotalExpectedSpend)) || a.Impact.TotalImpact.Sign() <= 0 {
		t.Errorf("alert's impact %s is not actual %s - expected %s", a.Impact.TotalImpact, a.Impact.TotalActualSpend, a.Impact.TotalExpectedSpend)
	}

	// The spike's causes are its series' lines, read from the curated
	// files: the first moved the most, and by no more than the spike.
	t.Logf("root causes: %+v", a.RootCauses)
	if len(a.RootCauses) == 0 {
		t.Error("the spike's alert names no root causes")
	}
	for i, c := range a.RootCauses {
		if c.Service != spike.Service || c.LinkedAccount != spike.Account || c.Region == "" || c.UsageType == "" || c.Impact.Contribution.Sign() <= 0 {
			t.Errorf("root cause %d %+v is not a rising line of %s/%s", i, c, spike.Account, spike.Service)
		}
	}
	if len(a.RootCauses) > 0 && a.RootCauses[0].Impact.Contribution.Cmp(a.Impact.TotalActualSpend) > 0 {
		t.Errorf("the first root cause contributes %s, more than the spike's actual spend %s", a.RootCauses[0].Impact.Contribution, a.Impact.TotalActualSpend)
	}

	checkReportForecast(t, env, reports, out, spike.Payer)

	deliver(h.Deliveries[spiked]) // the same version again: a redelivery
	settled("the same version again")
	if got := newAlerts(); len(got) != 0 {
		t.Errorf("the same version again raised %d alerts, want none", len(got))
	}

	deliver(h.Deliveries[restating])
	settled("the version that restates the spike away")
	got = newAlerts()
	if len(got) != 1 || got[0].Status != "resolved" || got[0].AnomalyStartDate != day || got[0].Service != spike.Service {
		t.Fatalf("the restatement raised %+v, want one resolved alert for %s", got, day)
	}
	listed, err := curpipe(t, "anomalies", "--output", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(listed, day+","+spike.Payer+","+spike.Account+","+spike.Service+",") || !strings.Contains(listed, ",resolved,true,") {
		t.Errorf("curpipe anomalies does not list the resolved spike:\n%s", listed)
	}
}

// takeNotifications reads and deletes every SNS notification waiting on
// the queue.
func takeNotifications(t *testing.T, env streamEnv, queue string) []awstest.Envelope {
	t.Helper()
	ctx := context.Background()
	var got []awstest.Envelope
	for empty := 0; empty < 2; {
		out, err := env.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		for _, m := range out.Messages {
			var e awstest.Envelope
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &e); err != nil {
				t.Fatalf("decode SNS envelope %q: %v", aws.ToString(m.Body), err)
			}
			got = append(got, e)
			if _, err := env.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queue), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return got
}

// checkReportForecast takes the report notifications waiting on queue:
// the last committed one carries its payer's month to date and forecast,
// which are what curpipe forecast prints as of the same day.
func checkReportForecast(t *testing.T, env streamEnv, queue, out, payer string) {
	t.Helper()
	var last *notify.Body
	for _, n := range takeNotifications(t, env, queue) {
		if n.MessageAttributes["type"].Value != "report" {
			continue // a digest of savings findings
		}
		var b notify.Body
		if err := json.Unmarshal([]byte(n.Message), &b); err != nil {
			t.Fatalf("report notification %q: %v", n.Subject, err)
		}
		if b.Status == "committed" {
			last = &b
		}
	}
	if last == nil {
		t.Fatal("no committed report was notified")
	}
	if len(last.Forecasts) != 1 || last.Forecasts[0].Payer != payer {
		t.Fatalf("the report notification's forecasts %+v, want one of payer %s", last.Forecasts, payer)
	}
	f := last.Forecasts[0]
	t.Logf("report %s version %s: %s month to date %s, forecast %s (80%%: %s to %s) as of %s", last.Report, last.Version,
		f.BillingPeriod, f.MonthToDate, f.Forecast, f.Lower80, f.Upper80, f.AsOf)
	printed, err := curpipe(t, "forecast", "--output", out, "--as-of", f.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := forecast.ReadCSV(strings.NewReader(printed))
	if err != nil || len(rows) != 1 {
		t.Fatalf("curpipe forecast --as-of %s: %d rows, %v\n%s", f.AsOf, len(rows), err, printed)
	}
	if got := notify.ForecastOf(rows[0]); got != f {
		t.Errorf("the notification says %+v;\ncurpipe forecast --as-of %s says %+v", f, f.AsOf, got)
	}
}
