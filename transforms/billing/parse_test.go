package billing

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAdmitParse runs more parses than there are slots: never more than
// cap(parsing) at once, every one runs, and a parse waiting for a slot
// gives up when its context ends.
func TestAdmitParse(t *testing.T) {
	var running, most atomic.Int64
	var wg sync.WaitGroup
	for range 4 * cap(parsing) {
		wg.Go(func() {
			_, err := admitParse(context.Background(), func() fileResult {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(5 * time.Millisecond)
				running.Add(-1)
				return fileResult{}
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if m := most.Load(); m > int64(cap(parsing)) || m < 1 {
		t.Errorf("%d parses ran at once, want 1 to %d", m, cap(parsing))
	}

	// Fill every slot, then ask for one with a context that ends.
	for range cap(parsing) {
		parsing <- struct{}{}
	}
	defer func() {
		for range cap(parsing) {
			<-parsing
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	ran := false
	_, err := admitParse(ctx, func() fileResult { ran = true; return fileResult{} })
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Errorf("with no slot free: err %v, ran %v; want the deadline and no parse", err, ran)
	}
}
