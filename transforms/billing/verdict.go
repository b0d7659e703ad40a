package billing

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
)

func init() {
	register.Function2x0(keyReport)
	register.DoFn4x0[string, func(*Report) bool, func(*FileStatus) bool, func(string, Verdict)](&verdictFn{})
	register.Emitter2[string, Report]()
	register.Emitter2[string, Verdict]()
	register.Iter1[Report]()
	register.Iter1[FileStatus]()
}

// Verdict says whether a report may be committed: every file parsed and
// the bad rows stay within the allowance. It is small (no totals), so it
// can reach every shard of the report as a side input.
type Verdict struct {
	Report Report
	Files  []FileStatus // sorted by Index
	Err    string       // why the report fails; "" when it may commit
}

// OK reports whether the report may be committed.
func (v Verdict) OK() bool { return v.Err == "" && v.Report.Skip == "" }

// Days returns the days the report's files have sums for, sorted: what
// its commit must write, no more and no fewer.
func (v Verdict) Days() []string {
	var days []string
	for _, st := range v.Files {
		days = append(days, st.Days...)
	}
	slices.Sort(days)
	return slices.Compact(days)
}

// DayVerdict returns what the writer of each of the report's days needs
// to know of the verdict.
func (v Verdict) DayVerdict() DayVerdict {
	r := v.Report
	return DayVerdict{Ref: r.Ref, ReportID: r.ID, ReportKey: r.Key, Version: r.Version,
		VersionKey: r.VersionKey, VersionTime: r.VersionTime, OK: v.OK()}
}

// Verdicts gathers each report with its files' statuses and decides, per
// report, whether it commits. Output: KV<ref, Verdict>.
func Verdicts(s beam.Scope, reports, statuses beam.PCollection, maxBadRows int64) beam.PCollection {
	s = s.Scope("billing.Verdicts")
	keyed := beam.ParDo(s, keyReport, reports)
	grouped := beam.CoGroupByKey(s, keyed, statuses)
	return beam.ParDo(s, &verdictFn{MaxBadRows: maxBadRows}, grouped)
}

func keyReport(r Report, emit func(string, Report)) { emit(r.Ref, r) }

type verdictFn struct {
	MaxBadRows int64
}

func (f *verdictFn) ProcessElement(ref string, reports func(*Report) bool, files func(*FileStatus) bool, emit func(string, Verdict)) {
	var v Verdict
	var r Report
	for reports(&r) {
		v.Report = r
	}
	var st FileStatus
	for files(&st) {
		v.Files = append(v.Files, st)
	}
	if v.Report.Ref == "" {
		return // statuses without their report cannot happen in one graph
	}
	sort.Slice(v.Files, func(i, j int) bool { return v.Files[i].Index < v.Files[j].Index })
	if v.Report.Skip == "" {
		v.Err = failure(v.Report, v.Files, f.MaxBadRows)
	}
	emit(ref, v)
}

// failure returns why a report cannot be committed, or "".
func failure(r Report, files []FileStatus, maxBadRows int64) string {
	if r.Err != "" {
		return r.Err
	}
	var errs []string
	var bad int64
	for _, st := range files {
		bad += st.BadRows
		if st.Err != "" {
			errs = append(errs, st.Err)
		}
	}
	if len(errs) > 0 {
		if len(errs) > 3 {
			errs = append(errs[:3], fmt.Sprintf("and %d more files", len(errs)-3))
		}
		return strings.Join(errs, "; ")
	}
	if len(files) != len(r.Files) {
		return fmt.Sprintf("%d of %d files reported back", len(files), len(r.Files))
	}
	if bad > maxBadRows {
		return fmt.Sprintf("%d bad rows, more than the %d allowed (--max-bad-rows)", bad, maxBadRows)
	}
	return ""
}
