package reports

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/curpipe/curpipe/io/lake"
	_ "github.com/curpipe/curpipe/io/localfs" // inputs and lake in temporary folders
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/element"
)

func TestMain(m *testing.M) {
	ptest.Main(m)
}

func init() {
	register.Function1x1(describeReport)
}

// describeReport names a listed report and what became of it.
func describeReport(r element.Report) string {
	switch {
	case r.Err != "":
		return r.Kind + " " + r.Name + " failed"
	case r.Skip != "":
		return r.Kind + " " + r.Name + " skipped: " + r.Skip
	}
	return r.Kind + " " + r.Name
}

// TestListReports: each input's reports are listed, a committed version
// is skipped, and an input that cannot be listed (an unknown store, a
// folder that is not there) comes out as a failed report of its own
// instead of failing the run.
func TestListReports(t *testing.T) {
	in, output := t.TempDir(), t.TempDir()
	for _, name := range []string{"a.csv", "b.csv"} {
		if err := os.WriteFile(filepath.Join(in, name), []byte("lineItem/UsageStartDate\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// b.csv's version is committed: listing its folder skips it.
	listed, _, err := (&listFn{}).list(context.Background(), in)
	if err != nil || len(listed) != 2 {
		t.Fatalf("list %s: %d reports, %v", in, len(listed), err)
	}
	b := fromReport(listed[1])
	state, err := json.Marshal(lake.State{ID: b.ID, Version: b.Version, VersionKey: b.VersionKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := objstore.WriteAll(context.Background(), lake.StateURL(output, b.Key), state); err != nil {
		t.Fatal(err)
	}

	p, s := beam.NewPipelineWithRoot()
	inputs := beam.Create(s, in, "nosuch://bucket/cur/", filepath.Join(in, "missing"))
	reports := ListReports(s, inputs, ListOptions{Output: output})
	passert.Equals(s, beam.ParDo(s, describeReport, reports),
		"plain a.csv",
		"plain b.csv skipped: version "+b.Version+" already committed",
		"input nosuch://bucket/cur/ failed",
		"input "+filepath.Join(in, "missing")+" failed")
	ptest.RunAndValidate(t, p)
}
