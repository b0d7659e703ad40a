// Package totalstore is the one way curpipe keeps and reads committed
// daily totals, whichever sink holds them: the lake's per-version day
// files (the embedded default) or a DynamoDB table. The commit writes a
// report version's days through it, records the version, and removes
// what a failed or replaced version left; query, validate and the readers
// of the totals' history read through it.
package totalstore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/curpipe/curpipe/io/dynamodbio"
	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/findings"
	"github.com/curpipe/curpipe/transforms/forecast"
	"github.com/curpipe/curpipe/transforms/totals"
)

// Version is one version of a report, as a store records it.
type Version struct {
	ReportKey   string // short stable key of the report
	ReportID    string // the report's full identity
	Version     string
	VersionKey  string // short token of Version, for file names
	VersionTime int64  // Unix nanoseconds; orders the versions of a report
}

// Writes counts what writing a day did, where the store can tell: items
// written or deleted, left unchanged, or refused because a newer version
// holds them.
type Writes struct {
	Written, Unchanged, Stale int
}

// ErrStale is returned (wrapped) by Commit when a newer version of the
// report is committed or has begun writing: the older one changes
// nothing, which is right.
var ErrStale = errors.New("a newer version is committed")

// Store keeps the committed daily totals of report versions.
//
// A version's days are written first (WriteDay, in parallel, idempotent),
// then the version is recorded as committed (Commit), and only then does
// what the version it replaces left go (Retire). A version that fails has
// what it wrote removed (Discard). Query sums the committed versions'
// totals over all reports.
type Store interface {
	// String names the store for messages ("table X", "the lake at Y").
	String() string
	// WriteDay makes v's totals of one day equal rows (sorted by Dims).
	WriteDay(ctx context.Context, v Version, day string, rows []totals.Row) (Writes, error)
	// Holds reports whether v is committed with at least days.
	Holds(ctx context.Context, v Version, days []string) (bool, error)
	// Commit records v as the report's committed version with its days.
	Commit(ctx context.Context, v Version, name, billingPeriod string, days []string) error
	// Discard removes the days an uncommitted version wrote.
	Discard(ctx context.Context, v Version, days []string) error
	// Retire removes the days of a version that a newer one replaced.
	Retire(ctx context.Context, v Version, days []string) error
	// Finalize brings the store's sums over all reports up to date once a
	// batch of commits is done.
	Finalize(ctx context.Context) error
	// Query returns the committed totals of the days from..to (inclusive,
	// YYYY-MM-DD; "" is open where the store allows it), summed across
	// reports, at the detail grain.
	Query(ctx context.Context, from, to string) (totals.Table, error)
	// Current is Query of the payers' cells as they stand now: it
	// includes versions committed since the last Finalize, as a report's
	// notification, sent right after its commit, needs.
	Current(ctx context.Context, from, to string, payers []string) (totals.Table, error)
	// Check says whether the store is ready to be written.
	Check(ctx context.Context) error
	// Anomalies returns the cost anomalies stored beside the totals.
	Anomalies(ctx context.Context) ([]alert.Record, error)
	// SaveAnomalies stores anomalies, each replacing the one of its ID.
	SaveAnomalies(ctx context.Context, recs []alert.Record) error
	// Forecasts returns the payers' month-end forecasts stored for a
	// billing period (YYYY-MM).
	Forecasts(ctx context.Context, period string) ([]forecast.Row, error)
	// SaveForecasts stores payers' forecasts of a period, each replacing
	// the one of its payer, currency and measure.
	SaveForecasts(ctx context.Context, period string, rows []forecast.Row) error
	// Findings returns the savings findings standing, sorted by saving.
	Findings(ctx context.Context) ([]findings.Finding, error)
	// SaveFindings makes the standing findings fs: those not in fs are
	// gone.
	SaveFindings(ctx context.Context, fs []findings.Finding) error
}

// Open returns the store of a run's totals: the DynamoDB table when one
// is named, else the lake at output.
func Open(ctx context.Context, output, table string) (Store, error) {
	if table == "" {
		if output == "" {
			return nil, errors.New("totalstore: neither a lake nor a table to keep the totals in")
		}
		return Lake(output), nil
	}
	t, err := dynamodbio.Open(ctx, table)
	if err != nil {
		return nil, err
	}
	return Table(t), nil
}

// subset reports whether every day of days is in have.
func subset(days, have []string) bool {
	seen := make(map[string]bool, len(have))
	for _, d := range have {
		seen[d] = true
	}
	for _, d := range days {
		if !seen[d] {
			return false
		}
	}
	return true
}

// lakeStore keeps the totals as CSV in the lake.
type lakeStore struct{ output string }

// Lake returns the store that keeps the totals in the lake at output:
// each version's days in a folder of their own, and totals/daily.csv and
// daily_detail.csv summed over the committed versions by Finalize. Its
// commit record is the report's state in the lake, which the commit
// writes for every store (it also names the curated files): Commit has
// nothing more to record.
func Lake(output string) Store { return lakeStore{output} }

func (s lakeStore) String() string { return "the lake at " + s.output }

func (s lakeStore) WriteDay(ctx context.Context, v Version, day string, rows []totals.Row) (Writes, error) {
	var buf bytes.Buffer
	if err := totals.WriteDetailRows(&buf, rows); err != nil {
		return Writes{}, err
	}
	u := lake.DayTotalsURL(s.output, v.ReportKey, v.VersionKey, day)
	if err := objstore.WriteAll(ctx, u, buf.Bytes()); err != nil {
		return Writes{}, fmt.Errorf("write %s: %w", u, err)
	}
	return Writes{}, nil
}

func (s lakeStore) Holds(ctx context.Context, v Version, days []string) (bool, error) {
	st, err := lake.LoadState(ctx, s.output, v.ReportKey)
	if err != nil || st == nil || st.ID != v.ReportID || st.Version != v.Version {
		return false, err
	}
	return subset(days, st.Days), nil
}

func (s lakeStore) Commit(context.Context, Version, string, string, []string) error { return nil }

func (s lakeStore) Discard(ctx context.Context, v Version, days []string) error {
	if v.VersionKey == "" {
		return nil // a lake written before versions had folders: its days are the committed ones
	}
	return s.remove(ctx, v, days)
}

func (s lakeStore) Retire(ctx context.Context, v Version, days []string) error {
	return s.remove(ctx, v, days)
}

func (s lakeStore) remove(ctx context.Context, v Version, days []string) error {
	for _, d := range days {
		u := lake.DayTotalsURL(s.output, v.ReportKey, v.VersionKey, d)
		if err := objstore.Remove(ctx, u); err != nil {
			return fmt.Errorf("remove %s: %w", u, err)
		}
	}
	return nil
}

func (s lakeStore) Finalize(ctx context.Context) error { return lake.RebuildTotals(ctx, s.output) }

// Query streams the lake's daily_detail.csv and keeps the days from..to:
// memory holds the range asked for, not the lake's whole history.
func (s lakeStore) Query(ctx context.Context, from, to string) (totals.Table, error) {
	u := lake.DetailURL(s.output)
	store, err := objstore.For(u)
	if err != nil {
		return nil, err
	}
	r, err := store.Open(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("no totals in %s (has curpipe run written there?): %w", s.output, err)
	}
	defer r.Close()
	tab := make(totals.Table)
	err = totals.ScanDetail(bufio.NewReaderSize(r, 1<<20), func(d totals.Dims, sums totals.Sums) {
		if (from == "" || d.Day >= from) && (to == "" || d.Day <= to) {
			tab.Merge(d, sums)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	return tab, nil
}

func (s lakeStore) Check(context.Context) error { return nil }

// tableStore keeps the totals in DynamoDB.
type tableStore struct{ t *dynamodbio.Table }

// Table returns the store that keeps the totals in a DynamoDB table (see
// dynamodbio for its items and guards).
func Table(t *dynamodbio.Table) Store { return tableStore{t} }

func (s tableStore) String() string { return "table " + s.t.Name() }

func tableVersion(v Version) dynamodbio.Version {
	return dynamodbio.Version{ReportKey: v.ReportKey, ReportID: v.ReportID, Version: v.Version, VersionTime: v.VersionTime}
}

func (s tableStore) WriteDay(ctx context.Context, v Version, day string, rows []totals.Row) (Writes, error) {
	st, err := s.t.WriteDay(ctx, tableVersion(v), day, rows)
	return Writes{Written: st.Written + st.Deleted, Unchanged: st.Unchanged, Stale: st.Stale}, err
}

func (s tableStore) Holds(ctx context.Context, v Version, days []string) (bool, error) {
	st, err := s.t.State(ctx, v.ReportKey)
	if err != nil || st == nil || st.Version.Version != v.Version || st.VersionTime != v.VersionTime {
		return false, err
	}
	return subset(days, st.Days), nil
}

func (s tableStore) Commit(ctx context.Context, v Version, name, billingPeriod string, days []string) error {
	_, err := s.t.Commit(ctx, tableVersion(v), name, billingPeriod, days)
	if errors.Is(err, dynamodbio.ErrStale) {
		return fmt.Errorf("%w in %s", ErrStale, s)
	}
	return err
}

// Discard, Retire and Finalize have nothing to do: a table's Commit
// clears the days the committed version lacks, and Query sums reports as
// it reads.
func (s tableStore) Discard(context.Context, Version, []string) error { return nil }
func (s tableStore) Retire(context.Context, Version, []string) error  { return nil }
func (s tableStore) Finalize(context.Context) error                   { return nil }

func (s tableStore) Query(ctx context.Context, from, to string) (totals.Table, error) {
	if from == "" || to == "" {
		return nil, errors.New("a table is read day by day: give the first and the last day")
	}
	tab, err := s.t.Query(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", s.t.Name(), err)
	}
	return tab, nil
}

func (s tableStore) Check(ctx context.Context) error { return s.t.Check(ctx) }

func (s lakeStore) Anomalies(ctx context.Context) ([]alert.Record, error) {
	return readLakeCSV(ctx, lake.AnomaliesURL(s.output), alert.ReadCSV)
}

// readLakeCSV reads one of the lake's files with read; a file not yet
// written holds nothing.
func readLakeCSV[T any](ctx context.Context, u string, read func(io.Reader) ([]T, error)) ([]T, error) {
	b, err := objstore.ReadAll(ctx, u)
	if errors.Is(err, objstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out, err := read(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	return out, nil
}

// SaveAnomalies rewrites the lake's one file of anomalies with recs
// merged in; the file appears whole or not at all.
func (s lakeStore) SaveAnomalies(ctx context.Context, recs []alert.Record) error {
	have, err := s.Anomalies(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := alert.WriteCSV(&buf, merge(have, recs, alert.Sort)); err != nil {
		return err
	}
	return objstore.WriteAll(ctx, lake.AnomaliesURL(s.output), buf.Bytes())
}

// merge returns have with each of recs replacing the one of its ID, in
// the order sortFn gives.
func merge[T interface{ ID() string }](have, recs []T, sortFn func([]T)) []T {
	byID := make(map[string]T, len(have)+len(recs))
	for _, r := range have {
		byID[r.ID()] = r
	}
	for _, r := range recs {
		byID[r.ID()] = r
	}
	out := slices.Collect(maps.Values(byID))
	sortFn(out)
	return out
}

// anomalyDocs is the documents collection of the anomalies in a table.
const anomalyDocs = "anomalies"

func (s tableStore) Anomalies(ctx context.Context) ([]alert.Record, error) {
	docs, err := s.t.Docs(ctx, anomalyDocs)
	if err != nil {
		return nil, err
	}
	var out []alert.Record
	for id, body := range docs {
		recs, err := alert.ReadCSV(strings.NewReader(body))
		if err != nil || len(recs) != 1 {
			return nil, fmt.Errorf("table %s: anomaly %s: %d records, %v", s.t.Name(), id, len(recs), err)
		}
		out = append(out, recs[0])
	}
	alert.Sort(out)
	return out, nil
}

func (s tableStore) SaveAnomalies(ctx context.Context, recs []alert.Record) error {
	docs := make(map[string]string, len(recs))
	for _, r := range recs {
		var buf bytes.Buffer
		if err := alert.WriteCSV(&buf, []alert.Record{r}); err != nil {
			return err
		}
		docs[r.ID()] = buf.String()
	}
	return s.t.PutDocs(ctx, anomalyDocs, docs)
}

func (s lakeStore) Current(ctx context.Context, from, to string, payers []string) (totals.Table, error) {
	return lake.QueryCommitted(ctx, s.output, from, to, func(d totals.Dims) bool { return slices.Contains(payers, d.Payer) })
}

// Current is Query: the table's days are current once committed.
func (s tableStore) Current(ctx context.Context, from, to string, payers []string) (totals.Table, error) {
	tab, err := s.Query(ctx, from, to)
	if err != nil {
		return nil, err
	}
	maps.DeleteFunc(tab, func(d totals.Dims, _ *totals.Sums) bool { return !slices.Contains(payers, d.Payer) })
	return tab, nil
}
