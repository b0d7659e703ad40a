package parse

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/curpipe/curpipe/transforms/cur"
	"github.com/curpipe/curpipe/transforms/curated"
	"github.com/curpipe/curpipe/transforms/findings"
	"github.com/curpipe/curpipe/transforms/tabular"
	"github.com/curpipe/curpipe/transforms/totals"
)

// chunkSize is about how many bytes of CSV one chunk holds: enough rows
// (about a thousand of a CUR) that handing chunks around costs little,
// few enough that the chunks in flight take a few megabytes.
var chunkSize = 1 << 20 // a variable so that tests can cut small chunks

// flushCells is how many cells a chunk worker holds before it adds them
// to its file's sums (a variable so that tests can lower it).
var flushCells = 1 << 15

// chunk is a run of a file's rows, scanned on a worker and taken in file
// order by the parser.
type chunk struct {
	rd   tabular.Reader // nil when cutting failed
	err  error          // cutting failed: the file fails after the chunks before
	done chan struct{}  // closed once scanned

	// What the scan found, in file order.
	rows    int64
	bad     []badRow
	fatal   error            // a row error that fails the file, after bad
	records []curated.Record // when the file has a lake
	periods []string         // each record's billing period
}

// recordPool holds the record slices of chunks already written.
var recordPool sync.Pool

type badRow struct {
	pos int64
	err error
}

// runChunks reads the rest of a file in chunks scanned on workers
// goroutines, each summing into its own accumulator, while another cuts
// the chunks and this one takes their results in file order: bad rows and curated
// records go out as the sequential loop would write them, so the files
// and messages do not depend on the number of cores. The sums are merged
// exactly at the end.
func (p *fileParser) runChunks(parent context.Context, ch tabular.Chunker, schema *cur.Schema, workers int) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	jobs := make(chan *chunk, workers)
	queue := make(chan *chunk, 2*workers) // bounds the chunks in flight
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex // guards p.sums and cellsErr
		cellsErr error
	)
	// flush adds a worker's sums to the file's; past the file's share of
	// cells the parse stops.
	flush := func(sums *totals.Accumulator, found *findings.Acc) {
		mu.Lock()
		defer mu.Unlock()
		if found != nil {
			p.found.Merge(found)
		}
		p.sums.Merge(sums)
		if p.sums.Len() > p.cells.max && cellsErr == nil {
			cellsErr = fmt.Errorf("%s: %w", p.task.URL, p.cells.err())
			cancel()
		}
	}
	for range workers {
		wg.Go(func() {
			sums := totals.NewAccumulator()
			var found *findings.Acc
			if p.found != nil {
				found = new(findings.Acc)
			}
			for c := range jobs {
				if ctx.Err() != nil { // the parse has failed: drop what is left
					c.rd.Close()
					close(c.done)
					continue
				}
				p.scanChunk(c, schema, sums, found)
				// A worker's sums go to the file's once they hold many
				// cells, so that a file of millions of cells is held once,
				// not once a worker; the few thousand of a usual file
				// stay on the worker until the end.
				if sums.Len() >= flushCells {
					flush(sums, nil)
					sums = totals.NewAccumulator()
				}
			}
			flush(sums, found)
		})
	}
	wg.Go(func() {
		defer close(queue)
		defer close(jobs)
		for {
			rd, err := ch.NextChunk(chunkSize)
			if err == io.EOF {
				return
			}
			c := &chunk{rd: rd, err: err, done: make(chan struct{})}
			if err != nil {
				close(c.done)
			}
			select {
			case queue <- c:
			case <-ctx.Done():
				if rd != nil {
					rd.Close()
				}
				return
			}
			if err != nil {
				return
			}
			select {
			case jobs <- c:
			case <-ctx.Done():
				rd.Close()
				return
			}
		}
	})
	err := p.takeChunks(ctx, queue)
	cancel()
	wg.Wait()
	if cellsErr != nil {
		return cellsErr
	}
	if err != nil {
		return err
	}
	// The chunks' context is cancelled by now: what is left to write
	// goes with the parse's.
	return p.finish(parent)
}

// takeChunks takes the scanned chunks in file order.
func (p *fileParser) takeChunks(ctx context.Context, queue <-chan *chunk) error {
	for c := range queue {
		select {
		case <-c.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if c.err != nil {
			return c.err
		}
		p.rows += c.rows
		for _, b := range c.bad {
			if err := p.badRow(ctx, b.pos, b.err); err != nil {
				return err
			}
		}
		if c.fatal != nil {
			return c.fatal
		}
		for i := range c.records {
			p.period = c.periods[i]
			if err := p.lake.Write(&c.records[i]); err != nil {
				return fmt.Errorf("%s:%d: %w", p.task.URL, c.records[i].SourceLine, err)
			}
		}
		if recs := c.records; recs != nil {
			// The writer has copied the rows: the next chunk reuses the
			// slice, which held a thousand records of 400 bytes.
			clear(recs)
			c.records = nil
			recordPool.Put(&recs)
		}
	}
	return ctx.Err()
}

// scanChunk parses the rows of one chunk into sums, keeping its bad rows
// and curated records for takeChunks. It runs on a worker: it touches
// nothing of p but what is fixed for the file.
func (p *fileParser) scanChunk(c *chunk, schema *cur.Schema, sums *totals.Accumulator, found *findings.Acc) {
	defer close(c.done)
	defer c.rd.Close()
	// A panic here would end the worker process, where on the DoFn's own
	// goroutine the SDK fails the bundle: fail the file instead.
	defer func() {
		if r := recover(); r != nil {
			c.fatal = fmt.Errorf("%s near line %d: internal error: %v", p.task.URL, c.rd.Pos(), r)
		}
	}()
	var it cur.Item
	var line findings.Line
	period := "" // the last period, cloned: the item's aliases the chunk
	for {
		row, err := c.rd.Next()
		if err == io.EOF {
			return
		}
		pos := c.rd.Pos()
		if err != nil {
			if failsFile(err) {
				c.fatal = frozen(err)
				return
			}
			c.bad = append(c.bad, badRow{pos, frozen(err)})
			continue
		}
		if err := schema.Parse(row, &it); err != nil {
			c.bad = append(c.bad, badRow{pos, frozen(&tabular.RowError{Object: p.task.URL, Pos: pos, Err: err})})
			continue
		}
		c.rows++
		addItem(sums, &it)
		if err := addFinding(found, &line, &it); err != nil {
			c.fatal = frozen(&tabular.RowError{Object: p.task.URL, Pos: pos, Err: err})
			return
		}
		if p.lake != nil {
			if c.records == nil {
				if v, ok := recordPool.Get().(*[]curated.Record); ok {
					c.records = (*v)[:0]
				}
			}
			c.records = append(c.records, curated.Record{})
			p.fillRecord(&c.records[len(c.records)-1], &it, pos)
			if pe := p.periodOf(&it); pe != period {
				period = strings.Clone(pe)
			}
			c.periods = append(c.periods, period)
		}
	}
}

// frozenError is an error whose message was taken while the chunk it
// quotes was still there: errors may hold strings of the chunk's buffer,
// which a later chunk reuses.
type frozenError struct {
	msg string
	err error
}

func frozen(err error) error         { return &frozenError{msg: err.Error(), err: err} }
func (e *frozenError) Error() string { return e.msg }
func (e *frozenError) Unwrap() error { return e.err }
