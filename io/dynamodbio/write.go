package dynamodbio

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/curpipe/curpipe/transforms/totals"
)

// Stats counts cell items by what a write did to them.
type Stats struct {
	Written   int // put: new, or figures changed
	Unchanged int // figures already stored; not written
	Deleted   int // vanished from the version; deleted
	Stale     int // left alone because a newer version holds them
}

func (s *Stats) add(o Stats) {
	s.Written += o.Written
	s.Unchanged += o.Unchanged
	s.Deleted += o.Deleted
	s.Stale += o.Stale
}

// errDayHeld reports that a newer version has claimed the day's marker.
var errDayHeld = errors.New("a newer version holds the day")

// WriteDay makes v's figures for one day equal rows, whose Dims.Day must
// all be day: it puts the cells that are new or changed, deletes the
// report's cells that vanished, and skips the rest. Cells a newer version
// holds count as Stale; when a newer version holds the whole day or report,
// nothing is written, every cell of rows counts as Stale (at least 1) and
// the error is nil. Commit then reports ErrStale.
func (t *Table) WriteDay(ctx context.Context, v Version, day string, rows []totals.Row) (Stats, error) {
	if err := v.validate(); err != nil {
		return Stats{}, fmt.Errorf("dynamodbio: WriteDay %s: %w", day, err)
	}
	if err := checkDay(day); err != nil {
		return Stats{}, fmt.Errorf("dynamodbio: WriteDay report %s: %w", v.ReportKey, err)
	}
	want, err := cellsFor(v, day, rows)
	if err != nil {
		return Stats{}, fmt.Errorf("dynamodbio: WriteDay report %s: %w", v.ReportKey, err)
	}
	var st Stats
	err = t.claim(ctx, v, day)
	if err == nil {
		st, err = t.syncDay(ctx, v, day, want)
	}
	switch {
	case errors.Is(err, ErrStale):
		return Stats{Stale: max(len(want), 1)}, nil
	case errors.Is(err, errDayHeld):
		st.Stale = max(st.Stale, 1)
		return st, nil
	case err != nil:
		return st, fmt.Errorf("dynamodbio: WriteDay report %s version %s day %s: %w", v.ReportKey, v.Version, day, err)
	}
	return st, nil
}

// Commit records v as the report's committed version, with its name,
// billing period and days, after deleting the report's cells on every day
// that the previous committed version, or any version written since, had
// and v does not. It returns ErrStale (wrapped) when a newer version is
// committed or has begun writing, and ErrShrink (wrapped), deleting
// nothing, when v is committed already with a day that days lacks. Stats count the cleared cells, plus the
// state item: Written 1 when recorded, Unchanged 1 when v was already
// recorded so, Stale 1 when refused.
func (t *Table) Commit(ctx context.Context, v Version, name, billingPeriod string, days []string) (Stats, error) {
	fail := func(st Stats, err error) (Stats, error) {
		return st, fmt.Errorf("dynamodbio: commit report %s version %s: %w", v.ReportKey, v.Version, err)
	}
	if err := v.validate(); err != nil {
		return fail(Stats{}, err)
	}
	days = slices.Compact(slices.Sorted(slices.Values(days)))
	for _, d := range days {
		if err := checkDay(d); err != nil {
			return fail(Stats{}, err)
		}
	}
	// Claim first, so that no older version can touch a day once the
	// state below has been read.
	if err := t.claim(ctx, v, ""); errors.Is(err, ErrStale) {
		return fail(Stats{Stale: 1}, err)
	} else if err != nil {
		return fail(Stats{}, err)
	}
	prev, err := t.state(ctx, v.ReportKey)
	if err != nil {
		return fail(Stats{}, err)
	}
	if prev == nil { // claim wrote it; only a concurrent delete gets here
		return fail(Stats{}, errors.New("report state vanished while committing"))
	}
	if compareVersions(prev.Version, v) == 0 {
		for _, d := range prev.Days {
			if !slices.Contains(days, d) {
				return fail(Stats{}, fmt.Errorf("%w: day %s of %d committed, %d in the commit", ErrShrink, d, len(prev.Days), len(days)))
			}
		}
	}
	var clear []string
	for _, d := range slices.Concat(prev.Days, prev.WriterDays) {
		if !slices.Contains(days, d) && !slices.Contains(clear, d) {
			clear = append(clear, d)
		}
	}
	if len(clear) == 0 && compareVersions(prev.Version, v) == 0 && slices.Equal(prev.Days, days) &&
		prev.Name == name && prev.BillingPeriod == billingPeriod {
		return Stats{Unchanged: 1}, nil // a replay
	}
	var (
		mu    sync.Mutex
		stats Stats
	)
	err = t.forEach(ctx, clear, func(ctx context.Context, day string) error {
		st, err := t.syncDay(ctx, v, day, nil)
		mu.Lock()
		stats.add(st)
		mu.Unlock()
		if errors.Is(err, errDayHeld) {
			return fmt.Errorf("clear day %s: %w", day, ErrStale)
		}
		if err != nil {
			return fmt.Errorf("clear day %s: %w", day, err)
		}
		return nil
	})
	if err != nil {
		return fail(stats, err)
	}
	if err := t.recordCommit(ctx, v, name, billingPeriod, days); err != nil {
		stats.Stale++
		return fail(stats, err)
	}
	stats.Written++
	return stats, nil
}

// syncDay makes the report's cells on day equal want, under the day's
// marker. It returns errDayHeld when a newer version holds the marker.
func (t *Table) syncDay(ctx context.Context, v Version, day string, want map[string]*cell) (Stats, error) {
	have, marker, err := t.readDay(ctx, v.ReportKey, day)
	if err != nil {
		return Stats{}, err
	}
	if marker != nil && compareVersions(*marker, v) > 0 {
		return Stats{Stale: len(want)}, errDayHeld
	}
	var st Stats
	var ops []op
	for _, sk := range slices.Sorted(maps.Keys(want)) {
		c, h := want[sk], have[sk]
		switch {
		case h != nil && compareVersions(h.Version, v) > 0:
			st.Stale++
		case h != nil && h.ReportID == c.ReportID && sameLines(h.Lines, c.Lines):
			st.Unchanged++
		default:
			ops = append(ops, op{put: c.item()})
		}
	}
	for _, sk := range slices.Sorted(maps.Keys(have)) {
		if want[sk] != nil {
			continue
		}
		if compareVersions(have[sk].Version, v) > 0 {
			st.Stale++
			continue
		}
		ops = append(ops, op{del: key(dayPK(day), sk)})
	}
	if len(ops) == 0 && marker != nil && compareVersions(*marker, v) == 0 {
		return st, nil // the day is v's already
	}
	// Even with nothing to change, v claims the marker: an older version
	// must not later change cells that v found right and skipped.
	res, err := t.transact(ctx, v, day, ops)
	st.add(res)
	return st, err
}
