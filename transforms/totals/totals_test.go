package totals

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/curpipe/curpipe/transforms/decimal"
)

func dec(s string) decimal.Decimal { return decimal.MustParse(s) }

// sums builds Sums from plain-notation strings.
func sums(u, n, a string, items int64) Sums {
	return Sums{Unblended: dec(u), NetUnblended: dec(n), Amortized: dec(a), LineItems: items}
}

func checkSums(t *testing.T, what string, got *Sums, want Sums) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: no entry", what)
	}
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got.appendFields(nil), want.appendFields(nil))
	}
}

var (
	d1 = Dims{Day: "2023-11-01", Provider: "AWS", Payer: "111", Account: "222", Service: "AmazonEC2", Currency: "USD"}
	d2 = Dims{Day: "2023-11-01", Provider: "AWS", Payer: "111", Account: "333", Service: "AmazonS3", Currency: "USD"}
	d3 = Dims{Day: "2023-11-01", Provider: "AWS", Payer: "111", Account: "222", Service: "AmazonEC2", Currency: "NOK"}
	d4 = Dims{Day: "2023-11-02", Provider: "AWS", Payer: "111", Account: "222", Service: "AmazonEC2", Currency: "USD"}
)

func TestTableAdd(t *testing.T) {
	tb := make(Table)
	tb.Add(d1, dec("0.1"), dec("0.1"), dec("0.05"))
	tb.Add(d1, dec("0.2"), dec("0.15"), dec("1.81E-8"))
	tb.Add(d2, dec("-3"), dec("-3"), dec("0"))
	if len(tb) != 2 {
		t.Fatalf("len = %d, want 2", len(tb))
	}
	// 0.1 + 0.2 is 0.3 exactly: no float anywhere.
	checkSums(t, "d1", tb[d1], sums("0.3", "0.25", "0.0500000181", 2))
	checkSums(t, "d2", tb[d2], sums("-3", "-3", "0", 1))
}

func TestTableMerge(t *testing.T) {
	tb := make(Table)
	s := sums("1.5", "1.25", "1", 3)
	tb.Merge(d1, s)
	tb.Merge(d1, sums("2.5", "0.75", "-1", 4))
	tb.Merge(d2, s)
	checkSums(t, "d1", tb[d1], sums("4", "2", "0", 7))
	checkSums(t, "d2", tb[d2], s)

	// The table holds its own copy: adding to it leaves the argument and
	// the other entries alone.
	tb.Add(d2, dec("1"), dec("1"), dec("1"))
	if !s.Equal(sums("1.5", "1.25", "1", 3)) {
		t.Errorf("Merge aliased its argument: %v", s.appendFields(nil))
	}
	checkSums(t, "d2", tb[d2], sums("2.5", "2.25", "2", 4))
}

func TestTableDaily(t *testing.T) {
	tb := make(Table)
	tb.Merge(d1, sums("1", "1", "1", 1))
	tb.Merge(d2, sums("2", "2", "2", 2))
	tb.Merge(d3, sums("10", "10", "10", 1)) // another currency: never added to USD
	tb.Merge(d4, sums("4", "4", "4", 4))
	gcp := d1
	gcp.Provider = "GCP"
	tb.Merge(gcp, sums("8", "8", "8", 1)) // another provider: never added to AWS
	daily := tb.Daily()
	want := map[Dims]Sums{
		{Day: "2023-11-01", Provider: "AWS", Currency: "USD"}: sums("3", "3", "3", 3),
		{Day: "2023-11-01", Provider: "AWS", Currency: "NOK"}: sums("10", "10", "10", 1),
		{Day: "2023-11-01", Provider: "GCP", Currency: "USD"}: sums("8", "8", "8", 1),
		{Day: "2023-11-02", Provider: "AWS", Currency: "USD"}: sums("4", "4", "4", 4),
	}
	if len(daily) != len(want) {
		t.Errorf("Daily has %d entries, want %d", len(daily), len(want))
	}
	for d, s := range want {
		checkSums(t, d.Day+" "+d.Provider+" "+d.Currency, daily[d], s)
	}
	// Daily builds a new table.
	checkSums(t, "d1 after Daily", tb[d1], sums("1", "1", "1", 1))
}

func TestRowsOrder(t *testing.T) {
	tb := make(Table)
	order := []Dims{
		{Day: "2023-10-31", Provider: "Microsoft"},
		{Day: "2023-11-01", Provider: "AWS", Payer: "111", Account: "222", Service: "AmazonEC2", Currency: "NOK"},
		{Day: "2023-11-01", Provider: "AWS", Payer: "111", Account: "222", Service: "AmazonEC2", Currency: "USD"},
		{Day: "2023-11-01", Provider: "AWS", Payer: "111", Account: "222", Service: "AmazonS3", Currency: "EUR"},
		{Day: "2023-11-01", Provider: "AWS", Payer: "111", Account: "333", Service: "AWSLambda", Currency: "EUR"},
		{Day: "2023-11-01", Provider: "AWS", Payer: "999", Account: "000", Service: "AWSLambda", Currency: "EUR"},
		{Day: "2023-11-01", Provider: "Oracle", Payer: "000"},
		{Day: "2023-11-02", Provider: "AWS"},
	}
	for i := len(order) - 1; i >= 0; i-- {
		tb.Add(order[i], dec("1"), dec("1"), dec("1"))
	}
	var got []Dims
	for _, r := range tb.Rows() {
		got = append(got, r.Dims)
		if r.LineItems != 1 {
			t.Errorf("%v: LineItems = %d", r.Dims, r.LineItems)
		}
	}
	if !slices.Equal(got, order) {
		t.Errorf("Rows order:\n got %v\nwant %v", got, order)
	}
	if rows := make(Table).Rows(); len(rows) != 0 {
		t.Errorf("Rows of an empty table = %v", rows)
	}
}

func TestDimsLess(t *testing.T) {
	tests := []struct {
		a, b Dims
		want bool
	}{
		{d1, d1, false},
		{d1, d4, true},
		{d4, d1, false},
		{d3, d1, true}, // NOK < USD
		{d1, d2, true}, // account 222 < 333
		{Dims{Day: "2023-11-01"}, Dims{Day: "2023-11-01", Provider: "AWS"}, true},
		{Dims{Service: "b"}, Dims{Account: "a"}, true}, // account before service
	}
	for _, tc := range tests {
		if got := tc.a.Less(tc.b); got != tc.want {
			t.Errorf("%v.Less(%v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSumsAdd(t *testing.T) {
	a, b := sums("1.81E-8", "1", "-2", 5), sums("2.5893953072562468e-05", "-1", "2", 7)
	got := a.Add(b)
	want := sums("0.000025912053072562468", "0", "0", 12)
	if !got.Equal(want) {
		t.Errorf("Add = %v, want %v", got.appendFields(nil), want.appendFields(nil))
	}
	if !a.Equal(sums("1.81E-8", "1", "-2", 5)) {
		t.Error("Add changed its receiver")
	}
	if a.Equal(sums("1.81E-8", "1", "-2", 6)) {
		t.Error("Equal ignores LineItems")
	}
}

// TestAddClonesNewKeys: a reader may hand Add strings that alias its
// buffer; the table must keep its own copies.
func TestAddClonesNewKeys(t *testing.T) {
	buf := []byte("2024-01-01AWS")
	d := Dims{Day: unsafe.String(&buf[0], 10), Provider: unsafe.String(&buf[10], 3), Currency: "USD"}
	tab := make(Table)
	tab.Add(d, decimal.MustParse("1"), decimal.MustParse("1"), decimal.MustParse("1"))
	copy(buf, "XXXXXXXXXXXXX") // the reader moves on to its next row
	for k := range tab {
		if k.Day != "2024-01-01" || k.Provider != "AWS" {
			t.Fatalf("key changed with the buffer: %+v", k)
		}
	}
}

// TestAccumulatorMatchesTable adds the same line items both ways: the
// accumulator's table holds the very same Decimals, exponents included.
func TestAccumulatorMatchesTable(t *testing.T) {
	items := []struct {
		d       Dims
		u, n, a string
	}{
		{Dims{Day: "2024-01-01", Account: "1"}, "12.50", "12.5", "0"},
		{Dims{Day: "2024-01-01", Account: "1"}, "2.5893953072562468e-05", "-1.81E-8", "1e-40"},
		{Dims{Day: "2024-01-01", Account: "2"}, "-0.0001", "17000000000", "3"},
		{Dims{Day: "2024-01-01", Account: "2"}, "0.0001", "17000000000", "1E+3"},
		{Dims{Day: "2024-01-02", Account: "1"}, "0", "0", "0"},
		// Fields that run into each other must stay apart.
		{Dims{Day: "2024-01-03", Account: "1\x002", Service: "3"}, "1", "1", "1"},
		{Dims{Day: "2024-01-03", Account: "1", Service: "2\x003"}, "2", "2", "2"},
		{Dims{Day: "2024-01-03", Account: "12", Service: "3"}, "4", "4", "4"},
		{Dims{Day: "2024-01-03", Account: "1", Service: "23"}, "8", "8", "8"},
	}
	tab := make(Table)
	for _, it := range items {
		tab.Add(it.d, dec(it.u), dec(it.n), dec(it.a))
	}
	// All in one accumulator (k = 0), or split in two at k and merged.
	for k := range len(items) + 1 {
		acc, rest := NewAccumulator(), NewAccumulator()
		for i, it := range items {
			if k > 0 && i >= k {
				rest.Add(it.d, dec(it.u), dec(it.n), dec(it.a))
			} else {
				acc.Add(it.d, dec(it.u), dec(it.n), dec(it.a))
			}
		}
		acc.Merge(rest)
		t.Run(fmt.Sprintf("split at %d", k), func(t *testing.T) {
			sameTable(t, acc.Table(), tab)
			rows, want := acc.Rows(), tab.Rows()
			if len(rows) != len(want) {
				t.Fatalf("Rows: %d rows, want %d", len(rows), len(want))
			}
			for i := range rows {
				if rows[i].Dims != want[i].Dims || !rows[i].Sums.Equal(want[i].Sums) {
					t.Errorf("Rows[%d] = %v, want %v", i, rows[i], want[i])
				}
			}
		})
	}
}

// TestAccumulatorAddAt: AddAt files a row under the UTC date of its time,
// whatever the time's zone, before 1970 too, as Add with that date does.
func TestAccumulatorAddAt(t *testing.T) {
	east := time.FixedZone("UTC+2", 2*3600)
	west := time.FixedZone("UTC-5", -5*3600)
	times := []time.Time{
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 1, 23, 59, 59, 999999999, time.UTC),
		time.Date(2024, 1, 2, 1, 0, 0, 0, east),  // 2024-01-01 in UTC
		time.Date(2024, 1, 1, 20, 0, 0, 0, west), // 2024-01-02 in UTC
		time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(1960, 6, 1, 12, 0, 0, 0, west),
	}
	want, acc := make(Table), NewAccumulator()
	for i, tm := range times {
		d := Dims{Provider: "AWS", Payer: "1", Account: fmt.Sprint(i % 2), Service: "S", Currency: "USD"}
		acc.AddAt(tm, d, dec("1"), dec("2"), dec("3"))
		d.Day = tm.UTC().Format(time.DateOnly)
		acc.Add(d, dec("1"), dec("2"), dec("3")) // the same cell again, by name
		want.Add(d, dec("1"), dec("2"), dec("3"))
		want.Add(d, dec("1"), dec("2"), dec("3"))
	}
	sameTable(t, acc.Table(), want)
}

// sameTable fails unless got holds the very same Decimals as tab.
func sameTable(t *testing.T, got, tab Table) {
	t.Helper()
	if len(got) != len(tab) {
		t.Fatalf("%d cells, want %d", len(got), len(tab))
	}
	for d, want := range tab {
		g := got[d]
		if g == nil {
			t.Errorf("%v: missing", d)
			continue
		}
		for i, pair := range [3][2]decimal.Decimal{{g.Unblended, want.Unblended}, {g.NetUnblended, want.NetUnblended}, {g.Amortized, want.Amortized}} {
			gb, _ := pair[0].MarshalBinary()
			wb, _ := pair[1].MarshalBinary()
			if string(gb) != string(wb) {
				t.Errorf("%v measure %d: got %s (exp %d), want %s (exp %d)", d, i, pair[0], pair[0].Exponent(), pair[1], pair[1].Exponent())
			}
		}
		if g.LineItems != want.LineItems {
			t.Errorf("%v: %d line items, want %d", d, g.LineItems, want.LineItems)
		}
	}
}

// TestAccumulatorAddSums: adding cells' sums gives what merging them in a
// Table does, line items included.
func TestAccumulatorAddSums(t *testing.T) {
	cells := []Row{
		{Dims{Day: "2024-01-01", Currency: "USD"}, Sums{dec("1.5"), dec("-2e-12"), dec("0"), 3}},
		{Dims{Day: "2024-01-01", Currency: "EUR"}, Sums{dec("7"), dec("7"), dec("7"), 1}},
		{Dims{Day: "2024-01-01", Currency: "USD"}, Sums{dec("0.25"), dec("1"), dec("1E+2"), 4}},
	}
	want, acc := make(Table), NewAccumulator()
	for _, c := range cells {
		want.Merge(c.Dims, c.Sums)
		acc.AddSums(c.Dims, c.Sums)
	}
	got := acc.Table()
	if len(got) != len(want) {
		t.Fatalf("%d cells, want %d", len(got), len(want))
	}
	for d, w := range want {
		if g := got[d]; g == nil || !g.Equal(*w) {
			t.Errorf("%v: got %v, want %v", d, g, *w)
		}
	}
}

// TestAccumulatorWideKeys: cells whose dimension ids do not fit a packed
// key (more than 16 providers, 64 currencies) are kept apart and merged
// like the others.
func TestAccumulatorWideKeys(t *testing.T) {
	want, a, b := make(Table), NewAccumulator(), NewAccumulator()
	for round := range 2 {
		for p := range 20 {
			for c := range 70 {
				d := Dims{Day: "2024-01-01", Provider: fmt.Sprint("p", p), Payer: "1", Account: "2", Service: "s", Currency: fmt.Sprint("c", c)}
				cost := dec(fmt.Sprintf("%d.%02d", p, c))
				want.Add(d, cost, cost, cost)
				acc := a
				if (p+c+round)%3 == 0 {
					acc = b
				}
				acc.Add(d, cost, cost, cost)
			}
		}
	}
	a.Merge(b)
	if a.Len() != 20*70 || len(a.index) == 0 || len(a.packed) == 0 {
		t.Fatalf("%d cells, %d packed, %d wide; want 1400, some of each", a.Len(), len(a.packed), len(a.index))
	}
	sameTable(t, a.Table(), want)
}

// appendFields appends s as its CSV fields, for messages.
func (s Sums) appendFields(rec []string) []string {
	return append(rec, s.Unblended.String(), s.NetUnblended.String(), s.Amortized.String(), strconv.FormatInt(s.LineItems, 10))
}
