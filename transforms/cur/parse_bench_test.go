package cur_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/transforms/cur"
	"github.com/curpipe/curpipe/transforms/tabular"
	"github.com/curpipe/curpipe/transforms/totals"
)

// benchRows is the size of the generated report: about 53 MB of CSV.
const benchRows = 50000

// BenchmarkParseRows times Schema.Parse alone, over the selected fields of
// a generated CUR 1.0 report read into memory beforehand: time formats,
// decimals in three notations, the amortized rule. MB/s is of the CSV the
// rows came from, so that it compares with the scan's.
func BenchmarkParseRows(b *testing.B) {
	var gz bytes.Buffer
	info, err := gen.WriteFile(&gz, gen.DefaultConfig(), benchRows)
	if err != nil {
		b.Fatal(err)
	}
	rd, err := tabular.Open(tabular.Source{Name: "bench.csv.gz", Size: int64(gz.Len()), At: bytes.NewReader(gz.Bytes())})
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	schema, err := cur.Detect(rd.Header())
	if err != nil {
		b.Fatal(err)
	}
	if err := rd.Select(schema.Columns()); err != nil {
		b.Fatal(err)
	}
	var rows [][]string
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		// Next reuses its slice and may reuse the text its strings hold.
		row = slices.Clone(row)
		for i := range row {
			row[i] = strings.Clone(row[i])
		}
		rows = append(rows, row)
	}

	// One untimed pass checks the parse against the generator's totals.
	got := make(totals.Table)
	var it cur.Item
	for _, row := range rows {
		if err := schema.Parse(row, &it); err != nil {
			b.Fatal(err)
		}
		got.Add(totals.Dims{Day: it.Day(), Provider: it.Provider, Payer: it.Payer, Account: it.Account,
			Service: it.Service, Currency: it.Currency}, it.Unblended, it.NetUnblended, it.Amortized)
	}
	if len(got) != len(info.Totals) {
		b.Fatalf("%d cells, the generator expects %d", len(got), len(info.Totals))
	}
	for d, s := range info.Totals {
		if g := got[d]; g == nil || !g.Equal(*s) {
			b.Fatalf("%v: got %+v, want %+v", d, g, *s)
		}
	}

	b.SetBytes(info.CSVBytes)
	b.ReportAllocs()
	for b.Loop() {
		for _, row := range rows {
			if err := schema.Parse(row, &it); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(rows))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
