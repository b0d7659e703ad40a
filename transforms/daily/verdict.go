package daily

import (
	"fmt"
	"sort"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/curpipe/curpipe/transforms/element"
)

func init() {
	register.Function2x0(keyReport)
	register.DoFn4x0[string, func(*element.Report) bool, func(*element.FileStatus) bool, func(string, element.Verdict)](&verdictFn{})
	register.Emitter2[string, element.Report]()
	register.Emitter2[string, element.Verdict]()
	register.Iter1[element.Report]()
	register.Iter1[element.FileStatus]()
}

// Verdicts gathers each report with its files' statuses and decides, per
// report, whether it commits. Output: KV<ref, Verdict>.
func Verdicts(s beam.Scope, reports, statuses beam.PCollection, maxBadRows int64) beam.PCollection {
	s = s.Scope("daily.Verdicts")
	keyed := beam.ParDo(s, keyReport, reports)
	grouped := beam.CoGroupByKey(s, keyed, statuses)
	return beam.ParDo(s, &verdictFn{MaxBadRows: maxBadRows}, grouped)
}

func keyReport(r element.Report, emit func(string, element.Report)) { emit(r.Ref, r) }

type verdictFn struct {
	MaxBadRows int64
}

func (f *verdictFn) ProcessElement(ref string, reports func(*element.Report) bool, files func(*element.FileStatus) bool, emit func(string, element.Verdict)) {
	var v element.Verdict
	var r element.Report
	for reports(&r) {
		v.Report = r
	}
	var st element.FileStatus
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
func failure(r element.Report, files []element.FileStatus, maxBadRows int64) string {
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
