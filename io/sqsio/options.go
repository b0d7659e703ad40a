package sqsio

import (
	"fmt"
	"log/slog"
	"time"
)

type options struct {
	batchSize  int
	wait       time.Duration
	visibility time.Duration // 0: the queue's
	step       time.Duration
	log        *slog.Logger
}

// OptionFn configures Open.
type OptionFn func(*options) error

// newOptions applies opts over the defaults.
func newOptions(opts []OptionFn) (options, error) {
	o := options{batchSize: DefaultBatchSize, wait: DefaultWaitTime, step: DefaultExtensionStep, log: slog.Default()}
	for _, fn := range opts {
		if err := fn(&o); err != nil {
			return options{}, err
		}
	}
	return o, nil
}

// CheckOptions reports whether opts are valid, for a caller that opens
// its Queue later (a pipeline stage, in its Setup).
func CheckOptions(opts ...OptionFn) error {
	_, err := newOptions(opts)
	return err
}

// BatchSize sets how many messages one Receive asks for, 1 to 10. Large
// reports favour small batches, so that one reader does not hold many.
func BatchSize(n int) OptionFn {
	return func(o *options) error {
		if n < 1 || n > MaxBatch {
			return fmt.Errorf("batch size %d outside [1, %d]", n, MaxBatch)
		}
		o.batchSize = n
		return nil
	}
}

// WaitTime sets Receive's long-poll wait, whole seconds from 0 to 20. The
// SDK omits a zero, so 0 leaves the wait to the queue's
// ReceiveMessageWaitTimeSeconds.
func WaitTime(d time.Duration) OptionFn {
	return func(o *options) error {
		if d < 0 || d > maxWait || d%time.Second != 0 {
			return fmt.Errorf("wait time %s is not whole seconds in [0s, 20s]", d)
		}
		o.wait = d
		return nil
	}
}

// VisibilityTimeout sets the visibility timeout Receive requests, whole
// seconds up to 12 hours. Unset, the queue's own applies.
func VisibilityTimeout(d time.Duration) OptionFn {
	return func(o *options) error {
		if d < time.Second || d > maxVisibility || d%time.Second != 0 {
			return fmt.Errorf("visibility timeout %s is not whole seconds in [1s, 12h]", d)
		}
		o.visibility = d
		return nil
	}
}

// ExtensionStep sets Keep's defaults: extendBy = step, every = step/3.
func ExtensionStep(d time.Duration) OptionFn {
	return func(o *options) error {
		if d < time.Second || d > maxVisibility {
			return fmt.Errorf("extension step %s outside [1s, 12h]", d)
		}
		o.step = d
		return nil
	}
}

// Logger sets where the Keeper reports failed extensions (default
// slog.Default()).
func Logger(l *slog.Logger) OptionFn {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("nil logger")
		}
		o.log = l
		return nil
	}
}
