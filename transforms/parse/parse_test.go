package parse

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curpipe/curpipe/transforms/tabular"
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

// TestFailsFile: which reader errors fail the whole file and which are a
// bad row. An error that every later row would repeat (a codec curpipe
// does not decode, say) must fail the file, not fill the quarantine.
func TestFailsFile(t *testing.T) {
	row := func(err error) error { return &tabular.RowError{Object: "f", Pos: 3, Err: err} }
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"a malformed row", row(errors.New("wrong number of fields")), false},
		{"a damaged container", row(tabular.ErrCorrupt), true},
		{"a header that does not fit", row(tabular.ErrHeader), true},
		{"a bound passed", row(&tabular.LimitError{What: "a record", Limit: 1, Unit: "bytes", Flag: "--max-record-bytes"}), true},
		{"an LZ4 column", row(fmt.Errorf("column x: %w: LZ4_RAW", tabular.ErrCompression)), true},
		{"a column type curpipe does not read", row(tabular.ErrColumnType), true},
		{"a failing source", errors.New("connection reset"), true},
	} {
		if got := failsFile(tc.err); got != tc.want {
			t.Errorf("%s: failsFile = %t, want %t", tc.name, got, tc.want)
		}
	}
}
