package commit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"golang.org/x/sync/errgroup"

	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/billing"
	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.Function1x2(keyAll)
	register.Function1x2(blankOutcome)
	register.DoFn3x1[context.Context, int, func(*Outcome) bool, error](&finalizeFn{})
	register.Emitter2[int, Outcome]()
	register.Iter1[Outcome]()
}

// Summary is the record of one run, written to the lake for the command
// (and anyone auditing) to read back.
type Summary struct {
	RunID    string    `json:"run_id"`
	Outcomes []Outcome `json:"reports"`
}

// SummaryURL is where a run's summary is written.
func SummaryURL(output, runID string) string {
	return objstore.Join(output, "_curpipe", "runs", runID+".json")
}

// Finalize waits for every report's outcome, then rebuilds the lake-wide
// daily totals from the committed reports' totals and writes the run
// summary. In batch it runs once, after the last commit.
func Finalize(s beam.Scope, outcomes beam.PCollection, opts Options, runID string) {
	s = s.Scope("commit.Finalize")
	keyed := beam.ParDo(s, keyAll, outcomes)
	if runID != "" {
		// A batch run that found no report still finalizes: a blank
		// outcome makes sure the group has an element. (A stream is
		// windowed and finalizes the windows that hold reports.)
		keyed = beam.Flatten(s, keyed, beam.ParDo(s, blankOutcome, beam.Impulse(s)))
	}
	grouped := beam.GroupByKey(s, keyed)
	beam.ParDo0(s, &finalizeFn{Output: opts.Output, RebuildTotals: opts.Table == "", RunID: runID}, grouped)
}

func keyAll(o Outcome) (int, Outcome) { return 0, o }

func blankOutcome(_ []byte) (int, Outcome) { return 0, Outcome{} }

type finalizeFn struct {
	Output        string
	RebuildTotals bool // the totals live in the lake, not a table
	RunID         string
}

func (f *finalizeFn) ProcessElement(ctx context.Context, _ int, outcomes func(*Outcome) bool) error {
	sum := Summary{RunID: f.RunID, Outcomes: []Outcome{}}
	var o Outcome
	for outcomes(&o) {
		if o.Ref == "" {
			continue
		}
		sum.Outcomes = append(sum.Outcomes, o)
	}
	sort.Slice(sum.Outcomes, func(i, j int) bool { return sum.Outcomes[i].Ref < sum.Outcomes[j].Ref })
	if f.RebuildTotals {
		if err := RebuildTotals(ctx, f.Output); err != nil {
			if f.RunID != "" {
				return err
			}
			// A stream rebuilds at its next window; an outage of the lake's
			// store must not end it.
			log.Errorf(ctx, "rebuild the lake's totals: %v; the next window tries again", err)
		}
	}
	if f.RunID == "" {
		return nil // a stream keeps no run record per window
	}
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	log.Infof(ctx, "run %s finalized: %d reports", f.RunID, len(sum.Outcomes))
	return objstore.WriteAll(ctx, SummaryURL(f.Output, f.RunID), append(b, '\n'))
}

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

// committedDays returns the day files of every committed report version,
// by day.
func committedDays(ctx context.Context, output string) (map[string][]string, error) {
	dir := objstore.Join(output, "_curpipe", "reports")
	store, err := objstore.For(dir)
	if err != nil {
		return nil, err
	}
	objs, err := store.List(ctx, dir)
	if err != nil && !errors.Is(err, objstore.ErrNotFound) {
		return nil, err
	}
	var keys []string
	for _, o := range objs {
		if key, ok := strings.CutSuffix(o.Key, ".json"); ok && !strings.Contains(key, "/") {
			keys = append(keys, key)
		}
	}
	states := make([]*billing.State, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, key := range keys {
		g.Go(func() (err error) {
			states[i], err = billing.LoadState(gctx, output, key)
			return err
		})
	}
	if err := g.Wait(); err != nil {
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

func rebuildTotals(ctx context.Context, output string) error {
	byDay, err := committedDays(ctx, output)
	if err != nil {
		return err
	}
	days := slices.Sorted(maps.Keys(byDay))

	detailURL := objstore.Join(output, "totals", "daily_detail.csv")
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
	if err := objstore.WriteAll(ctx, objstore.Join(output, "totals", "daily.csv"), dailyCSV.Bytes()); err != nil {
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
