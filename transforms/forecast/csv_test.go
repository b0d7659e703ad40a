package forecast_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/forecast"
)

func sampleRows(t testing.TB) []forecast.Row {
	t.Helper()
	dec := decimal.MustParse
	r := forecast.Result{AsOf: d("2024-03-10"), Month: d("2024-03-01"), Days: 31, MonthToDate: dec("1234.5678"), Steps: dec("-0.01"),
		Estimate:  forecast.Estimate{Forecast: dec("3000.12"), Lower80: dec("2800"), Upper80: dec("3200.5"), Lower95: dec("2700"), Upper95: dec("3300")},
		Next:      forecast.Estimate{Forecast: dec("3100"), Lower80: dec("2500"), Upper80: dec("3700"), Lower95: dec("2200"), Upper95: dec("4000")},
		UsageDays: 42}
	return []forecast.Row{
		{Payer: "111111111111", Currency: "USD", Measure: "net_unblended", Result: r},
		{Payer: "111111111111", Account: "222222222222", Service: `Amazon "Elastic", Compute`, Currency: "USD", Measure: "amortized", Result: r},
	}
}

func TestCSV(t *testing.T) {
	rows := sampleRows(t)
	for _, detail := range []bool{true, false} {
		var buf bytes.Buffer
		if err := forecast.WriteCSV(&buf, rows, detail); err != nil {
			t.Fatal(err)
		}
		want := forecast.Header
		if detail {
			want = forecast.DetailHeader
		}
		if first, _, _ := strings.Cut(buf.String(), "\n"); first != strings.Join(want, ",") {
			t.Errorf("detail %v: header %s", detail, first)
		}
		got, err := forecast.ReadCSV(&buf)
		if err != nil {
			t.Fatal(err)
		}
		exp := rows
		if !detail {
			exp = []forecast.Row{rows[0], rows[1]}
			exp[1].Account, exp[1].Service = "", ""
		}
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("detail %v: read back\n%+v\nwant\n%+v", detail, got, exp)
		}
	}
	for _, bad := range []string{"billing_period,x\n", strings.Join(forecast.Header, ",") + "\n2024-13,1,USD,1,1,1,1,1,1,2024-03-10,net_unblended,0,1,1,1,1,1,5\n"} {
		if _, err := forecast.ReadCSV(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadCSV(%q) read", bad)
		}
	}
}

// FuzzReadCSV: any input reads without a panic, and what reads writes
// back to the same rows.
func FuzzReadCSV(f *testing.F) {
	var buf bytes.Buffer
	forecast.WriteCSV(&buf, sampleRows(f), true)
	f.Add(buf.String())
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := forecast.ReadCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := forecast.WriteCSV(&out, rows, true); err != nil {
			t.Fatal(err)
		}
		again, err := forecast.ReadCSV(&out)
		if err != nil || len(again) != len(rows) {
			t.Fatalf("read back %d rows, %v; want %d", len(again), err, len(rows))
		}
		for i := range rows {
			// Decimals compare by value: "0.10" reads back as "0.1".
			if a, b := again[i].Fields(true), rows[i].Fields(true); !reflect.DeepEqual(a, b) {
				t.Errorf("row %d read back as %q, want %q", i, a, b)
			}
		}
	})
}
