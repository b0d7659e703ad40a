package parse

import (
	"fmt"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/curpipe/curpipe/transforms/element"
)

func TestMain(m *testing.M) {
	ptest.Main(m)
}

func init() {
	register.Function1x1(describeGroup)
}

// describeGroup names a group by its report and its files' indexes.
func describeGroup(g element.FileGroup) string {
	var idx []int
	for _, t := range g.Tasks {
		idx = append(idx, t.Index)
	}
	return fmt.Sprintf("%s %v of %d", g.Tasks[0].Ref, idx, g.Groups)
}

func TestExpandFiles(t *testing.T) {
	files := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("s3://b/f%d.csv", i))
		}
		return out
	}
	tests := []struct {
		name    string
		reports []element.Report
		groups  int
		want    []any
	}{
		{"one file", []element.Report{{Ref: "a", Files: files(1)}}, 4, []any{"a [0] of 1"}},
		{"fewer files than groups", []element.Report{{Ref: "a", Files: files(3)}}, 4, []any{"a [0] of 3", "a [1] of 3", "a [2] of 3"}},
		{"more files than groups", []element.Report{{Ref: "a", Files: files(10)}}, 4,
			[]any{"a [0 4 8] of 4", "a [1 5 9] of 4", "a [2 6] of 4", "a [3 7] of 4"}},
		{"the default", []element.Report{{Ref: "a", Files: files(5)}}, 0, []any{"a [0 2 4] of 2", "a [1 3] of 2"}},
		{"failed and skipped reports expand to nothing", []element.Report{{Ref: "a", Files: files(2), Err: "x"},
			{Ref: "b", Files: files(2), Skip: "y"}, {Ref: "c", Files: files(1)}}, 4, []any{"c [0] of 1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, s := beam.NewPipelineWithRoot()
			groups := ExpandFiles(s, beam.CreateList(s, tc.reports), tc.groups)
			passert.Equals(s, beam.ParDo(s, describeGroup, groups), tc.want...)
			ptest.RunAndValidate(t, p)
		})
	}
}
