package curated

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// File is one finished curated file.
type File struct {
	Path string // relative: billing_period=YYYY-MM/usage_date=YYYY-MM-DD/<base>.parquet
	Rows int64
}

// Partitioned routes Records to one Writer per Hive partition,
//
//	billing_period=YYYY-MM/usage_date=YYYY-MM-DD/<base>.parquet
//
// where usage_date is the UTC date of the usage start. Each partition's
// destination is opened on its first Record. A source object spans one
// billing period, so about 31 partitions are open at once, each holding
// its current row group in memory. When rows arrive in no order of day,
// no partition reaches maxRowGroupRows before the end of a large file, so
// the rows held across all partitions are bounded too (maxBufferedRows):
// past it, the partition holding the most ends its row group early.
// It is not safe for concurrent use.
type Partitioned struct {
	open          func(relPath string) (io.WriteCloser, error)
	base          string
	billingPeriod func(*Record) string
	parts         map[string]*partition // by relative path
	byDay         map[int64]*partition  // by UTC day number, for billing period period
	period        string                // billingPeriod's answer for byDay
	buffered      int64                 // rows held across the partitions
	limit         int64                 // at most this many: maxBufferedRows
	done          bool
}

// maxBufferedRows bounds the rows a Partitioned holds in memory. At the
// 300 to 400 bytes a CUR row takes in parquet-go's column buffers, it is
// about 50 MB; rows in random day order then make row groups of about
// 4k rows per partition.
const maxBufferedRows = 128 << 10

type partition struct {
	path string
	dst  io.WriteCloser
	w    *Writer
}

// NewPartitioned returns a Partitioned that opens each partition's file
// with open, under the file name base + ".parquet". Choose base to be
// deterministic for the input (the source object and report version, say),
// so a replayed bundle overwrites its own files instead of adding copies.
//
// billingPeriod gives a Record's billing period as YYYY-MM; when it is nil or
// returns "", the month of the usage start is used.
func NewPartitioned(open func(relPath string) (io.WriteCloser, error), base string,
	billingPeriod func(*Record) string) *Partitioned {
	return &Partitioned{open: open, base: base, billingPeriod: billingPeriod,
		parts: make(map[string]*partition), byDay: make(map[int64]*partition), limit: maxBufferedRows}
}

// Write adds r to its partition's file. As with Writer.Write, a Record
// that cannot be represented exactly is rejected and the files stay usable.
func (p *Partitioned) Write(r *Record) error {
	if p.done {
		return errors.New("curated: write after Close or Abort")
	}
	part, err := p.partitionOf(r)
	if err != nil {
		return err
	}
	before := part.w.Buffered()
	if err := part.w.Write(r); err != nil {
		return fmt.Errorf("%s: %w", part.path, err)
	}
	// The writer may have cut a row group of its own.
	p.buffered += part.w.Buffered() - before
	if p.buffered > p.limit {
		return p.flushLargest()
	}
	return nil
}

// flushLargest ends the row group of the partition holding the most rows.
func (p *Partitioned) flushLargest() error {
	var largest string
	var most int64 = -1
	for path, part := range p.parts {
		if n := part.w.Buffered(); n > most || (n == most && path < largest) {
			largest, most = path, n
		}
	}
	if err := p.parts[largest].w.FlushRowGroup(); err != nil {
		return fmt.Errorf("%s: %w", largest, err)
	}
	p.buffered -= most
	return nil
}

// partitionOf returns r's partition, opening it on its first Record. The
// path is formatted and checked once per partition, not once per Record.
func (p *Partitioned) partitionOf(r *Record) (*partition, error) {
	period := ""
	if p.billingPeriod != nil {
		period = p.billingPeriod(r)
	}
	if period != p.period { // a new source object's, say
		clear(p.byDay)
		p.period = period
	}
	day := unixDay(r.UsageStart)
	// Only days that passed path's checks are cached, so a bad period or
	// base fails on every Record; a zero start shares its day with others.
	if part, ok := p.byDay[day]; ok && !r.UsageStart.IsZero() {
		return part, nil
	}
	path, err := p.path(r, period)
	if err != nil {
		return nil, err
	}
	part, ok := p.parts[path]
	if !ok {
		dst, err := p.open(path)
		if err != nil {
			return nil, fmt.Errorf("curated: open %s: %w", path, err)
		}
		part = &partition{path: path, dst: dst, w: NewWriter(dst)}
		p.parts[path] = part
	}
	p.byDay[day] = part
	return part, nil
}

// unixDay returns the number of days from 1970-01-01 to t's UTC date.
func unixDay(t time.Time) int64 {
	const secondsPerDay = 24 * 60 * 60
	s := t.Unix()
	d := s / secondsPerDay
	if s%secondsPerDay < 0 {
		d-- // round toward minus infinity
	}
	return d
}

// path returns the relative path of the partition file of r, whose billing
// period billingPeriod gave as period.
func (p *Partitioned) path(r *Record, period string) (string, error) {
	if p.base == "" || strings.ContainsAny(p.base, `/\`) || p.base == "." || p.base == ".." {
		return "", fmt.Errorf("curated: bad file base name %q", p.base)
	}
	if r.UsageStart.IsZero() {
		return "", fmt.Errorf("curated: %s:%d: usage_start is zero", r.SourceObject, r.SourceLine)
	}
	start := r.UsageStart.UTC()
	if period == "" {
		period = start.Format("2006-01")
	} else if _, err := time.Parse("2006-01", period); err != nil || len(period) != 7 {
		// Also keeps a bad value from escaping the output folder.
		return "", fmt.Errorf("curated: %s:%d: billing period %q is not YYYY-MM",
			r.SourceObject, r.SourceLine, period)
	}
	return "billing_period=" + period + "/usage_date=" + start.Format(time.DateOnly) +
		"/" + p.base + ".parquet", nil
}

// Close finishes every file and returns them sorted by path. On error, the
// files are still returned, every one that was opened, so that the caller
// can delete them: none of them should be trusted.
func (p *Partitioned) Close() ([]File, error) {
	if p.done {
		return nil, errors.New("curated: Close after Close or Abort")
	}
	p.done = true
	var errs []error
	files := make([]File, 0, len(p.parts))
	for _, path := range p.paths() {
		part := p.parts[path]
		if err := part.w.Close(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
		}
		if err := part.dst.Close(); err != nil {
			errs = append(errs, fmt.Errorf("curated: close %s: %w", path, err))
		}
		files = append(files, File{Path: path, Rows: part.w.Rows()})
	}
	p.parts, p.byDay = nil, nil
	return files, errors.Join(errs...)
}

// Abort closes every destination without finishing its file, leaving
// truncated objects for the caller to delete (the paths it was asked to
// open). Closing errors are ignored: the files are garbage anyway.
func (p *Partitioned) Abort() {
	if p.done {
		return
	}
	p.done = true
	for _, path := range p.paths() {
		p.parts[path].dst.Close()
	}
	p.parts, p.byDay = nil, nil
}

func (p *Partitioned) paths() []string {
	paths := make([]string, 0, len(p.parts))
	for path := range p.parts {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	return paths
}
