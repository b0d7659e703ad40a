package lake

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"

	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/totals"
	"golang.org/x/sync/errgroup"
)

// RebuildTotals sums the committed reports' totals into the lake's
// totals/daily.csv and totals/daily_detail.csv.
//
// The reports' states in the lake say which version of each is committed
// and which days it holds; only those versions' day files count, so that
// a version still being written, or one that never commits, changes
// nothing. Each report's day file is already sorted and merged, and
// daily_detail.csv is ordered by day first: a day that one report alone
// holds is copied as written, and only days that several reports share
// are merged. Days are read a few at a time on every core and written out
// in order, so memory holds a few days' files, not the lake's.
func RebuildTotals(ctx context.Context, output string) error {
	for attempt := 1; ; attempt++ {
		err := rebuildTotals(ctx, output)
		// A commit can retire the version whose state was just read: read
		// the states again.
		if errors.Is(err, objstore.ErrNotFound) && attempt < 3 {
			continue
		}
		return err
	}
}

// committedStates reads the state of every report committed in the lake,
// with its key.
func committedStates(ctx context.Context, output string) (keys []string, states []*State, err error) {
	dir := StatesURL(output)
	store, err := objstore.For(dir)
	if err != nil {
		return nil, nil, err
	}
	objs, err := store.List(ctx, dir)
	if err != nil && !errors.Is(err, objstore.ErrNotFound) {
		return nil, nil, err
	}
	for _, o := range objs {
		if key, ok := strings.CutSuffix(o.Key, ".json"); ok && !strings.Contains(key, "/") {
			keys = append(keys, key)
		}
	}
	states = make([]*State, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, key := range keys {
		g.Go(func() (err error) {
			states[i], err = LoadState(gctx, output, key)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	return keys, states, nil
}

// committedDays returns the day files of every committed report version,
// by day.
func committedDays(ctx context.Context, output string) (map[string][]string, error) {
	keys, states, err := committedStates(ctx, output)
	if err != nil {
		return nil, err
	}
	byDay := map[string][]string{} // day -> its files, one per report
	for i, st := range states {
		if st == nil {
			continue
		}
		for _, day := range st.Days {
			byDay[day] = append(byDay[day], DayTotalsURL(output, keys[i], st.VersionKey, day))
		}
	}
	return byDay, nil
}

// CommittedCurated returns the curated files of the committed report
// versions that hold lines of the given days, by day. Files of versions
// still being written or replaced are not among them.
func CommittedCurated(ctx context.Context, output string, days []string) (map[string][]string, error) {
	_, states, err := committedStates(ctx, output)
	if err != nil {
		return nil, err
	}
	byDay := map[string][]string{}
	for _, st := range states {
		if st == nil {
			continue
		}
		for _, u := range st.Curated {
			if day := curatedDay(u); day != "" && slices.Contains(days, day) {
				byDay[day] = append(byDay[day], u)
			}
		}
	}
	for _, us := range byDay {
		slices.Sort(us)
	}
	return byDay, nil
}

// curatedDay is the usage day of a curated file's partition, from its
// path; "" when the path has none.
func curatedDay(u string) string {
	_, rest, ok := strings.Cut(u, "/usage_date=")
	if !ok {
		return ""
	}
	day, _, _ := strings.Cut(rest, "/")
	return day
}

func rebuildTotals(ctx context.Context, output string) error {
	byDay, err := committedDays(ctx, output)
	if err != nil {
		return err
	}
	days := slices.Sorted(maps.Keys(byDay))

	detailURL := DetailURL(output)
	outStore, err := objstore.For(detailURL)
	if err != nil {
		return err
	}
	out, err := outStore.Create(ctx, detailURL)
	if err != nil {
		return fmt.Errorf("create %s: %w", detailURL, err)
	}
	closed := false
	defer func() {
		if !closed {
			out.Abort()
		}
	}()
	if _, err := io.WriteString(out, detailHeader); err != nil {
		return fmt.Errorf("write %s: %w", detailURL, err)
	}
	var daily []totals.Row // the coarse grain, in order: days are disjoint
	workers := max(runtime.GOMAXPROCS(0), 1)
	for len(days) > 0 {
		batch := days[:min(len(days), 4*workers)]
		days = days[len(batch):]
		res := make([]rebuiltDay, len(batch))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(workers)
		for i, day := range batch {
			g.Go(func() (err error) {
				res[i], err = rebuildDay(gctx, byDay[day])
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for i, r := range res {
			if r.shared {
				// Merged as it is written, one row per report in memory:
				// several payers' reports can share every day.
				if r.daily, err = mergeDay(ctx, byDay[batch[i]], out); err != nil {
					return fmt.Errorf("merge day %s into %s: %w", batch[i], detailURL, err)
				}
			} else if _, err := out.Write(r.detail); err != nil {
				return fmt.Errorf("write %s: %w", detailURL, err)
			}
			daily = append(daily, r.daily...)
		}
	}
	var dailyCSV bytes.Buffer
	if err := totals.WriteDailyRows(&dailyCSV, daily); err != nil {
		return err
	}
	if err := objstore.WriteAll(ctx, DailyURL(output), dailyCSV.Bytes()); err != nil {
		return err
	}
	closed = true
	if err := out.Close(); err != nil {
		return fmt.Errorf("write %s: %w", detailURL, err)
	}
	return nil
}

// detailHeader is the first line of a daily_detail.csv.
var detailHeader = strings.Join(totals.DetailHeader, ",") + "\n"

// rebuiltDay is one day of the lake's totals.
type rebuiltDay struct {
	shared bool         // several reports hold the day: merge it as it is written
	detail []byte       // its daily_detail.csv rows, without the header
	daily  []totals.Row // its sums per provider and currency, sorted
}

// rebuildDay reads the day file of the one report that holds a day; a
// day that several reports share is left to mergeDay.
func rebuildDay(ctx context.Context, urls []string) (rebuiltDay, error) {
	if len(urls) > 1 {
		return rebuiltDay{shared: true}, nil
	}
	b, err := objstore.ReadAll(ctx, urls[0])
	if err != nil {
		return rebuiltDay{}, err
	}
	daily := totals.NewAccumulator()
	err = totals.ScanDetailBytes(b, func(d totals.Dims, s totals.Sums) { daily.AddSums(d.DayKey(), s) })
	if err != nil {
		return rebuiltDay{}, fmt.Errorf("read %s: %w", urls[0], err)
	}
	// ScanDetailBytes checked the header.
	return rebuiltDay{detail: b[len(detailHeader):], daily: daily.Rows()}, nil
}

// mergeDay writes the merge of several reports' files of one day to w and
// returns the day's sums per provider and currency.
func mergeDay(ctx context.Context, urls []string, w io.Writer) ([]totals.Row, error) {
	readers := make([]*totals.DetailReader, 0, len(urls))
	for _, u := range urls {
		store, err := objstore.For(u)
		if err != nil {
			return nil, err
		}
		rc, err := store.Open(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", u, err)
		}
		defer rc.Close()
		r, err := totals.NewDetailReader(bufio.NewReaderSize(rc, 256<<10), u)
		if err != nil {
			return nil, err
		}
		readers = append(readers, r)
	}
	daily := totals.NewAccumulator()
	rows := totals.NewDetailRowWriter(w, false)
	err := totals.MergeDetail(readers, func(r totals.Row) error {
		daily.AddSums(r.DayKey(), r.Sums)
		return rows.Write(r)
	})
	if err == nil {
		err = rows.Flush()
	}
	return daily.Rows(), err
}
