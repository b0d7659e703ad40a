package billing

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/graph/coder"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

func TestMain(m *testing.M) {
	ptest.Main(m)
}

func init() {
	register.Function1x1(describe)
	register.Function1x2(partialOf)
	register.Function1x1(describeShard)
	register.Function1x2(verdictOf)
}

func describeShard(sh Shard) string {
	if len(sh.Rows) != 1 {
		return fmt.Sprintf("%d rows, %d verdicts", len(sh.Rows), len(sh.Verdicts))
	}
	return fmt.Sprintf("%s %d verdicts", describe(sh.Rows[0]), len(sh.Verdicts))
}

// verdictOf is the verdict of report r@v, whose one file holds the days
// listed.
func verdictOf(days string) (string, Verdict) {
	r := Report{Ref: "r@v", ID: "r", Key: "r", Version: "v", VersionKey: "v", Files: []string{"f"}}
	return r.Ref, Verdict{Report: r, Files: []FileStatus{{Ref: r.Ref, Days: strings.Split(days, ",")}}}
}

// partialOf makes a one-line partial of a fixed cell, as a file's batch.
func partialOf(v string) (ShardKey, Cells) {
	return ShardKey{Ref: "r@v", Day: "2024-01-02"}, Cells{Rows: []DayTotal{{
		Dims: totals.Dims{Day: "2024-01-02"},
		Sums: totals.Sums{Unblended: decimal.MustParse(v), LineItems: 1},
	}}}
}

func describe(d DayTotal) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%d", d.Dims.Day, d.Dims.Account, d.Sums.Unblended, d.Sums.NetUnblended, d.Sums.Amortized, d.Sums.LineItems)
}

// TestDecimalsCrossShuffles sends decimals that stress the encoding (long
// fractions, a 40-digit coefficient, negatives, zero) through a Reshuffle
// and a CombinePerKey, where every element is encoded, and checks they
// arrive exact.
func TestDecimalsCrossShuffles(t *testing.T) {
	values := []string{"0.000025893953072562468", "-12.5", "0", "1234567890123456789012345678901234567890.5", "1.81E-8"}
	var in []any
	var want []any
	for i, v := range values {
		d := decimal.MustParse(v)
		dt := DayTotal{
			Dims: totals.Dims{Day: "2024-01-01", Account: fmt.Sprint(i)},
			Sums: totals.Sums{Unblended: d, NetUnblended: d.Neg(), Amortized: d.Add(d), LineItems: int64(i)},
		}
		in = append(in, dt)
		want = append(want, describe(dt))
	}
	p, s := beam.NewPipelineWithRoot()
	got := beam.ParDo(s, describe, beam.Reshuffle(s, beam.Create(s, in...)))
	passert.Equals(s, got, want...)

	// Partial sums of one cell from two files combine exactly.
	// The verdict meets each day it names, with or without totals.
	partials := beam.ParDo(s, partialOf, beam.Create(s, "0.1", "2.5893953072562468e-05"))
	verdicts := beam.ParDo(s, verdictOf, beam.Create(s, "2024-01-02,2024-01-03"))
	sums := beam.ParDo(s, describeShard, DailyTotals(s, partials, verdicts))
	passert.Equals(s, sums, "2024-01-02||0.100025893953072562468|0|0|2 1 verdicts", "0 rows, 1 verdicts")
	ptest.RunAndValidate(t, p)
}

// TestDecimalEncoderConcurrent encodes and decodes cells from several
// goroutines at once through one row coder, as a worker running bundles
// in parallel does: every value must come back as it went in.
func TestDecimalEncoderConcurrent(t *testing.T) {
	enc, err := coder.RowEncoderForStruct(reflect.TypeOf(Cells{}))
	if err != nil {
		t.Fatal(err)
	}
	dec, err := coder.RowDecoderForStruct(reflect.TypeOf(Cells{}))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				v := decimal.MustParse(fmt.Sprintf("-%d.%09d", g*1000+i, i*7919))
				in := Cells{Rows: []DayTotal{{
					Dims: totals.Dims{Day: "2024-01-02", Account: fmt.Sprint(g)},
					Sums: totals.Sums{Unblended: v, NetUnblended: v.Neg(), Amortized: v.Add(v), LineItems: int64(i)},
				}}}
				var b bytes.Buffer
				if err := enc(in, &b); err != nil {
					errs <- err
					return
				}
				decoded, err := dec(&b)
				if err != nil {
					errs <- err
					return
				}
				out := decoded.(Cells)
				if got, want := describe(out.Rows[0]), describe(in.Rows[0]); got != want {
					errs <- fmt.Errorf("goroutine %d: got %s, want %s", g, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
