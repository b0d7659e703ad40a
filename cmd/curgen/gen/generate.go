package gen

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/curpipe/curpipe/transforms/totals"
)

// job is one data file to write.
type job struct {
	per     *period
	version int // 0-based; the last is current
	age     int // versions before the current one: 0 for the current
	file    int // 1-based, as in the file's name
	days    int // days of the period this version covers
	rows    int64
	current bool
	path    string // slash-separated, below the output folder
	mtime   time.Time
}

// seeds returns the file's own random stream, so that files can be written
// in any order, in parallel, and still come out the same. Versions count
// back from the current one, so that the current files are the same
// whatever the number of older versions.
func (j *job) seeds(seed uint64) (uint64, uint64) {
	return seed, mix(uint64(j.per.index)<<40 | uint64(j.age)<<20 | uint64(j.file))
}

// mix is SplitMix64's finalizer: it spreads nearby inputs far apart.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Result is what Generate wrote.
type Result struct {
	DataFiles   []string // data files, slash-separated paths below the output folder
	OtherFiles  []string // manifests and markers
	Rows        int64    // line items of the current versions
	OlderRows   int64    // line items of older versions, which must not count
	CSVBytes    int64    // uncompressed CSV, every version (0 for Parquet)
	StoredBytes int64    // bytes of the data files as written
	Totals      totals.Table
}

// Generate writes the dataset cfg describes under out and returns its
// expected totals, which count the current report versions only.
func Generate(ctx context.Context, out string, cfg Config) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("curgen: %w", err)
	}
	d := newDataset(cfg)
	rows := cfg.Rows
	if rows <= 0 {
		var err error
		if rows, err = d.estimateRows(cfg.Size); err != nil {
			return nil, fmt.Errorf("curgen: estimate rows: %w", err)
		}
	}
	jobs := d.plan(rows)
	res := &Result{Totals: make(totals.Table)}
	var mu sync.Mutex
	var firstErr error
	next := make(chan *job)
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				var table totals.Table
				if j.current {
					table = make(totals.Table)
				}
				csvBytes, stored, err := d.writeJob(ctx, out, j, table)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				for k, s := range table {
					res.Totals.Merge(k, *s)
				}
				res.CSVBytes += csvBytes
				res.StoredBytes += stored
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return nil, firstErr
	}
	for _, j := range jobs {
		res.DataFiles = append(res.DataFiles, j.path)
		if j.current {
			res.Rows += j.rows
		} else {
			res.OlderRows += j.rows
		}
	}
	sort.Strings(res.DataFiles)
	var err error
	if res.OtherFiles, err = d.writeManifests(out, jobs); err != nil {
		return nil, err
	}
	return res, nil
}

// plan lays out the data files: rows spread evenly over the periods and
// files of the current versions, and each older version holding the share
// of them that its days of the month make (AWS delivers each period again
// and again, each time cumulative).
func (d *dataset) plan(rows int64) []*job {
	cfg := d.cfg
	n := int64(cfg.Periods * cfg.Files)
	var jobs []*job
	for pi := range d.periods {
		per := &d.periods[pi]
		for v := 0; v < cfg.Versions; v++ {
			days := per.days
			current := v == cfg.Versions-1
			if !current {
				days = (per.days*(v+1) + cfg.Versions - 1) / cfg.Versions
			}
			for f := 1; f <= cfg.Files; f++ {
				k := int64(pi*cfg.Files + f - 1)
				r := rows / n
				if k < rows%n {
					r++
				}
				j := &job{per: per, version: v, age: cfg.Versions - 1 - v, file: f, days: days, current: current,
					rows: r * int64(days) / int64(per.days), mtime: d.delivered(per, v)}
				j.path = d.dataPath(j)
				jobs = append(jobs, j)
			}
		}
	}
	// Biggest first, so that the last file to finish is a small one.
	sort.SliceStable(jobs, func(a, b int) bool { return jobs[a].rows > jobs[b].rows })
	return jobs
}

// delivered is when version v of a period was delivered: older versions
// during the month, the current one two days after it ends. The resolver
// orders versions by these times.
func (d *dataset) delivered(per *period, v int) time.Time {
	if v == d.cfg.Versions-1 {
		return per.end.Add(54 * time.Hour)
	}
	days := (per.days*(v+1) + d.cfg.Versions - 1) / d.cfg.Versions
	return per.start.Add(time.Duration(days)*24*time.Hour + 6*time.Hour)
}

// writeJob writes one data file and dates it as delivered. It returns the
// uncompressed CSV bytes and the bytes stored.
func (d *dataset) writeJob(ctx context.Context, out string, j *job, table totals.Table) (int64, int64, error) {
	name := filepath.Join(out, filepath.FromSlash(j.path))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return 0, 0, fmt.Errorf("curgen: %w", err)
	}
	f, err := os.Create(name)
	if err != nil {
		return 0, 0, fmt.Errorf("curgen: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	n, err := d.writeData(bw, j, table, ctx.Err)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(name, j.mtime, j.mtime)
	}
	if err != nil {
		os.Remove(name)
		return 0, 0, fmt.Errorf("curgen: write %s: %w", name, err)
	}
	st, err := os.Stat(name)
	if err != nil {
		return 0, 0, fmt.Errorf("curgen: %w", err)
	}
	return n, st.Size(), nil
}

// dataPath names a data file as AWS does for the format.
func (d *dataset) dataPath(j *job) string {
	cfg := d.cfg
	switch cfg.Format {
	case CUR1Parquet:
		return path.Join(cfg.Prefix, cfg.Report, cfg.Report, fmt.Sprintf("year=%d", j.per.start.Year()),
			fmt.Sprintf("month=%d", int(j.per.start.Month())), fmt.Sprintf("%s-%05d.snappy.parquet", cfg.Report, j.file))
	case CUR2Parquet:
		dir := path.Join(cfg.Prefix, cfg.Report, "data", "BILLING_PERIOD="+j.per.start.Format("2006-01"))
		if cfg.Versions > 1 {
			dir = path.Join(dir, d.versionID(j.per, j.version))
		}
		return path.Join(dir, fmt.Sprintf("%s-%05d.snappy.parquet", cfg.Report, j.file))
	case FOCUSCSV:
		dir := path.Join(cfg.Prefix, cfg.Report, "data", "BILLING_PERIOD="+j.per.start.Format("2006-01"))
		return path.Join(dir, fmt.Sprintf("%s-%05d.csv.gz", cfg.Report, j.file))
	}
	return path.Join(d.rangeDir(j.per), d.versionID(j.per, j.version), fmt.Sprintf("%s-%d.csv.gz", cfg.Report, j.file))
}

// rangeDir is a CUR 1.0 date-range folder, "<prefix>/<report>/20240101-20240201".
func (d *dataset) rangeDir(per *period) string {
	return path.Join(d.cfg.Prefix, d.cfg.Report, per.start.Format("20060102")+"-"+per.end.Format("20060102"))
}

// versionID is a report version's assemblyId (CUR 1.0) or executionId
// (CUR 2.0): a UUID drawn from the seed.
func (d *dataset) versionID(per *period, v int) string {
	a := mix(d.cfg.Seed ^ mix(uint64(per.index)<<20|uint64(v)))
	b := mix(a)
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0x3fff|0x8000, b&0xffffffffffff)
}

// WriteExpect writes t as daily.csv and daily_detail.csv in dir, in the
// form the pipeline writes its own totals.
func WriteExpect(dir string, t totals.Table) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("curgen: %w", err)
	}
	for _, f := range []struct {
		name  string
		write func(*bufio.Writer) error
	}{
		{"daily.csv", func(w *bufio.Writer) error { return t.WriteDaily(w) }},
		{"daily_detail.csv", func(w *bufio.Writer) error { return t.WriteDetail(w) }},
	} {
		name := filepath.Join(dir, f.name)
		fh, err := os.Create(name)
		if err != nil {
			return fmt.Errorf("curgen: %w", err)
		}
		w := bufio.NewWriter(fh)
		err = f.write(w)
		if err == nil {
			err = w.Flush()
		}
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("curgen: write %s: %w", name, err)
		}
	}
	return nil
}
