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

	// A Hold's: it ends when SQS refuses the handle, released says so, or
	// limit passes.
	hold     bool
	limit    time.Time
	released func(context.Context) (bool, error)
	owner    string
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
	q.add(h)
	k := &q.keep
	var once sync.Once
	release := func() { once.Do(func() { k.drop(h) }) }
	unhook := context.AfterFunc(ctx, release)
	return func() { unhook(); release() }
}

// HoldOptions configure Hold.
type HoldOptions struct {
	// Every and ExtendBy are as Keep's every and extendBy.
	Every, ExtendBy time.Duration
	// Limit bounds the hold from the call (zero: SQS's 12 hours).
	Limit time.Duration
	// Released reports whether the message's work has ended without its
	// deletion; asked after each extension. Nil never does.
	Released func(context.Context) (bool, error)
	// Owner names what holds the message in this process, for EndHolds.
	Owner string
}

// Hold keeps a received message invisible from its receipt until the work
// that began with it is over, in whichever process that work ends: until
// the message is deleted or received again (SQS then refuses the
// extension, the normal end of a hold), or o.Released reports true, or
// o.Limit has passed, or EndHolds names its owner; the message then
// reappears once its visibility runs out. A runner that moves a report's
// messages between workers waits in shuffles and windows where no stage
// is working on them, so no stage's Keep runs; the reader's Hold spans
// those gaps. A Released that fails is logged and the message kept.
func (q *Queue) Hold(handle string, o HoldOptions) {
	extendBy := o.ExtendBy
	if extendBy <= 0 {
		extendBy = q.opts.step
	}
	extendBy = min(extendBy, maxVisibility)
	every := o.Every
	if every <= 0 || every >= extendBy {
		every = extendBy / 3
	}
	now := time.Now()
	h := &held{handle: handle, every: every, extendBy: seconds(extendBy), due: now.Add(every),
		hold: true, released: o.Released, owner: o.Owner}
	if o.Limit > 0 {
		h.limit = now.Add(o.Limit)
	}
	holdsMu.Lock()
	holds[handle] = holdRef{q, h}
	holdsMu.Unlock()
	q.add(h)
}

// EndHolds ends this process's holds of owner and returns how many there
// were: a pipeline that ends in a process that lives on (an in-process
// runner, a test) lets its messages go, to be received again.
func EndHolds(owner string) int {
	holdsMu.Lock()
	var refs []holdRef
	for _, ref := range holds {
		if ref.h.owner == owner {
			refs = append(refs, ref)
		}
	}
	holdsMu.Unlock()
	for _, ref := range refs {
		ref.q.keep.drop(ref.h)
	}
	return len(refs)
}

// The process's holds, by receipt handle, for Unhold.
var (
	holdsMu sync.Mutex
	holds   = map[string]holdRef{}
)

type holdRef struct {
	q *Queue
	h *held
}

// Unhold ends this process's hold on a message (see Hold), if it has one,
// and reports whether it had. The message reappears once its visibility
// runs out.
func Unhold(handle string) bool {
	holdsMu.Lock()
	ref, ok := holds[handle]
	holdsMu.Unlock()
	if ok {
		ref.q.keep.drop(ref.h)
	}
	return ok
}

// add starts keeping h.
func (q *Queue) add(h *held) {
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
	if h.hold {
		holdsMu.Lock()
		if holds[h.handle].h == h {
			delete(holds, h.handle)
		}
		holdsMu.Unlock()
	}
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

// extend makes one round of extensions and deals with what failed, then
// ends the holds among hs that are released or past their limit: checks
// that wait on another service never delay an extension.
func (q *Queue) extend(hs []*held) {
	defer q.endHolds(hs)
	ctx, cancel := context.WithTimeout(context.Background(), keepTimeout)
	defer cancel()
	es := make([]entry, len(hs))
	for i, h := range hs {
		es[i] = entry{handle: h.handle, timeout: h.extendBy}
	}
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
		if h.hold {
			// Deleted after its work committed, or received again: over.
			q.opts.log.Debug("sqsio: hold over: SQS no longer knows the receipt", "queue", q.url, "code", f.Code)
		} else {
			q.opts.log.Warn("sqsio: SQS refused a visibility extension; no longer extending the message",
				"queue", q.url, "stale", f.Stale, "code", f.Code, "error", f.Message)
		}
		q.keep.drop(h)
	}
}

// endHolds drops the holds among hs that are released or past their
// limit, asking whether they are released all at once.
func (q *Queue) endHolds(hs []*held) {
	now := time.Now()
	var wg sync.WaitGroup
	for _, h := range hs {
		if !h.hold {
			continue
		}
		if !h.limit.IsZero() && now.After(h.limit) {
			// Only stages still working on it extend it from here.
			q.opts.log.Info("sqsio: message held for its whole limit; it reappears when its visibility runs out unless a stage working on it extends it", "queue", q.url)
			q.keep.drop(h)
			continue
		}
		if h.released == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), releaseCheckTimeout)
			defer cancel()
			done, err := h.released(ctx)
			switch {
			case err != nil:
				q.opts.log.Warn("sqsio: cannot tell whether a held message was released; still holding it", "queue", q.url, "error", err)
			case done:
				q.keep.drop(h)
			}
		}()
	}
	wg.Wait()
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
