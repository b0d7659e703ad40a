package sqsio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/curpipe/curpipe/io/awstest"
)

func TestOpenOptions(t *testing.T) {
	const url = "https://sqs.us-east-1.amazonaws.com/111122223333/curpipe"
	bad := map[string][]OptionFn{
		"batch 0":            {BatchSize(0)},
		"batch 11":           {BatchSize(11)},
		"wait 21s":           {WaitTime(21 * time.Second)},
		"wait 1.5s":          {WaitTime(1500 * time.Millisecond)},
		"visibility 0":       {VisibilityTimeout(0)},
		"visibility 13h":     {VisibilityTimeout(13 * time.Hour)},
		"step 500ms":         {ExtensionStep(500 * time.Millisecond)},
		"nil logger":         {Logger(nil)},
		"later option fails": {BatchSize(5), BatchSize(-1)},
	}
	for name, opts := range bad {
		if _, err := newQueue(nil, url, opts); err == nil || !strings.Contains(err.Error(), "sqsio.Open") {
			t.Errorf("%s: error %v, want one naming sqsio.Open", name, err)
		}
	}
	for _, u := range []string{"", "curpipe", "arn:aws:sqs:us-east-1:111122223333:curpipe", "https://sqs.us-east-1.amazonaws.com/curpipe"} {
		if _, err := newQueue(nil, u, nil); err == nil {
			t.Errorf("queue URL %q accepted", u)
		}
	}
	q, err := newQueue(nil, url, []OptionFn{BatchSize(1), WaitTime(0), VisibilityTimeout(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if o := q.opts; o.batchSize != 1 || o.wait != 0 || o.visibility != time.Minute || o.step != DefaultExtensionStep {
		t.Errorf("options %+v", o)
	}
}

// TestReceive checks Message's fields on a plain S3 notification sent to
// the queue.
func TestReceive(t *testing.T) {
	url, _ := createQueue(t, 30*time.Second, 0)
	body, err := os.ReadFile("testdata/s3-put.json")
	if err != nil {
		t.Fatal(err)
	}
	sendBody(t, url, string(body))
	q := openQueue(t, url)
	m := receiveN(t, q, 1, 5*time.Second)[0]
	if m.ID == "" || m.ReceiptHandle == "" || !bytes.Equal(m.Body, body) || m.ReceiveCount != 1 || time.Since(m.SentAt) > time.Minute {
		t.Errorf("message %+v", m)
	}
	if ev, err := Decode(m.Body); err != nil || ev.Kind != Created {
		t.Errorf("Decode: %v %v", ev, err)
	}
}

// TestDelete deletes 12 messages (two batch calls), then checks how handles
// that are no longer valid are reported.
func TestDelete(t *testing.T) {
	url, _ := createQueue(t, 30*time.Second, 0)
	for i := range 12 {
		sendBody(t, url, fmt.Sprintf(`{"n":%d}`, i))
	}
	q := openQueue(t, url, VisibilityTimeout(time.Second))
	msgs := receiveN(t, q, 12, 10*time.Second)
	handles := make([]string, len(msgs))
	for i, m := range msgs {
		handles[i] = m.ReceiptHandle
	}
	if err := q.Delete(ctx, append(handles, handles[0])...); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	time.Sleep(1500 * time.Millisecond) // past the 1 s visibility: undeleted messages would be back
	if got, err := q.Receive(ctx); err != nil || len(got) != 0 {
		t.Fatalf("after Delete, Receive = %d messages, %v; want none", len(got), err)
	}
	// Moto, like SQS, accepts a second delete of a deleted message; a handle
	// it never issued is ReceiptHandleIsInvalid.
	err := q.Delete(ctx, handles[1], "AQEB-not-a-handle")
	var berr *BatchError
	if !errors.As(err, &berr) || !errors.Is(err, ErrStaleHandle) {
		t.Fatalf("Delete of a bad handle: %v, want a *BatchError matching ErrStaleHandle", err)
	}
	if len(berr.Failed) != 1 || berr.Failed[0].Index != 1 || berr.Failed[0].Code != "ReceiptHandleIsInvalid" || berr.Total != 2 {
		t.Errorf("batch error %+v", berr)
	}
	t.Logf("stale: %v", err)
	if err := q.Delete(ctx, ""); err == nil || errors.Is(err, ErrStaleHandle) {
		t.Errorf("Delete of an empty handle: %v, want an error other than ErrStaleHandle", err)
	}
}

func TestChangeVisibility(t *testing.T) {
	url, _ := createQueue(t, 30*time.Second, 0)
	sendBody(t, url, `{"n":1}`)
	sendBody(t, url, `{"n":2}`)
	q := openQueue(t, url)
	msgs := receiveN(t, q, 2, 5*time.Second)
	// Back to the queue at once, though the queue's timeout is 30 s.
	if err := q.ChangeVisibility(ctx, 0, msgs[0].ReceiptHandle, msgs[1].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	again := receiveN(t, q, 2, 5*time.Second)
	if again[0].ReceiveCount != 2 || again[1].ReceiveCount != 2 {
		t.Errorf("receive counts %d, %d, want 2", again[0].ReceiveCount, again[1].ReceiveCount)
	}
	if err := q.Delete(ctx, again[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if err := q.ChangeVisibility(ctx, time.Minute, again[0].ReceiptHandle); !errors.Is(err, ErrStaleHandle) {
		t.Errorf("ChangeVisibility of a deleted message: %v, want ErrStaleHandle", err)
	}
	if err := q.ChangeVisibility(ctx, 13*time.Hour, again[1].ReceiptHandle); err == nil {
		t.Error("ChangeVisibility accepted 13h")
	}
}

// TestKeep keeps two messages invisible well past the queue's 2 s
// visibility timeout, then lets them go: one by stop, one by its context.
func TestKeep(t *testing.T) {
	url, _ := createQueue(t, 2*time.Second, 0)
	sendBody(t, url, `{"n":1}`)
	sendBody(t, url, `{"n":2}`)
	q := openQueue(t, url)
	msgs := receiveN(t, q, 2, 5*time.Second)
	kctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := q.Keep(ctx, msgs[0].ReceiptHandle, 500*time.Millisecond, 2*time.Second)
	q.Keep(kctx, msgs[1].ReceiptHandle, 0, 2*time.Second)
	other := openQueue(t, url) // a second reader
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		got, err := other.Receive(ctx)
		if err != nil || len(got) != 0 {
			t.Fatalf("while kept, a second reader received %d messages, %v", len(got), err)
		}
	}
	stop()
	stop() // harmless
	cancel()
	back := receiveN(t, other, 2, 5*time.Second)
	if back[0].ReceiveCount != 2 || back[1].ReceiveCount != 2 {
		t.Errorf("receive counts %d, %d, want 2", back[0].ReceiveCount, back[1].ReceiveCount)
	}
	waitKeeperIdle(t, q)
}

// TestKeepStale: SQS refuses to extend a handle it does not know; the
// Keeper logs that and drops the message.
func TestKeepStale(t *testing.T) {
	url, _ := createQueue(t, 30*time.Second, 0)
	var logs bytes.Buffer
	q := openQueue(t, url, Logger(slog.New(slog.NewTextHandler(&logs, nil))))
	stop := q.Keep(ctx, "AQEB-not-a-handle", 100*time.Millisecond, time.Second)
	defer stop()
	waitKeeperIdle(t, q)
	if !strings.Contains(logs.String(), "stale=true") || !strings.Contains(logs.String(), "ReceiptHandleIsInvalid") {
		t.Errorf("log %q, want the refused extension", logs.String())
	}
}

// waitKeeperIdle waits for the Keeper's goroutine to end, as it should once
// no message is held.
func waitKeeperIdle(t *testing.T, q *Queue) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		q.keep.mu.Lock()
		running, n := q.keep.running, len(q.keep.held)
		q.keep.mu.Unlock()
		if !running && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("keeper still running with %d messages", n)
		}
	}
}

// TestRedrive: a failed message is released without a call; SQS
// redelivers it after its visibility timeout, and after maxReceiveCount (2)
// receives the redrive policy moves it to the dead-letter queue.
func TestRedrive(t *testing.T) {
	url, dlqURL := createQueue(t, time.Second, 2)
	sendBody(t, url, `{"poison":true}`)
	q := openQueue(t, url)
	for want := 1; want <= 2; want++ {
		m := receiveN(t, q, 1, 5*time.Second)[0]
		if m.ReceiveCount != want {
			t.Fatalf("receive count %d, want %d", m.ReceiveCount, want)
		}
		ReleaseForRetry(q.Keep(ctx, m.ReceiptHandle, 0, time.Second))
	}
	time.Sleep(1200 * time.Millisecond)
	if got, err := q.Receive(ctx); err != nil || len(got) != 0 {
		t.Fatalf("third receive: %d messages, %v; want none", len(got), err)
	}
	dead := receiveN(t, openQueue(t, dlqURL), 1, 5*time.Second)[0]
	if string(dead.Body) != `{"poison":true}` {
		t.Errorf("dead-letter queue holds %s", dead.Body)
	}
}

func TestReceiveMissingQueue(t *testing.T) {
	url, _ := createQueue(t, 30*time.Second, 0)
	q := openQueue(t, url+"-gone")
	start := time.Now()
	_, err := q.Receive(ctx)
	if !errors.Is(err, ErrQueueNotFound) || time.Since(start) > 5*time.Second {
		t.Errorf("Receive on a missing queue: %v after %s, want ErrQueueNotFound at once", err, time.Since(start))
	}
	t.Logf("missing: %v", err)
}

// TestRetries: entries SQS fails on its side are sent again, then reported;
// a call answered with a 500 is retried.
func TestRetries(t *testing.T) {
	url, _ := createQueue(t, 30*time.Second, 0)
	for i := range 3 {
		sendBody(t, url, fmt.Sprintf(`{"n":%d}`, i))
	}
	// A call SQS answers with a 500 is retried.
	recv := awstest.NewProxy(t)
	recv.FailCalls("ReceiveMessage", 2, awstest.Error(http.StatusInternalServerError, "InternalError"))
	msgs := receiveN(t, faultyQueue(t, url, recv), 3, 10*time.Second)
	if n := recv.Calls("ReceiveMessage"); n < 3 {
		t.Errorf("%d ReceiveMessage calls, want the 2 failed ones retried", n)
	}
	// Entries SQS fails on its side every time are reported.
	vis := awstest.NewProxy(t)
	vis.FailCalls("ChangeMessageVisibilityBatch", -1, awstest.FailedEntries("InternalError"))
	err := faultyQueue(t, url, vis).ChangeVisibility(ctx, time.Minute, msgs[0].ReceiptHandle, msgs[1].ReceiptHandle)
	var berr *BatchError
	if !errors.As(err, &berr) || errors.Is(err, ErrStaleHandle) || len(berr.Failed) != 2 || berr.Failed[0].Code != "InternalError" {
		t.Fatalf("ChangeVisibility failing on the server's side: %v", err)
	}
	if got := vis.Calls("ChangeMessageVisibilityBatch"); got != entryAttempts {
		t.Errorf("%d calls, want %d", got, entryAttempts)
	}
	// Entries SQS failed once are sent again.
	del := awstest.NewProxy(t)
	del.FailCalls("DeleteMessageBatch", 1, awstest.FailedEntries("InternalError"))
	if err := faultyQueue(t, url, del).Delete(ctx, msgs[0].ReceiptHandle, msgs[1].ReceiptHandle, msgs[2].ReceiptHandle); err != nil {
		t.Fatalf("Delete after one failed call: %v", err)
	}
	if n := del.Calls("DeleteMessageBatch"); n != 2 {
		t.Errorf("%d DeleteMessageBatch calls, want 2", n)
	}
}
