package sqsio

import (
	"context"
	"errors"
	"sync"
	"time"
)

// keeper holds the messages being kept invisible. One goroutine serves
// them all, started by the first Keep and ended when none is left.
type keeper struct {
	mu      sync.Mutex
	held    map[*held]struct{}
	running bool
	wake    chan struct{}
}

type held struct {
	handle   string
	every    time.Duration
	extendBy int32
	due      time.Time
}

// Keep extends the message's visibility timeout to extendBy from now, every
// every, until stop is called or ctx ends, so that a report still being
// processed is never handed to a second reader. every must be shorter than
// extendBy and than the visibility left when Keep is called; it defaults to
// a third of extendBy, and extendBy to the ExtensionStep. Extensions of all
// held messages go ten per call. A failed call is logged and retried within
// a second; a message SQS refuses (a stale handle, the 12-hour limit) is
// logged and dropped. stop may be called more than once; an extension
// already under way may still land after it.
func (q *Queue) Keep(ctx context.Context, handle string, every, extendBy time.Duration) (stop func()) {
	if extendBy <= 0 {
		extendBy = q.opts.step
	}
	extendBy = min(extendBy, maxVisibility)
	if every <= 0 || every >= extendBy {
		every = extendBy / 3
	}
	h := &held{handle: handle, every: every, extendBy: seconds(extendBy), due: time.Now().Add(every)}
	k := &q.keep
	k.mu.Lock()
	if k.held == nil {
		k.held, k.wake = map[*held]struct{}{}, make(chan struct{}, 1)
	}
	k.held[h] = struct{}{}
	if !k.running {
		k.running = true
		go q.keepLoop()
	}
	k.mu.Unlock()
	k.poke()
	var once sync.Once
	release := func() { once.Do(func() { k.drop(h) }) }
	unhook := context.AfterFunc(ctx, release)
	return func() { unhook(); release() }
}

func (k *keeper) poke() {
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

func (k *keeper) drop(h *held) {
	k.mu.Lock()
	delete(k.held, h)
	k.mu.Unlock()
	k.poke()
}

// keepLoop extends the messages that are due, then sleeps until the next
// is due or Keep or stop changes the set.
func (q *Queue) keepLoop() {
	k := &q.keep
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		k.mu.Lock()
		if len(k.held) == 0 {
			k.running = false
			k.mu.Unlock()
			return
		}
		now := time.Now()
		next := now.Add(time.Hour)
		var due []*held
		for h := range k.held {
			if !h.due.After(now) {
				due = append(due, h)
				h.due = now.Add(h.every)
			} else if h.due.Before(next) {
				next = h.due
			}
		}
		k.mu.Unlock()
		if len(due) > 0 {
			q.extend(due)
			continue
		}
		timer.Reset(time.Until(next))
		select {
		case <-timer.C:
		case <-k.wake:
		}
	}
}

// extend makes one round of extensions and deals with what failed.
func (q *Queue) extend(hs []*held) {
	es := make([]entry, len(hs))
	for i, h := range hs {
		es[i] = entry{handle: h.handle, timeout: h.extendBy}
	}
	ctx, cancel := context.WithTimeout(context.Background(), keepTimeout)
	defer cancel()
	err := q.batch(ctx, opVisibility, es)
	var berr *BatchError
	if err != nil && !errors.As(err, &berr) {
		q.opts.log.Warn("sqsio: extending visibility failed; retrying", "queue", q.url, "messages", len(hs), "error", err)
		q.keep.retrySoon(hs)
		return
	}
	if berr == nil {
		return
	}
	for _, f := range berr.Failed {
		h := hs[f.Index]
		if !f.SenderFault {
			q.opts.log.Warn("sqsio: extending visibility failed; retrying", "queue", q.url, "code", f.Code, "error", f.Message)
			q.keep.retrySoon([]*held{h})
			continue
		}
		q.opts.log.Warn("sqsio: SQS refused a visibility extension; no longer extending the message",
			"queue", q.url, "stale", f.Stale, "code", f.Code, "error", f.Message)
		q.keep.drop(h)
	}
}

// retrySoon brings the messages' next extension forward, to land before
// they reappear.
func (k *keeper) retrySoon(hs []*held) {
	k.mu.Lock()
	for _, h := range hs {
		h.due = time.Now().Add(min(h.every, time.Second))
	}
	k.mu.Unlock()
}
