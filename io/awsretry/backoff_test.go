package awsretry

import (
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name    string
		b       Backoff
		attempt int
		lo, hi  time.Duration // the wait's bounds, both possible
	}{
		// sqsio's schedule: equal jitter, 200 ms doubling to 10 s.
		{"equal, first", Backoff{Base: 200 * ms, Max: 10 * time.Second}, 1, 100 * ms, 200 * ms},
		{"equal, third", Backoff{Base: 200 * ms, Max: 10 * time.Second}, 3, 400 * ms, 800 * ms},
		{"equal, at the cap", Backoff{Base: 200 * ms, Max: 10 * time.Second}, 7, 5 * time.Second, 10 * time.Second},
		{"equal, far past it", Backoff{Base: 200 * ms, Max: 10 * time.Second}, 1 << 20, 5 * time.Second, 10 * time.Second},
		// dynamodbio's: full jitter, 100 ms doubling to 5 s.
		{"full, first", Backoff{Base: 100 * ms, Max: 5 * time.Second, Jitter: Full}, 1, 0, 100 * ms},
		{"full, fourth", Backoff{Base: 100 * ms, Max: 5 * time.Second, Jitter: Full}, 4, 0, 800 * ms},
		{"full, past the cap", Backoff{Base: 100 * ms, Max: 5 * time.Second, Jitter: Full}, 40, 0, 5 * time.Second},
		// s3io's: no jitter, 100 ms doubling to 2 s.
		{"none, first", Backoff{Base: 100 * ms, Max: 2 * time.Second, Jitter: None}, 1, 100 * ms, 100 * ms},
		{"none, fifth", Backoff{Base: 100 * ms, Max: 2 * time.Second, Jitter: None}, 5, 1600 * ms, 1600 * ms},
		{"none, sixth, capped", Backoff{Base: 100 * ms, Max: 2 * time.Second, Jitter: None}, 6, 2 * time.Second, 2 * time.Second},
		// Degenerate schedules wait nothing rather than fail.
		{"zero", Backoff{}, 3, 0, 0},
		{"no max", Backoff{Base: time.Second}, 1, 0, 0},
		{"attempt 0", Backoff{Base: 100 * ms, Max: time.Second, Jitter: None}, 0, 100 * ms, 100 * ms},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 2000 {
				d := tc.b.Delay(tc.attempt)
				if d < tc.lo || d > tc.hi {
					t.Fatalf("Delay(%d) = %s, want within [%s, %s]", tc.attempt, d, tc.lo, tc.hi)
				}
				seen[d] = true
			}
			// Jittered waits spread; the others do not.
			if spread := tc.hi > tc.lo; spread != (len(seen) > 1) {
				t.Errorf("%d distinct waits in 2000, want spread %v", len(seen), spread)
			}
		})
	}
}
