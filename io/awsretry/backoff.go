package awsretry

import (
	"math/rand/v2"
	"time"
)

// Backoff is an exponential schedule of waits between attempts: Base
// after the first failed attempt, doubling after each one after, never
// more than Max, then spread by Jitter. The SDK's ExponentialJitterBackoff
// does not fit: its step starts at one second, and it stops jittering at
// its maximum, while these waits start at tens of milliseconds (and at one
// in tests).
type Backoff struct {
	Base, Max time.Duration
	Jitter    Jitter
}

// Jitter says how a Backoff spreads its waits, so that callers failed
// together do not all come back together.
type Jitter int

// The ways a Backoff spreads a step.
const (
	// Equal waits between half the step and the whole of it: spread, yet
	// never much shorter than the schedule (sqsio, snsio).
	Equal Jitter = iota
	// Full waits anywhere from zero to the step, the widest spread, for
	// many writers throttled at once (dynamodbio).
	Full
	// None waits the step exactly: one reader resuming its own stream has
	// no crowd to spread (s3io).
	None
)

// Delay returns the wait after the attempt'th failed attempt, counting
// from 1; zero when Base or Max is not positive.
func (b Backoff) Delay(attempt int) time.Duration {
	step := b.Base
	for i := 1; i < attempt && step < b.Max; i++ {
		step *= 2
	}
	step = min(step, b.Max)
	if step <= 0 {
		return 0
	}
	switch b.Jitter {
	case Full:
		return rand.N(step + 1)
	case None:
		return step
	default:
		return step/2 + rand.N(step/2+1)
	}
}
