package sqsio

import (
	"context"
	"sync"
	"time"
)

// Delivery is one received message as it travels through a pipeline:
// what it says, and what the stage that commits its work needs to
// acknowledge it.
type Delivery struct {
	Queue         string
	ID            string
	ReceiptHandle string
	Body          []byte
	ReceiveCount  int
	SentAtMillis  int64
}

// Receipt names a received message to acknowledge.
type Receipt struct {
	Queue         string
	ID            string
	ReceiptHandle string
}

var (
	queuesMu sync.Mutex
	queues   = map[string]*Queue{}
)

// For returns a process-wide Queue for a URL, opened with the default
// options on first use, so that a process's stages share clients and
// keepers.
func For(ctx context.Context, url string) (*Queue, error) {
	queuesMu.Lock()
	defer queuesMu.Unlock()
	if q, ok := queues[url]; ok {
		return q, nil
	}
	q, err := Open(ctx, url)
	if err != nil {
		return nil, err
	}
	queues[url] = q
	return q, nil
}

// KeepInvisible extends the visibility of the given messages while work on
// them is under way, so that a report that takes longer than the queue's
// visibility timeout is never handed to a second reader. Call the returned
// function when the work is done.
func KeepInvisible(ctx context.Context, receipts []Receipt) (stop func(), err error) {
	var stops []func()
	for _, r := range receipts {
		q, err := For(ctx, r.Queue)
		if err != nil {
			for _, s := range stops {
				s()
			}
			return nil, err
		}
		stops = append(stops, q.Keep(ctx, r.ReceiptHandle, keepEvery, keepExtendBy))
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}, nil
}

// While work is under way, its messages are made invisible for another
// keepExtendBy every keepEvery: a crashed worker's messages come back
// within a minute, and a live one never lets them lapse.
const (
	keepEvery    = 15 * time.Second
	keepExtendBy = time.Minute
)
