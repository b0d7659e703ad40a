package element

import (
	"bytes"
	"fmt"
	"reflect"
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
}

func describe(d DayTotal) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%d", d.Dims.Day, d.Dims.Account, d.Sums.Unblended, d.Sums.NetUnblended, d.Sums.Amortized, d.Sums.LineItems)
}

// TestDecimalsCrossShuffles sends decimals that stress the encoding (long
// fractions, a 40-digit coefficient, negatives, zero) through a Reshuffle
// (DailyTotals' test sends them through a GroupByKey), where every
// element is encoded, and checks they arrive exact.
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
