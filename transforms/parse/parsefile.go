package parse

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/s3io"
	"github.com/curpipe/curpipe/transforms/cur"
	"github.com/curpipe/curpipe/transforms/curated"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/findings"
	"github.com/curpipe/curpipe/transforms/tabular"
	"github.com/curpipe/curpipe/transforms/totals"
)

// ParseOptions configure the parsing of files.
type ParseOptions struct {
	// Output is the lake root; curated Parquet goes under Output/curated
	// and quarantined rows under Output/quarantine. "" writes neither.
	Output string
	// MaxBadRows is how many malformed rows a report may hold before it
	// fails. Each file fails on its own once it holds more; the commit
	// checks the report's sum.
	MaxBadRows int64
	// AllowBuckets are the S3 buckets files may be read from; reading any
	// other bucket fails the file. Local files are always readable.
	AllowBuckets []string
	// NoCurated skips the curated Parquet: totals only.
	NoCurated bool
	// Limits bound what a file may make its parse hold; zero fields take
	// tabular.DefaultLimits'.
	Limits tabular.Limits
	// MaxCells bounds the distinct cells (day, payer, account, service and
	// currency) a report's files sum into, over all its parse groups: each
	// group may hold its share. 0 means DefaultMaxCells.
	MaxCells int
	// Roles say which IAM role reads which S3 prefix (a payer's own
	// bucket); other files are read with the process's credentials.
	Roles s3io.SourceRoles
	// Findings gathers what the savings findings' rules read from each
	// file's lines and writes it to the lake beside the curated files
	// (needs Output). It reads the lines' usage types, resources and
	// product attributes even when NoCurated.
	Findings bool
}

// DefaultMaxCells is ParseOptions.MaxCells unless told otherwise: a month
// of five hundred accounts using thirty services each. A cell takes about
// 1 KB of memory at its peak (its parse's sums and rows, its day's batch
// when the day is summed and written): at this bound a run stays under
// 1 GiB, whatever the report's shape.
const DefaultMaxCells = 500_000

// cellShare is what one parse group may hold of its report's MaxCells.
type cellShare struct {
	max    int // cells
	groups int // the report's parse groups
}

// shareOf divides opts.MaxCells among a report's groups.
func shareOf(opts ParseOptions, groups int) cellShare {
	n := opts.MaxCells
	if n <= 0 {
		n = DefaultMaxCells
	}
	groups = max(groups, 1)
	return cellShare{max: max(n/groups, 1), groups: groups}
}

// err is the error of a group past its share.
func (c cellShare) err() error {
	what := "its report's count of distinct cells (day, payer, account, service, currency)"
	if c.groups > 1 {
		what = fmt.Sprintf("its parse group's count of distinct cells (day, payer, account, service, currency), one of %d groups (--parse-groups) sharing its report's,", c.groups)
	}
	return &tabular.LimitError{What: what, Limit: int64(c.max), Unit: "cells", Flag: "--max-cells"}
}

// fileResult is what parsing one file yields.
type fileResult struct {
	Rows   []totals.Row // sorted by Dims
	Status element.FileStatus
}

// parseFile streams one object, sums its line items per day and dimension
// and writes its curated Parquet. On error the table is nil, the curated
// files are removed, and Status.Err says what went wrong and where.
// Past its group's share of cells the file fails.
func parseFile(ctx context.Context, t element.FileTask, opts ParseOptions, share cellShare) fileResult {
	start := time.Now()
	st := element.FileStatus{Ref: t.Ref, URL: t.URL, Index: t.Index}
	p := &fileParser{task: t, opts: opts, sums: totals.NewAccumulator(), cells: share}
	err := p.runSafely(ctx)
	st.Rows, st.BadRows = p.rows, p.bad
	st.Millis = time.Since(start).Milliseconds()
	if err != nil {
		p.abort(ctx)
		st.Err = err.Error()
		return fileResult{Status: st}
	}
	st.Curated, st.Quarantine, st.Findings = p.curatedURLs, p.quarantineURL, p.findingsURL
	return fileResult{Rows: p.sums.Rows(), Status: st}
}

// runSafely runs the parse, turning a panic (a reader's bug met by a file
// nobody foresaw) into the file's error: the file fails its report, and
// the process and the other reports go on.
func (p *fileParser) runSafely(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: internal error while parsing: %v", p.task.URL, r)
		}
	}()
	return p.run(ctx)
}

type fileParser struct {
	task  element.FileTask
	opts  ParseOptions
	sums  *totals.Accumulator
	cells cellShare // what sums may hold
	rows  int64
	bad   int64

	lake          *curated.Partitioned
	writers       []objstore.Writer // every curated file opened, to abort on failure
	curatedURLs   []string
	quarantine    objstore.Writer
	quarantineCSV *csv.Writer
	quarantineURL string
	period        string // the billing period of the curated row being written

	found       *findings.Acc // what the savings rules read of the file's lines; nil when not gathered
	line        findings.Line
	findingsURL string
}

func (p *fileParser) run(ctx context.Context) error {
	t := p.task
	if err := p.allowed(t.URL); err != nil {
		return err
	}
	store, err := p.opts.Roles.Store(t.URL)
	if err != nil {
		return err
	}
	ra, err := store.OpenAt(ctx, t.URL)
	if role := p.opts.Roles.RoleFor(t.URL); err != nil && role != "" {
		return fmt.Errorf("open %s as %s: %w", t.URL, role, err)
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", t.URL, err)
	}
	defer ra.Close()
	rd, err := tabular.Open(tabular.Source{
		Name:   t.URL,
		Size:   ra.Size(),
		At:     ra,
		Stream: func() (io.ReadCloser, error) { return store.Open(ctx, t.URL) },
		Limits: p.opts.Limits,
	})
	if err != nil {
		return err
	}
	defer rd.Close()
	schema, err := cur.Detect(rd.Header())
	if err != nil {
		return fmt.Errorf("%s: %w", t.URL, err)
	}
	writeLake := p.opts.Output != "" && !p.opts.NoCurated
	if p.opts.Output != "" && p.opts.Findings {
		p.found = new(findings.Acc)
	}
	cols := schema.Columns()
	if !writeLake && p.found == nil {
		cols = schema.TotalsColumns() // the free text is the lake's and the findings' alone
	}
	if err := rd.Select(cols); err != nil {
		return err
	}
	// A row's partition is the billing period its own bill names, which a
	// delivery can differ from (files holding rows of several periods).
	if writeLake {
		p.lake = curated.NewPartitioned(p.openCurated(ctx), p.curatedBase(), func(*curated.Record) string { return p.period })
	}
	ch, chunked := tabular.Chunks(rd)
	workers := runtime.GOMAXPROCS(0)
	var it cur.Item
	var rec curated.Record
	for {
		if chunked && workers > 1 && ch.Width() >= 0 {
			// The row width is known: scan the rest on every core.
			return p.runChunks(ctx, ch, schema, workers)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if failsFile(err) {
				return err
			}
			if err := p.badRow(ctx, rd.Pos(), err); err != nil {
				return err
			}
			continue
		}
		if err := schema.Parse(row, &it); err != nil {
			if err := p.badRow(ctx, rd.Pos(), &tabular.RowError{Object: t.URL, Pos: rd.Pos(), Err: err}); err != nil {
				return err
			}
			continue
		}
		p.rows++
		addItem(p.sums, &it)
		if p.sums.Len() > p.cells.max {
			return fmt.Errorf("%s:%d: %w", t.URL, rd.Pos(), p.cells.err())
		}
		if err := addFinding(p.found, &p.line, &it); err != nil {
			return fmt.Errorf("%s:%d: %w", t.URL, rd.Pos(), err)
		}
		if p.lake != nil {
			p.period = p.periodOf(&it)
			p.fillRecord(&rec, &it, rd.Pos())
			if err := p.lake.Write(&rec); err != nil {
				return fmt.Errorf("%s:%d: %w", t.URL, rd.Pos(), err)
			}
		}
	}
	return p.finish(ctx)
}

// failsFile reports whether a reader's error fails the whole file: a
// damaged container, a header that does not fit its rows, a bound passed,
// or a column curpipe cannot decode. Other row errors are bad rows.
func failsFile(err error) bool {
	for _, fatal := range [...]error{tabular.ErrCorrupt, tabular.ErrHeader, tabular.ErrLimit, tabular.ErrCompression, tabular.ErrColumnType} {
		if errors.Is(err, fatal) {
			return true
		}
	}
	return !isRowError(err)
}

// addItem adds a line item's measures to its cell.
func addItem(sums *totals.Accumulator, it *cur.Item) {
	sums.AddAt(it.UsageStart, totals.Dims{
		Provider: it.Provider,
		Payer:    it.Payer,
		Account:  it.Account,
		Service:  it.Service,
		Currency: it.Currency,
	}, it.Unblended, it.NetUnblended, it.Amortized)
}

// addFinding adds a line item to what the savings rules read, when acc
// gathers it; line is scratch space.
func addFinding(acc *findings.Acc, line *findings.Line, it *cur.Item) error {
	if acc == nil {
		return nil
	}
	findings.FromItem(line, it)
	return acc.Add(line)
}

func (p *fileParser) finish(ctx context.Context) error {
	if p.found != nil && p.found.Len() > 0 {
		if err := p.writeFindings(ctx); err != nil {
			return err
		}
	}
	if p.lake != nil {
		files, err := p.lake.Close()
		if err != nil {
			return fmt.Errorf("write curated files of %s: %w", p.task.URL, err)
		}
		for _, f := range files {
			p.curatedURLs = append(p.curatedURLs, lake.CuratedURL(p.opts.Output, f.Path))
		}
	}
	if p.quarantine != nil {
		p.quarantineCSV.Flush()
		if err := p.quarantineCSV.Error(); err != nil {
			return fmt.Errorf("write %s: %w", p.quarantineURL, err)
		}
		if err := p.quarantine.Close(); err != nil {
			return err
		}
		p.quarantine = nil
	}
	return nil
}

// allowed refuses S3 objects outside the allowed buckets, so that a
// manifest or an event naming another bucket cannot make curpipe read it.
func (p *fileParser) allowed(u string) error {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return nil
	}
	bucket, _, _ := strings.Cut(rest, "/")
	for _, b := range p.opts.AllowBuckets {
		if b == bucket {
			return nil
		}
	}
	return fmt.Errorf("%s: reading bucket %q is not allowed: give --allow-bucket %s to allow it", u, bucket, bucket)
}

// abort discards everything the parser wrote.
func (p *fileParser) abort(ctx context.Context) {
	for _, w := range p.writers {
		w.Abort()
	}
	if p.lake != nil {
		p.lake.Abort()
	}
	for _, u := range p.curatedURLs {
		objstore.Remove(ctx, u)
	}
	if p.quarantine != nil {
		p.quarantine.Abort()
	} else if p.quarantineURL != "" {
		objstore.Remove(ctx, p.quarantineURL)
	}
	p.curatedURLs, p.quarantineURL = nil, ""
}
