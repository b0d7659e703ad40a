package commit

import (
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/totals"
)

// TestByCurrency: the sums per provider and currency are those of
// Decimal.Add from zero, down to the exponent, sorted.
func TestByCurrency(t *testing.T) {
	dec := decimal.MustParse
	row := func(provider, currency, cost string, items int64) element.DayTotal {
		return element.DayTotal{Dims: totals.Dims{Day: "2024-01-01", Provider: provider, Currency: currency},
			Sums: totals.Sums{Unblended: dec(cost), NetUnblended: dec(cost).Neg(), Amortized: dec("1E+3"), LineItems: items}}
	}
	rows := []element.DayTotal{
		row("AWS", "USD", "1.50", 1), row("AWS", "EUR", "2.5e-12", 2), row("AWS", "USD", "-0.000", 3),
		row("Azure", "USD", "17000000000", 1), row("Azure", "USD", "17000000000", 1), row("AWS", "USD", "1e-40", 5),
	}
	want := map[[2]string]*element.CurrencyTotal{}
	for _, r := range rows {
		k := [2]string{r.Dims.Provider, r.Dims.Currency}
		if want[k] == nil {
			want[k] = &element.CurrencyTotal{Provider: k[0], Currency: k[1]}
		}
		*want[k] = addSums(*want[k], r.Sums)
	}
	got := byCurrency(rows)
	if len(got) != len(want) {
		t.Fatalf("%d totals, want %d", len(got), len(want))
	}
	for i, g := range got {
		if i > 0 && (got[i-1].Provider > g.Provider || got[i-1].Provider == g.Provider && got[i-1].Currency >= g.Currency) {
			t.Errorf("not sorted: %s %s after %s %s", g.Provider, g.Currency, got[i-1].Provider, got[i-1].Currency)
		}
		w := want[[2]string{g.Provider, g.Currency}]
		for _, pair := range [][2]decimal.Decimal{{g.Unblended, w.Unblended}, {g.NetUnblended, w.NetUnblended}, {g.Amortized, w.Amortized}} {
			if !pair[0].Equal(pair[1]) || pair[0].Exponent() != pair[1].Exponent() {
				t.Errorf("%s %s: %s (exp %d), want %s (exp %d)", g.Provider, g.Currency, pair[0], pair[0].Exponent(), pair[1], pair[1].Exponent())
			}
		}
		if g.LineItems != w.LineItems {
			t.Errorf("%s %s: %d line items, want %d", g.Provider, g.Currency, g.LineItems, w.LineItems)
		}
	}
}
