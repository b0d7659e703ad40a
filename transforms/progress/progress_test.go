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
