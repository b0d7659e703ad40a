package main

import (
	"fmt"
	"time"

	"github.com/curpipe/curpipe/transforms/progress"
)

// watchStream logs the stream's status every period until stop is
// called: messages received, acknowledged and in flight (with the age of
// the oldest), and reports committed, failed and skipped; nothing until
// the first message arrives, so an idle stream's log stays quiet.
func watchStream(period time.Duration) (stop func()) {
	progress.Reset()
	if period <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				s := progress.StreamNow()
				if s.Received == 0 && len(s.Reports) == 0 {
					continue
				}
				cmdLog.Info(statusLine(s, now), "received", s.Received, "acked", s.Acked, "in_flight", s.InFlight,
					"committed", s.Reports["committed"], "failed", s.Reports["failed"], "skipped", s.Reports["skipped"])
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// statusLine says what a stream has done, in words.
func statusLine(s progress.Stream, now time.Time) string {
	line := fmt.Sprintf("status: %d messages received, %d acknowledged, %d in flight", s.Received, s.Acked, s.InFlight)
	if !s.Oldest.IsZero() {
		line += fmt.Sprintf(" (oldest sent %s ago)", now.Sub(s.Oldest).Round(time.Second))
	}
	return line + fmt.Sprintf("; reports %d committed, %d failed, %d skipped", s.Reports["committed"], s.Reports["failed"], s.Reports["skipped"])
}
