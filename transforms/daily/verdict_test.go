package daily

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/curpipe/curpipe/transforms/element"
)

func init() {
	register.Function2x1(describeVerdict)
	register.Function1x2(keyStatus)
}

// describeVerdict names a verdict: its report, whether it may commit, its
// days and why not.
func describeVerdict(ref string, v element.Verdict) string {
	return fmt.Sprintf("%s ok=%v days=%s err=%s", ref, v.OK(), strings.Join(v.Days(), ","), v.Err)
}

func keyStatus(st element.FileStatus) (string, element.FileStatus) { return st.Ref, st }

// TestVerdicts runs Verdicts on prism: a report whose files all parsed
// may commit, with the union of their days; one with a failed file, a
// file that never reported back, or more bad rows than allowed may not,
// saying why; a skipped report passes through, not to be committed.
func TestVerdicts(t *testing.T) {
	report := func(ref string, files int) element.Report {
		r := element.Report{Ref: ref, ID: ref, Version: "v"}
		for i := range files {
			r.Files = append(r.Files, fmt.Sprintf("s3://b/%s-%d.csv", ref, i))
		}
		return r
	}
	skipped := report("skip", 1)
	skipped.Skip = "version v already committed"
	reports := []element.Report{report("ok", 2), report("failed", 2), report("short", 2), report("bad", 1), skipped}
	statuses := []element.FileStatus{
		{Ref: "ok", Index: 1, Days: []string{"2024-01-02", "2024-01-03"}},
		{Ref: "ok", Index: 0, Days: []string{"2024-01-01", "2024-01-02"}},
		{Ref: "failed", Index: 0, Days: []string{"2024-01-01"}},
		{Ref: "failed", Index: 1, Err: "b.csv:3: bad gzip"},
		{Ref: "short", Index: 0, Days: []string{"2024-01-01"}},
		{Ref: "bad", Index: 0, BadRows: 3, Days: []string{"2024-01-01"}},
	}
	p, s := beam.NewPipelineWithRoot()
	verdicts := Verdicts(s, beam.CreateList(s, reports), beam.ParDo(s, keyStatus, beam.CreateList(s, statuses)), 2)
	passert.Equals(s, beam.ParDo(s, describeVerdict, verdicts),
		"ok ok=true days=2024-01-01,2024-01-02,2024-01-03 err=",
		"failed ok=false days=2024-01-01 err=b.csv:3: bad gzip",
		"short ok=false days=2024-01-01 err=1 of 2 files reported back",
		"bad ok=false days=2024-01-01 err=3 bad rows, more than the 2 allowed (--max-bad-rows)",
		"skip ok=false days= err=")
	ptest.RunAndValidate(t, p)
}
