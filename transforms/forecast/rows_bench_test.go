package forecast_test

import (
	"fmt"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/forecast"
	"github.com/curpipe/curpipe/transforms/totals"
)

// BenchmarkRows forecasts a payer of many series of one day each, the
// shape of an organisation's first delivery: the cost per series is the
// stage's cost per cell.
func BenchmarkRows(b *testing.B) {
	const series = 20_000
	tab := make(totals.Table)
	one := decimal.MustParse("1")
	for i := range series {
		tab.Merge(totals.Dims{Day: "2024-01-05", Provider: "AWS", Payer: "333333333333", Account: fmt.Sprintf("%012d", i), Service: "AmazonEC2", Currency: "USD"},
			totals.Sums{Unblended: one, NetUnblended: one, Amortized: one, LineItems: 1})
	}
	b.ResetTimer()
	for range b.N {
		n := 0
		if _, err := forecast.Rows(tab, "2024-01-05", []string{"net_unblended", "amortized"}, func(forecast.Row) error { n++; return nil }); err != nil || n != 2*series {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*2*series), "ns/forecast")
}
