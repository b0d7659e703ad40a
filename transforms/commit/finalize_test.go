package commit

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/totals"
)

// TestFinalize runs Finalize on prism for a batch run: the run's summary
// holds its outcomes sorted, and the lake's totals are summed over the
// committed versions (the version only written, not committed, counts
// for nothing). A run that found no report still writes its summary.
func TestFinalize(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	store := totalstore.Lake(out)
	row := func(day, cost string) totals.Row {
		c := decimal.MustParse(cost)
		return totals.Row{Dims: totals.Dims{Day: day, Provider: "AWS", Payer: "1", Account: "2", Service: "S3", Currency: "USD"},
			Sums: totals.Sums{Unblended: c, NetUnblended: c, Amortized: c, LineItems: 1}}
	}
	v1 := totalstore.Version{ReportKey: "r", ReportID: "s3://b/r", Version: "v1", VersionKey: "v1"}
	v2 := v1
	v2.Version, v2.VersionKey = "v2", "v2"
	for _, w := range []struct {
		v   totalstore.Version
		row totals.Row
	}{{v1, row("2024-01-01", "1.5")}, {v2, row("2024-01-01", "99")}} {
		if _, err := store.WriteDay(ctx, w.v, w.row.Day, []totals.Row{w.row}); err != nil {
			t.Fatal(err)
		}
	}
	state, _ := json.Marshal(lake.State{ID: v1.ReportID, Version: "v1", VersionKey: "v1", Days: []string{"2024-01-01"}})
	if err := objstore.WriteAll(ctx, lake.StateURL(out, "r"), state); err != nil {
		t.Fatal(err)
	}

	outcomes := []element.Outcome{{Ref: "z@1", Status: element.Failed}, {Ref: "a@1", Status: element.Committed}}
	p, s := beam.NewPipelineWithRoot()
	Finalize(s, beam.CreateList(s, outcomes), Options{Output: out}, "run1")
	ptest.RunAndValidate(t, p)

	b, err := os.ReadFile(lake.SummaryURL(out, "run1"))
	if err != nil {
		t.Fatal(err)
	}
	var sum Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.RunID != "run1" || len(sum.Outcomes) != 2 || sum.Outcomes[0].Ref != "a@1" || sum.Outcomes[1].Ref != "z@1" {
		t.Errorf("summary %+v, want run1 with a@1 then z@1", sum)
	}
	daily, err := os.ReadFile(filepath.Join(out, "totals", "daily.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "usage_date,provider,currency,unblended_cost,net_unblended_cost,amortized_cost,line_items\n2024-01-01,AWS,USD,1.5,1.5,1.5,1\n"; string(daily) != want {
		t.Errorf("daily.csv:\n%s\nwant:\n%s", daily, want)
	}

	p, s = beam.NewPipelineWithRoot()
	Finalize(s, beam.CreateList(s, []element.Outcome{}), Options{Output: out}, "run2")
	ptest.RunAndValidate(t, p)
	if b, err := os.ReadFile(lake.SummaryURL(out, "run2")); err != nil || !json.Valid(b) {
		t.Errorf("the empty run's summary: %q, %v", b, err)
	}
}
