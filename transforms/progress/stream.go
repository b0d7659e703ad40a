package progress

import (
	"maps"
	"time"
)

// Stream is a stream's status at one moment.
type Stream struct {
	Received, Acked int            // queue messages
	InFlight        int            // received and not yet acknowledged
	Oldest          time.Time      // when the oldest message in flight was sent; zero when none
	Reports         map[string]int // report outcomes by status (committed, failed, skipped)
}

var (
	stream   Stream
	inFlight = map[string]time.Time{} // message ID to when it was sent
)

// Received counts a queue message read; a redelivered one in flight
// already counts once.
func Received(id string, sentAt time.Time) {
	mu.Lock()
	defer mu.Unlock()
	stream.Received++
	if _, ok := inFlight[id]; !ok {
		inFlight[id] = sentAt
	}
}

// Acked counts a queue message acknowledged (deleted).
func Acked(id string) {
	mu.Lock()
	defer mu.Unlock()
	stream.Acked++
	delete(inFlight, id)
}

// Reported counts a report's outcome by its status.
func Reported(status string) {
	mu.Lock()
	defer mu.Unlock()
	if stream.Reports == nil {
		stream.Reports = map[string]int{}
	}
	stream.Reports[status]++
}

// StreamNow returns the stream's status so far.
func StreamNow() Stream {
	mu.Lock()
	defer mu.Unlock()
	s := stream
	s.Reports = maps.Clone(stream.Reports)
	s.InFlight = len(inFlight)
	for _, t := range inFlight {
		if s.Oldest.IsZero() || t.Before(s.Oldest) {
			s.Oldest = t
		}
	}
	return s
}
