package sqsio

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestHold: a held message stays invisible past its visibility timeout
// with nobody working on it, until its deletion (SQS refuses the next
// extension), its release, or the hold's limit ends the hold; then the
// keeper goes idle, and a released or expired message comes back.
func TestHold(t *testing.T) {
	url, _ := createQueue(t, 2*time.Second, 0)
	for _, b := range []string{`{"n":1}`, `{"n":2}`, `{"n":3}`} {
		sendBody(t, url, b)
	}
	q := openQueue(t, url)
	msgs := receiveN(t, q, 3, 5*time.Second)
	var released atomic.Bool
	o := HoldOptions{Every: 500 * time.Millisecond, ExtendBy: 2 * time.Second}
	q.Hold(msgs[0].ReceiptHandle, o)
	released1 := o
	released1.Released = func(context.Context) (bool, error) { return released.Load(), nil }
	q.Hold(msgs[1].ReceiptHandle, released1)
	limited := o
	limited.Limit = 4 * time.Second
	q.Hold(msgs[2].ReceiptHandle, limited)

	other := openQueue(t, url) // a second reader
	for deadline := time.Now().Add(3500 * time.Millisecond); time.Now().Before(deadline); {
		if got, err := other.Receive(ctx); err != nil || len(got) != 0 {
			t.Fatalf("while held, a second reader received %d messages, %v", len(got), err)
		}
	}
	if err := q.Delete(ctx, msgs[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	released.Store(true)
	// The second comes back once released, the third once past its limit;
	// the first, deleted, never.
	back := receiveN(t, other, 2, 8*time.Second)
	for _, m := range back {
		if string(m.Body) == `{"n":1}` {
			t.Errorf("the deleted message came back")
		}
	}
	waitKeeperIdle(t, q)
}

// TestEndHolds: a pipeline that ends in a process that lives on ends its
// holds, and only its own; its messages come back.
func TestEndHolds(t *testing.T) {
	url, _ := createQueue(t, 2*time.Second, 0)
	sendBody(t, url, `{"n":1}`)
	sendBody(t, url, `{"n":2}`)
	q := openQueue(t, url)
	msgs := receiveN(t, q, 2, 5*time.Second)
	q.Hold(msgs[0].ReceiptHandle, HoldOptions{Every: 500 * time.Millisecond, ExtendBy: 2 * time.Second, Owner: "stream-a"})
	q.Hold(msgs[1].ReceiptHandle, HoldOptions{Every: 500 * time.Millisecond, ExtendBy: 2 * time.Second, Owner: "stream-b"})
	if n := EndHolds("stream-a"); n != 1 {
		t.Errorf("EndHolds(stream-a) ended %d holds, want 1", n)
	}
	back := receiveN(t, openQueue(t, url), 1, 6*time.Second)
	if string(back[0].Body) != `{"n":1}` {
		t.Errorf("%s came back, want stream-a's message", back[0].Body)
	}
	if !Unhold(msgs[1].ReceiptHandle) || Unhold(msgs[1].ReceiptHandle) {
		t.Error("Unhold: want true for stream-b's hold, then false")
	}
	waitKeeperIdle(t, q)
}
