package lake

import (
	"bytes"
	"context"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

func TestQueryCommitted(t *testing.T) {
	row := func(day, payer, account, cost string) totals.Row {
		c := decimal.MustParse(cost)
		return totals.Row{Dims: totals.Dims{Day: day, Provider: "AWS", Payer: payer, Account: account, Service: "AmazonEC2", Currency: "USD"},
			Sums: totals.Sums{Unblended: c, NetUnblended: c, Amortized: c, LineItems: 1}}
	}
	out := t.TempDir()
	day := func(key, version, d string, rows ...totals.Row) {
		var b bytes.Buffer
		if err := totals.WriteDetailRows(&b, rows); err != nil {
			t.Fatal(err)
		}
		writeFile(t, DayTotalsURL(out, key, version, d), b.Bytes())
	}
	// Report a's v2 is committed; its v1 and v3 (retired, in flight) are
	// not. Report b shares a day and a cell with it.
	day("a", "v2", "2024-01-01", row("2024-01-01", "111", "1", "1.5"), row("2024-01-01", "222", "1", "100"))
	day("a", "v2", "2024-01-02", row("2024-01-02", "111", "1", "2"))
	day("a", "v1", "2024-01-02", row("2024-01-02", "111", "1", "50"))
	day("a", "v3", "2024-01-02", row("2024-01-02", "111", "1", "60"))
	writeState(t, out, "a", "v2", []string{"2024-01-01", "2024-01-02"})
	day("b", "v1", "2024-01-02", row("2024-01-02", "111", "1", "0.25"))
	day("b", "v1", "2024-01-03", row("2024-01-03", "111", "1", "7"))
	writeState(t, out, "b", "v1", []string{"2024-01-02", "2024-01-03"})

	got, err := QueryCommitted(context.Background(), out, "2024-01-01", "2024-01-02", func(d totals.Dims) bool { return d.Payer == "111" })
	if err != nil {
		t.Fatal(err)
	}
	want := make(totals.Table)
	want.Merge(row("2024-01-01", "111", "1", "1.5").Dims, row("2024-01-01", "111", "1", "1.5").Sums)
	want.Merge(row("2024-01-02", "111", "1", "2").Dims, row("2024-01-02", "111", "1", "2.25").Sums)
	want[row("2024-01-02", "111", "1", "0").Dims].LineItems = 2
	var a, b bytes.Buffer
	got.WriteDetail(&a)
	want.WriteDetail(&b)
	if a.String() != b.String() {
		t.Errorf("QueryCommitted:\n%s\nwant:\n%s", a.String(), b.String())
	}
	if got, err := QueryCommitted(context.Background(), t.TempDir(), "2024-01-01", "2024-01-31", nil); err != nil || len(got) != 0 {
		t.Errorf("QueryCommitted of an empty lake = %v, %v", got, err)
	}
}
