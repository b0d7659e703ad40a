package curated_test

import (
	"bytes"
	"fmt"
	"math/big"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/curpipe/curpipe/transforms/curated"
	"github.com/curpipe/curpipe/transforms/decimal"
)

// decode reads a DECIMAL(38,28) cost statistic back as a decimal.
func decode(t *testing.T, b []byte, scale int) decimal.Decimal {
	t.Helper()
	if len(b) != 16 {
		t.Fatalf("statistic of %d bytes", len(b))
	}
	n := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), 128))
	}
	return decimal.MustParse(n.String() + fmt.Sprintf("E-%d", scale))
}

// TestDecimalStatistics checks that min/max statistics and the page index
// of the decimal columns order negative amounts below positive ones, so that
// engines pruning on them (WHERE unblended_cost > 0) skip nothing that
// matches, and that all-null pages keep the page index aligned.
func TestDecimalStatistics(t *testing.T) {
	var recs []*curated.Record
	for i := range 70_000 {
		cost := fmt.Sprintf("%d.%d", i%201-100, i%7) // -100.x .. 100.x
		r := record("2023-01-01T00:00:00Z", cost, int64(i+2))
		r.HasUsageAmount = i >= 64<<10 // usage_amount is null in the first row group(s)
		r.UsageAmount = d(fmt.Sprint(-i))
		recs = append(recs, r)
	}
	data := write(t, recs)
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	value := map[string]func(*curated.Record) (decimal.Decimal, bool){
		"unblended_cost": func(r *curated.Record) (decimal.Decimal, bool) { return r.UnblendedCost, true },
		"usage_amount":   func(r *curated.Record) (decimal.Decimal, bool) { return r.UsageAmount, r.HasUsageAmount },
	}
	allNull := 0
	for column, get := range value {
		leaf, ok := f.Schema().Lookup(column)
		if !ok {
			t.Fatalf("no column %s", column)
		}
		first := 0
		for g, group := range f.RowGroups() {
			var lo, hi *decimal.Decimal // expected bounds of this row group
			for _, r := range recs[first : first+int(group.NumRows())] {
				if v, ok := get(r); ok {
					if lo == nil || v.Cmp(*lo) < 0 {
						lo = &v
					}
					if hi == nil || v.Cmp(*hi) > 0 {
						hi = &v
					}
				}
			}
			first += int(group.NumRows())
			name := fmt.Sprintf("%s, row group %d", column, g)
			scale := 28
			if column == "usage_amount" {
				scale = 24
			}
			stats := f.Metadata().RowGroups[g].Columns[leaf.ColumnIndex].MetaData.Statistics
			index, err := group.ColumnChunks()[leaf.ColumnIndex].ColumnIndex()
			if err != nil {
				t.Fatal(err)
			}
			nulls := 0
			for p := range index.NumPages() {
				if index.NullPage(p) {
					nulls++
				} else if plo, phi := decode(t, index.MinValue(p).ByteArray(), scale), decode(t, index.MaxValue(p).ByteArray(), scale); plo.Cmp(phi) > 0 || plo.Cmp(*lo) < 0 || phi.Cmp(*hi) > 0 {
					t.Errorf("%s: page %d bounds [%s, %s] reversed or outside [%s, %s]", name, p, plo, phi, lo, hi)
				}
			}
			if lo == nil {
				allNull++
				if stats.MinValue != nil || stats.MaxValue != nil || nulls != index.NumPages() {
					t.Errorf("%s: all null, but bounds %x, %x and %d of %d pages null", name,
						stats.MinValue, stats.MaxValue, nulls, index.NumPages())
				}
				continue
			}
			if slo, shi := decode(t, stats.MinValue, scale), decode(t, stats.MaxValue, scale); !slo.Equal(*lo) || !shi.Equal(*hi) {
				t.Errorf("%s: statistics [%s, %s], want [%s, %s]", name, slo, shi, lo, hi)
			}
		}
	}
	if allNull == 0 {
		t.Error("no all-null row group: the test lost its point")
	}
}
