package lake

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/totals"
)

// QueryCommitted sums the committed versions' totals of the days from..to
// (YYYY-MM-DD, inclusive) whose cells keep accepts, from the versions'
// own day files. Unlike totals/daily_detail.csv, which is rebuilt once a
// batch of commits is done, it includes a version the moment its state
// is written: what a report's notification reads right after its commit.
func QueryCommitted(ctx context.Context, output, from, to string, keep func(totals.Dims) bool) (totals.Table, error) {
	for attempt := 1; ; attempt++ {
		tab, err := queryCommitted(ctx, output, from, to, keep)
		// A commit can retire the version whose state was just read: read
		// the states again.
		if errors.Is(err, objstore.ErrNotFound) && attempt < 3 {
			continue
		}
		return tab, err
	}
}

func queryCommitted(ctx context.Context, output, from, to string, keep func(totals.Dims) bool) (totals.Table, error) {
	byDay, err := committedDays(ctx, output)
	if err != nil {
		return nil, err
	}
	var files []string
	for day, us := range byDay {
		if day >= from && day <= to {
			files = append(files, us...)
		}
	}
	tab := make(totals.Table)
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, u := range files {
		g.Go(func() error {
			store, err := objstore.For(u)
			if err != nil {
				return err
			}
			r, err := store.Open(gctx, u)
			if err != nil {
				return fmt.Errorf("read %s: %w", u, err)
			}
			defer r.Close()
			var rows []totals.Row
			err = totals.ScanDetail(bufio.NewReader(r), func(d totals.Dims, s totals.Sums) {
				if keep == nil || keep(d) {
					rows = append(rows, totals.Row{Dims: d, Sums: s})
				}
			})
			if err != nil {
				return fmt.Errorf("read %s: %w", u, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, row := range rows {
				tab.Merge(row.Dims, row.Sums)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return tab, nil
}
