package commit

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/io/dynamodbio"
	"github.com/curpipe/curpipe/io/lake"
	_ "github.com/curpipe/curpipe/io/localfs" // the lake in a temporary folder
	"github.com/curpipe/curpipe/transforms/daily"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/totals"
)

func init() {
	register.Function1x2(keyVerdict)
	register.Function2x0(noShards)
	register.Function1x1(outcomeLine)
	register.Function1x2(unpack)
}

func TestMain(m *testing.M) {
	code := ptest.MainRet(m)
	awstest.Stop()
	os.Exit(code)
}

func keyVerdict(v element.Verdict) (string, element.Verdict) { return v.Report.Ref, v }

// noShards is a source of no shards: a run whose shards all went missing.
func noShards(_ []byte, _ func(element.ShardKey, element.Cells)) {}

// outcomeLine is what the tests assert of an outcome: its status, its
// days, and the start of its reason.
func outcomeLine(o element.Outcome) string {
	reason, _, _ := strings.Cut(o.Reason, ":")
	return o.Status + " " + strings.Join(o.Days, ",") + " " + reason
}

// testReport is a report version of three days, one file, with its
// partial sums, one batch a day.
func testReport(version string, cost string) (element.Verdict, []partial) {
	days := []string{"2024-01-01", "2024-01-02", "2024-01-03"}
	r := element.Report{Ref: "s3://b/r@" + version, ID: "s3://b/r", Key: "r", Name: "r", Kind: "cur1",
		BillingPeriod: "2024-01", Version: version, VersionKey: version, VersionTime: 1e18, Files: []string{"s3://b/r/f.csv"}}
	v := element.Verdict{Report: r, Files: []element.FileStatus{{Ref: r.Ref, URL: r.Files[0], Rows: 3, Days: days}}}
	var shards []partial
	for _, d := range days {
		dims := totals.Dims{Day: d, Provider: "AWS", Payer: "111", Account: "222", Service: "AmazonEC2", Currency: "USD"}
		c := decimal.MustParse(cost)
		shards = append(shards, partial{element.ShardKey{Ref: r.Ref, Day: d}, element.Cells{Rows: []element.DayTotal{{Dims: dims,
			Sums: totals.Sums{Unblended: c, NetUnblended: c, Amortized: c, LineItems: 1}}}}})
	}
	return v, shards
}

// partial is one day's partial sums, as Parse emits them.
type partial struct {
	K element.ShardKey
	C element.Cells
}

func unpack(p partial) (element.ShardKey, element.Cells) { return p.K, p.C }

// runCommit runs DailyTotals, WriteShards and Commit on one verdict and
// the given partial sums, and asserts the outcome's line.
func runCommit(t *testing.T, opts Options, v element.Verdict, shards []partial, want string) {
	t.Helper()
	p, s := beam.NewPipelineWithRoot()
	verdicts := beam.ParDo(s, keyVerdict, beam.Create(s, v))
	var sh beam.PCollection
	if len(shards) == 0 {
		sh = beam.ParDo(s, noShards, beam.Impulse(s))
	} else {
		sh = beam.ParDo(s, unpack, beam.CreateList(s, shards))
	}
	outcomes := Commit(s, verdicts, WriteShards(s, daily.DailyTotals(s, sh, verdicts), opts), opts)
	passert.Equals(s, beam.ParDo(s, outcomeLine, outcomes), want)
	if err := ptest.Run(p); err != nil {
		t.Fatal(err)
	}
}

// TestDuplicateWithoutShards reproduces the fault of a duplicate event in
// a later window, at the commit: the version is committed, then committed
// again by a run whose day totals never reached the writers. The second
// commit must neither shrink nor clear what the first wrote; a version
// not committed yet is refused, with nothing changed.
func TestDuplicateWithoutShards(t *testing.T) {
	for _, sink := range []string{"lake", "table"} {
		t.Run(sink, func(t *testing.T) {
			ctx := context.Background()
			opts := Options{Output: t.TempDir()}
			var table *dynamodbio.Table
			if sink == "table" {
				awstest.Endpoint(t)
				opts.Table = awstest.Name(t, "totals")
				var err error
				if table, err = dynamodbio.Open(ctx, opts.Table); err != nil {
					t.Fatal(err)
				}
				if err := table.Create(ctx); err != nil {
					t.Fatal(err)
				}
			}
			// held returns the committed figures, the way readers see them.
			held := func() string {
				var got totals.Table
				if table != nil {
					var err error
					if got, err = table.Query(ctx, "2024-01-01", "2024-01-31"); err != nil {
						t.Fatal(err)
					}
				} else {
					if err := lake.RebuildTotals(ctx, opts.Output); err != nil {
						t.Fatal(err)
					}
					b, err := os.ReadFile(opts.Output + "/totals/daily_detail.csv")
					if err != nil {
						t.Fatal(err)
					}
					return string(b)
				}
				var b strings.Builder
				if err := got.WriteDetail(&b); err != nil {
					t.Fatal(err)
				}
				return b.String()
			}
			v1, shards := testReport("v1", "1.25")
			runCommit(t, opts, v1, shards, "committed 2024-01-01,2024-01-02,2024-01-03 ")
			want := held()
			if strings.Count(want, "\n") != 4 {
				t.Fatalf("after the first commit:\n%s", want)
			}

			runCommit(t, opts, v1, nil, "skipped  version v1 already committed")
			runCommit(t, opts, v1, shards[:1], "skipped 2024-01-01 version v1 already committed")
			if got := held(); got != want {
				t.Errorf("after commits of the same version without its days:\n%s\nwant\n%s", got, want)
			}

			// A newer version whose days went missing is refused and
			// changes nothing; with its days it replaces the old one.
			v2, shards2 := testReport("v2", "2.5")
			runCommit(t, opts, v2, shards2[1:], "failed 2024-01-02,2024-01-03 not committed, nothing changed")
			if table != nil {
				// The table shows a version's days as they are written (see
				// dynamodbio): what the refused commit must not do is record
				// v2 or clear v1's day that v2 lacks.
				st, err := table.State(ctx, "r")
				if err != nil || st.Version.Version != "v1" || len(st.Days) != 3 {
					t.Errorf("state after an incomplete newer version: %+v, %v", st, err)
				}
				if got := held(); !strings.Contains(got, "2024-01-01,AWS,111,222,AmazonEC2,USD,1.25,") {
					t.Errorf("after an incomplete newer version, v1's day is gone:\n%s", got)
				}
			} else if got := held(); got != want {
				t.Errorf("after an incomplete newer version:\n%s\nwant\n%s", got, want)
			}
			runCommit(t, opts, v2, shards2, "committed 2024-01-01,2024-01-02,2024-01-03 ")
			if got := held(); !strings.Contains(got, ",2.5,2.5,2.5,1") || strings.Contains(got, "1.25") {
				t.Errorf("after the newer version:\n%s", got)
			}
		})
	}
}
