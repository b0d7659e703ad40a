package progress

import (
	"testing"
	"time"
)

func TestCounts(t *testing.T) {
	Reset()
	t.Cleanup(Reset)
	Expect("a", 100)
	Expect("b", 300)
	Expect("a", 100) // listed twice, counted once
	Done("a")
	Done("z") // never expected: a stream's file
	Done("a") // done twice, counted once
	s := Now()
	if s.Files != 2 || s.FilesDone != 1 || s.Bytes != 400 || s.BytesDone != 100 {
		t.Fatalf("got %+v, want 1 of 2 files, 100 of 400 bytes", s)
	}
	rate, left := s.Rate(s.Started.Add(time.Second))
	if rate != 100 || left != 3*time.Second {
		t.Errorf("rate %v, left %v; want 100 B/s, 3s", rate, left)
	}
	if rate, left := (Snapshot{Started: s.Started}).Rate(s.Started.Add(time.Second)); rate != 0 || left != 0 {
		t.Errorf("nothing done: rate %v, left %v; want zeros", rate, left)
	}
}

func TestStreamCounts(t *testing.T) {
	Reset()
	t.Cleanup(Reset)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	Received("m1", t0)
	Received("m2", t0.Add(time.Minute))
	Received("m1", t0.Add(2*time.Minute)) // redelivered while in flight
	Acked("m1")
	Reported("committed")
	Reported("failed")
	s := StreamNow()
	if s.Received != 3 || s.Acked != 1 || s.InFlight != 1 || !s.Oldest.Equal(t0.Add(time.Minute)) {
		t.Errorf("got %+v, want 3 received, 1 acked, m2 in flight", s)
	}
	if s.Reports["committed"] != 1 || s.Reports["failed"] != 1 {
		t.Errorf("reports %v, want 1 committed, 1 failed", s.Reports)
	}
}
