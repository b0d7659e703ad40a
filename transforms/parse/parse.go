// Package parse holds the Beam stages that read a report's files: dealing
// them into parse groups (ExpandFiles) and parsing each group (Parse) into
// exact partial sums per day, writing its curated Parquet and quarantine on
// the way, within the bounds an input may make a worker hold. The domain
// work is the tabular, cur, totals and curated packages'.
package parse

import (
	"context"
	"fmt"
	"runtime"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/progress"
	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.DoFn4x1[context.Context, element.FileGroup, func(element.ShardKey, element.Cells), func(string, element.FileStatus), error](&parseFn{})
	register.Emitter2[element.ShardKey, element.Cells]()
	register.Emitter2[string, element.FileStatus]()
}

// Parse parses each group of files, one file after another. It returns
// the group's partial sums, summed within the group and batched per
// report and day (KV<ShardKey, Cells>), so that what crosses the shuffle
// is one element per group and day, not one per row, cell or file (and
// with a lake, only the name of the batch it spilled there); and
// each file's status keyed by report ref (KV<string, FileStatus>). A file
// that fails yields its status only.
func Parse(s beam.Scope, tasks beam.PCollection, opts ParseOptions) (partials, statuses beam.PCollection) {
	s = s.Scope("parse.Parse")
	return beam.ParDo2(s, &parseFn{Opts: opts}, tasks)
}

type parseFn struct {
	Opts ParseOptions
}

// parsing admits one file parse per core into a worker process at a time.
// A runner may run many bundles at once (prism starts one per file when
// it can), and each parse holds its file's partial sums and the row
// groups of its curated partitions: unbounded, a report of many large
// files would take memory in proportion to its file count. One parse
// scans its file on every core already; a second one in flight keeps the
// cores busy while the first writes its curated rows, which it does on
// one goroutine, in file order (measured: admitting one parse at a time
// takes a third less memory for a 4-file report and is 4% slower with
// curated output, as fast without).
var parsing = make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))

// admitParse runs parse once a slot is free, or gives up when ctx ends.
func admitParse(ctx context.Context, parse func() fileResult) (fileResult, error) {
	select {
	case parsing <- struct{}{}:
	case <-ctx.Done():
		return fileResult{}, ctx.Err()
	}
	defer func() { <-parsing }()
	return parse(), nil
}

func (f *parseFn) ProcessElement(ctx context.Context, g element.FileGroup, partial func(element.ShardKey, element.Cells), status func(string, element.FileStatus)) error {
	if len(g.Tasks) == 0 {
		return nil
	}
	ref := g.Tasks[0].Ref
	if ms := g.Tasks[0].Messages; len(ms) > 0 {
		stop, err := sqsio.KeepInvisible(ctx, element.Receipts(ms))
		if err != nil {
			return err
		}
		defer stop()
	}
	var (
		rows     []totals.Row        // the group's sums, when one file holds them
		group    *totals.Accumulator // the group's sums, when several files do
		statuses = make([]element.FileStatus, 0, len(g.Tasks))
	)
	share := shareOf(f.Opts, g.Groups)
	for _, t := range g.Tasks {
		res, err := admitParse(ctx, func() fileResult { return parseFile(ctx, t, f.Opts, share) })
		if err != nil {
			return err
		}
		progress.Done(t.URL)
		st := res.Status
		if st.Err != "" {
			log.Errorf(ctx, "file %s failed after %d rows: %s", t.URL, st.Rows, st.Err)
		} else {
			log.Infof(ctx, "parsed %s: %d rows, %d cells, %d bad rows, %d ms", t.URL, st.Rows, len(res.Rows), st.BadRows, st.Millis)
		}
		st.Days = daysOf(res.Rows)
		switch {
		case st.Err != "": // no sums; the report fails
		case len(g.Tasks) == 1:
			rows = res.Rows
		default:
			if group == nil {
				group = totals.NewAccumulator()
			}
			for _, r := range res.Rows {
				group.AddSums(r.Dims, r.Sums)
			}
			if group.Len() > share.max {
				// The group's files together pass its share: it fails with
				// the file that took it there, and holds no more sums.
				st.Err = fmt.Sprintf("%s: %v", t.URL, share.err())
				log.Errorf(ctx, "file %s failed: %s", t.URL, st.Err)
				group, st.Days = totals.NewAccumulator(), nil
			}
		}
		statuses = append(statuses, st)
	}
	if group != nil {
		rows = group.Rows()
	}
	// The rows come sorted by Dims, day first: each day's run is a batch
	// sorted as mergeCells wants it. With a lake, batches are spilled to
	// it (see spill.go); one that cannot be fails the group's files.
	for len(rows) > 0 {
		n := 1
		for n < len(rows) && rows[n].Day == rows[0].Day {
			n++
		}
		c := element.Cells{Rows: rows[:n:n]}
		if f.Opts.Output != "" {
			var err error
			first := g.Tasks[0]
			u := lake.PartialsURL(f.Opts.Output, first.ReportKey, first.VersionKey, rows[0].Day, first.Index)
			if c, err = element.Spill(ctx, u, c); err != nil {
				log.Errorf(ctx, "report %s: %v", ref, err)
				for i := range statuses {
					if statuses[i].Err == "" {
						statuses[i].Err = fmt.Sprintf("%s: %v", statuses[i].URL, err)
					}
				}
				break
			}
		}
		partial(element.ShardKey{Ref: ref, Day: rows[0].Day}, c)
		rows = rows[n:]
	}
	for _, st := range statuses {
		status(ref, st)
	}
	return nil
}

// daysOf lists the days of rows sorted by Dims, day first.
func daysOf(rows []totals.Row) []string {
	var days []string
	for i, r := range rows {
		if i == 0 || r.Day != rows[i-1].Day {
			days = append(days, r.Day)
		}
	}
	return days
}
