package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/curpipe/curpipe/io/awstest"
)

// streamProcess runs the built command's stream in a process of its own,
// with extra environment, until stop is called (SIGINT, as a person's
// Ctrl-C). It fails the test if the process ends by itself before.
func streamProcess(t *testing.T, env []string, args ...string) (stop func()) {
	t.Helper()
	cmd := exec.Command(curpipeBinary(t), append([]string{"stream"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return func() {
		t.Helper()
		select {
		case err := <-done:
			t.Errorf("the stream ended by itself: %v\n%s", err, tail(out.String(), 40))
			return
		default:
		}
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the stream's exit: %v\n%s", err, tail(out.String(), 40))
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Error("the stream did not stop within 30 s of SIGINT")
		}
		if t.Failed() {
			t.Logf("stream output:\n%s", tail(out.String(), 60))
		}
	}
}

// TestStreamOutage: one service at a time answers nothing but errors (or
// drops the connection) for 40 s while a stream processes a delivery. The
// stream stays up, the reports it could not finish come back through the
// queue, and once the service is back the totals are exact, in DynamoDB,
// with their notifications; nothing reaches the DLQ.
func TestStreamOutage(t *testing.T) {
	for _, tc := range []struct {
		service string // the SDK's name in AWS_ENDPOINT_URL_<SERVICE>
		fault   awstest.Fault
	}{
		{"DYNAMODB", awstest.Unavailable},
		{"S3", awstest.Drop},
		{"SNS", awstest.Throttle},
	} {
		t.Run(tc.service, func(t *testing.T) {
			proxy := awstest.NewProxy(t)
			env := quietEnv(t)
			env.redrive(t, 5)
			cfg := smallDelivery()
			cfg.Rows, cfg.Files = 600, 2
			d := newDelivery(t, env, cfg)
			table := newTotalsTable(t)
			topic, notices := topicWithQueue(t)
			stop := streamProcess(t, []string{"AWS_ENDPOINT_URL_" + tc.service + "=" + proxy.URL},
				"--queue", env.queue, "--output", "s3://"+env.bucket+"/lake", "--allow-bucket", env.bucket,
				"--totals-table", table, "--sns-topic", topic, "--window", "2s", "--wait", "1s")
			defer stop()
			time.Sleep(3 * time.Second) // the stream's start
			proxy.Fail(tc.fault, 40*time.Second)
			env.announce(t, d.keys...)
			waitFor(t, "the exact totals after the outage", 4*time.Minute, func() bool { return sameTotals(t, detail(t, "", table), d.want) })
			waitFor(t, "the committed notification", 2*time.Minute, func() bool {
				return len(notifications(t, env, notices, "dup 2024-01 committed")) > 0
			})
			waitFor(t, "an empty queue", 2*time.Minute, func() bool { return env.depth(t, env.queue) == 0 })
			if proxy.Failed() == 0 {
				t.Error("the outage failed no request")
			}
			t.Logf("%d requests failed during the outage", proxy.Failed())
			if n := env.depth(t, env.dlq); n != 0 {
				t.Errorf("%d messages in the DLQ", n)
			}
		})
	}
}

// TestBatchOutage: a run while one service answers nothing but errors
// for longer than curpipe's retries last (2 minutes a call) exits with
// status 1 naming the call and the cause; once the service is back the
// same command, rerun, completes what the outage stopped. With DynamoDB or
// S3 down nothing is committed; with SNS down the totals are committed
// and the notification is kept, and the rerun sends it.
// (The stream's outages, of each service, are TestStreamOutage's.)
func TestBatchOutage(t *testing.T) {
	for _, tc := range []struct {
		service   string // the SDK's name in AWS_ENDPOINT_URL_<SERVICE>
		cause     string // what the failure names
		committed bool   // whether the totals are committed during the outage
	}{
		{"DYNAMODB", "operation error DynamoDB", false},
		{"S3", "operation error S3", false},
		{"SNS", "operation error SNS: Publish", true},
	} {
		t.Run(tc.service, func(t *testing.T) {
			proxy := awstest.NewProxy(t)
			env := quietEnv(t)
			d := newDelivery(t, env, smallDelivery())
			table := newTotalsTable(t)
			topic, notices := topicWithQueue(t)
			run := func() (string, error) {
				cmd := exec.Command(curpipeBinary(t), "run", "--input", "s3://"+env.bucket+"/cur/",
					"--output", "s3://"+env.bucket+"/lake", "--totals-table", table, "--sns-topic", topic)
				cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL_"+tc.service+"="+proxy.URL)
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			proxy.Fail(awstest.Unavailable, 10*time.Minute)
			start := time.Now()
			out, err := run()
			t.Logf("during the outage: %v after %s, %d requests failed\n%s", err, time.Since(start).Round(time.Second), proxy.Failed(), tail(out, 8))
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\n%s", err, tail(out, 30))
			}
			if !strings.Contains(out, tc.cause) || !strings.Contains(out, "503") {
				t.Errorf("the failure does not name %s and its cause:\n%s", tc.cause, tail(out, 30))
			}
			if got := detail(t, "", table); sameTotals(t, got, d.want) != tc.committed {
				t.Errorf("totals during the outage (committed: want %v):\n%s", tc.committed, got)
			}

			proxy.Fail(awstest.Unavailable, 0)
			if out, err := run(); err != nil {
				t.Fatalf("rerun: %v\n%s", err, tail(out, 30))
			}
			if !sameTotals(t, detail(t, "", table), d.want) {
				t.Errorf("after the rerun the totals differ:\n%s\nwant\n%s", detail(t, "", table), d.want)
			}
			// One notification of the commit, from the run that committed
			// or, for SNS, from the rerun that sent the kept one.
			if got := notifications(t, env, notices, "dup 2024-01 committed"); len(got) != 1 {
				t.Errorf("committed notifications %q, want one", got)
			}
		})
	}
}
