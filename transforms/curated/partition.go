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
// destination is opened on its first Record. Memory grows with the number
// of partitions open at once, each holding at most one row group (see
// maxRowGroupBytes); a source object spans one billing period, so about 31.
// It is not safe for concurrent use.
type Partitioned struct {
	open          func(relPath string) (io.WriteCloser, error)
	base          string
	billingPeriod func(*Record) string
	parts         map[string]*partition
	done          bool
}

type partition struct {
	dst io.WriteCloser
	w   *Writer
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
		parts: make(map[string]*partition)}
}

// Write adds r to its partition's file. As with Writer.Write, a Record
// that cannot be represented exactly is rejected and the files stay usable.
func (p *Partitioned) Write(r *Record) error {
	if p.done {
		return errors.New("curated: write after Close or Abort")
	}
	path, err := p.path(r)
	if err != nil {
		return err
	}
	part, ok := p.parts[path]
	if !ok {
		dst, err := p.open(path)
		if err != nil {
			return fmt.Errorf("curated: open %s: %w", path, err)
		}
		part = &partition{dst: dst, w: NewWriter(dst)}
		p.parts[path] = part
	}
	if err := part.w.Write(r); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// path returns the relative path of r's partition file.
func (p *Partitioned) path(r *Record) (string, error) {
	if p.base == "" || strings.ContainsAny(p.base, `/\`) || p.base == "." || p.base == ".." {
		return "", fmt.Errorf("curated: bad file base name %q", p.base)
	}
	if r.UsageStart.IsZero() {
		return "", fmt.Errorf("curated: %s:%d: usage_start is zero", r.SourceObject, r.SourceLine)
	}
	start := r.UsageStart.UTC()
	period := ""
	if p.billingPeriod != nil {
		period = p.billingPeriod(r)
	}
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
	p.parts = nil
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
	p.parts = nil
}

func (p *Partitioned) paths() []string {
	paths := make([]string, 0, len(p.parts))
	for path := range p.parts {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	return paths
}
