package totals

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// sampleTable holds values whose plain form is long or tricky: tiny and
// large magnitudes, 20 significant digits, negative zero, trailing zeros.
func sampleTable() Table {
	tb := make(Table)
	tb.Add(d1, dec("1.81E-8"), dec("1.81E-8"), dec("2.5893953072562468e-05"))
	tb.Add(d1, dec("0.10"), dec("0.1"), dec("0"))
	tb.Add(d3, dec("12345678901234567890.5E3"), dec("-0.0"), dec("60.000"))
	tb.Add(d2, dec("-1.5"), dec("-1.5"), dec("0"))
	tb.Add(d4, dec("1E2"), dec("100"), dec("1.81E-8"))
	return tb
}

const sampleDetail = `usage_date,provider,payer_account_id,usage_account_id,service,currency,unblended_cost,net_unblended_cost,amortized_cost,line_items
2023-11-01,AWS,111,222,AmazonEC2,NOK,12345678901234567890500,0,60,1
2023-11-01,AWS,111,222,AmazonEC2,USD,0.1000000181,0.1000000181,0.000025893953072562468,2
2023-11-01,AWS,111,333,AmazonS3,USD,-1.5,-1.5,0,1
2023-11-02,AWS,111,222,AmazonEC2,USD,100,100,0.0000000181,1
`

const sampleDaily = `usage_date,provider,currency,unblended_cost,net_unblended_cost,amortized_cost,line_items
2023-11-01,AWS,NOK,12345678901234567890500,0,60,1
2023-11-01,AWS,USD,-1.3999999819,-1.3999999819,0.000025893953072562468,3
2023-11-02,AWS,USD,100,100,0.0000000181,1
`

func TestWriteDetail(t *testing.T) {
	var b strings.Builder
	if err := sampleTable().WriteDetail(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != sampleDetail {
		t.Errorf("WriteDetail:\n%s\nwant:\n%s", b.String(), sampleDetail)
	}
}

func TestWriteDaily(t *testing.T) {
	var b strings.Builder
	if err := sampleTable().WriteDaily(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != sampleDaily {
		t.Errorf("WriteDaily:\n%s\nwant:\n%s", b.String(), sampleDaily)
	}
}

// Dimensions holding commas or quotes are quoted, and read back whole.
func TestDetailQuoting(t *testing.T) {
	tb := make(Table)
	d := Dims{Day: "2023-11-01", Provider: "Amazon Web Services Canada, Inc.", Service: `say "hi"`, Currency: "CAD"}
	tb.Add(d, dec("1"), dec("1"), dec("1"))
	var b strings.Builder
	if err := tb.WriteDetail(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"Amazon Web Services Canada, Inc.",,,"say ""hi""",CAD,`) {
		t.Errorf("WriteDetail:\n%s", b.String())
	}
	back := make(Table)
	if err := back.ReadDetail(strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	checkSums(t, "read back", back[d], sums("1", "1", "1", 1))
}

func TestEmptyTable(t *testing.T) {
	var b strings.Builder
	if err := make(Table).WriteDetail(&b); err != nil || b.String() != strings.Join(DetailHeader, ",")+"\n" {
		t.Errorf("WriteDetail of nothing = %q, %v", b.String(), err)
	}
	b.Reset()
	if err := make(Table).WriteDaily(&b); err != nil || b.String() != strings.Join(DailyHeader, ",")+"\n" {
		t.Errorf("WriteDaily of nothing = %q, %v", b.String(), err)
	}
}

func TestReadDetailRoundTrip(t *testing.T) {
	orig := sampleTable()
	var b strings.Builder
	if err := orig.WriteDetail(&b); err != nil {
		t.Fatal(err)
	}
	back := make(Table)
	if err := back.ReadDetail(strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	if len(back) != len(orig) {
		t.Fatalf("read %d entries, wrote %d", len(back), len(orig))
	}
	for d, s := range orig {
		checkSums(t, d.Day+" "+d.Account+" "+d.Currency, back[d], *s)
	}

	// ReadDetail adds to what the table holds.
	if err := back.ReadDetail(strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	for d, s := range orig {
		checkSums(t, "twice "+d.Day+" "+d.Account+" "+d.Currency, back[d], s.Add(*s))
	}
}

func TestReadDetailErrors(t *testing.T) {
	header := strings.Join(DetailHeader, ",") + "\n"
	tests := []struct {
		name  string
		in    string
		err   error    // a cause errors.Is must find, if any
		texts []string // what the message must say
	}{
		{"empty", "", nil, []string{"read header"}},
		{"daily header", strings.Join(DailyHeader, ",") + "\n", nil, []string{"read header"}},
		{"renamed column", strings.Replace(header, "amortized_cost", "amortised_cost", 1), nil, []string{"header", "amortised_cost"}},
		{"header with a BOM", "\ufeff" + header, nil, []string{"header"}},
		{"bad unblended", header + "2023-11-01,AWS,1,2,S,USD,1,2,3,1\n2023-11-01,AWS,1,2,T,USD,abc,2,3,1\n",
			decimal.ErrSyntax, []string{"line 3", "unblended_cost", `"abc"`}},
		{"bad amortized", header + "2023-11-01,AWS,1,2,S,USD,1,2,3,1\n\n2023-11-01,AWS,1,2,T,USD,1,2,1.81E,1\n",
			decimal.ErrSyntax, []string{"line 4", "amortized_cost", `"1.81E"`}},
		{"blank net", header + "2023-11-01,AWS,1,2,S,USD,1,,3,1\n", decimal.ErrSyntax, []string{"line 2", "net_unblended_cost"}},
		{"bad line count", header + "2023-11-01,AWS,1,2,S,USD,1,2,3,1.5\n", nil, []string{"line 2", "line_items", `"1.5"`}},
		{"short row", header + "2023-11-01,AWS,1,2,S,USD,1,2,3\n", nil, []string{"line 2", "wrong number of fields"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := make(Table).ReadDetail(strings.NewReader(tc.in))
			if err == nil {
				t.Fatal("no error")
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("error = %v, want it to wrap %v", err, tc.err)
			}
			for _, s := range tc.texts {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteFails(t *testing.T) {
	if err := sampleTable().WriteDetail(failingWriter{}); err == nil {
		t.Error("WriteDetail to a failing writer succeeded")
	}
	if err := sampleTable().WriteDaily(failingWriter{}); err == nil {
		t.Error("WriteDaily to a failing writer succeeded")
	}
}

// csvDetail is what encoding/csv's Writer makes of rows: the reference
// for WriteDetailRows.
func csvDetail(t testing.TB, rows []Row) []byte {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(DetailHeader)
	for _, r := range rows {
		cw.Write([]string{r.Day, r.Provider, r.Payer, r.Account, r.Service, r.Currency,
			r.Unblended.String(), r.NetUnblended.String(), r.Amortized.String(), strconv.FormatInt(r.LineItems, 10)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWriteDetailRowsIsCSV(t *testing.T) {
	fields := []string{"", "AWS", "a,b", `say "hi"`, "two\nlines", "cr\r", " lead", "\tlead", "\u00a0nbsp", `\.`, `\.x`, "trail ", `"`, "é"}
	var rows []Row
	for i, f := range fields {
		rows = append(rows, Row{
			Dims: Dims{Day: "2024-01-01", Provider: f, Payer: fields[(i+1)%len(fields)], Account: fields[(i+2)%len(fields)], Service: f + f, Currency: "USD"},
			Sums: Sums{Unblended: decimal.MustParse("-1.5E-12"), NetUnblended: decimal.MustParse("120"), Amortized: decimal.MustParse("0.000"), LineItems: int64(i) * 1e12},
		})
	}
	// Enough rows to flush in several writes.
	for i := range 3000 {
		rows = append(rows, Row{Dims: Dims{Day: "2024-01-02", Account: strconv.Itoa(i)}, Sums: Sums{Unblended: decimal.MustParse("12345678901234567890.123456789")}})
	}
	var got bytes.Buffer
	if err := WriteDetailRows(&got, rows); err != nil {
		t.Fatal(err)
	}
	if want := csvDetail(t, rows); !bytes.Equal(got.Bytes(), want) {
		t.Errorf("WriteDetailRows differs from encoding/csv:\n%q\nwant\n%q", got.Bytes()[:min(got.Len(), 2000)], want[:min(len(want), 2000)])
	}
}

func FuzzAppendField(f *testing.F) {
	for _, s := range []string{"", "a,b", `"`, "\r\n", " x", `\.`, "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		cw := csv.NewWriter(&b)
		cw.Write([]string{s})
		cw.Flush()
		want := strings.TrimSuffix(b.String(), "\n")
		if got := string(appendField(nil, s)); got != want {
			t.Errorf("appendField(%q) = %q, encoding/csv writes %q", s, got, want)
		}
	})
}

// scanBoth reads in with ScanDetail and ScanDetailBytes; it fails t
// unless both give the same rows, or both fail.
func scanBoth(t *testing.T, in []byte) {
	t.Helper()
	var want, got []Row
	werr := ScanDetail(bytes.NewReader(in), func(d Dims, s Sums) { want = append(want, Row{d, s}) })
	gerr := ScanDetailBytes(in, func(d Dims, s Sums) { got = append(got, Row{d, s}) })
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("ScanDetail: %v; ScanDetailBytes: %v\ninput %q", werr, gerr, in)
	}
	if werr != nil {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, ScanDetail has %d\ninput %q", len(got), len(want), in)
	}
	for i := range got {
		if got[i].Dims != want[i].Dims || !got[i].Sums.Equal(want[i].Sums) {
			t.Fatalf("row %d: %v, ScanDetail has %v\ninput %q", i, got[i], want[i], in)
		}
	}
}

func TestScanDetailBytes(t *testing.T) {
	var written bytes.Buffer
	if err := sampleTable().WriteDetail(&written); err != nil {
		t.Fatal(err)
	}
	h := strings.Join(DetailHeader, ",") + "\n"
	for _, in := range []string{
		written.String(),
		h,
		h + "2024-01-01,AWS,1,2,S,USD,1.5,-2e-12,0,3\n",
		h + "2024-01-01,AWS,1,2,S,USD,1.5,-2e-12,0,3",    // no final line end
		h + "\n2024-01-01,AWS,1,2,S,USD,1.5,1,0,3\n\n",   // blank lines
		h + "2024-01-01,AWS,1,2,\"S,x\",USD,1.5,1,0,3\n", // quoted: encoding/csv's path
		h + "2024-01-01,AWS,1,2,S,USD,1.5,1,0,3\r\n",     // CRLF: encoding/csv's path
		h + "2024-01-01,AWS,1,2,S,USD,1.5,1,0\n",         // a field short
		h + "2024-01-01,AWS,1,2,S,USD,1.5,1,0,3,4\n",     // a field over
		h + "2024-01-01,AWS,1,2,S,USD,x,1,0,3\n",         // a bad cost
		h + "2024-01-01,AWS,1,2,S,USD,1,1,0,3.5\n",       // a bad count
		"usage_date,provider\n2024-01-01,AWS\n",          // another header
		"",
	} {
		scanBoth(t, []byte(in))
	}
}

func FuzzScanDetailBytes(f *testing.F) {
	h := strings.Join(DetailHeader, ",") + "\n"
	f.Add([]byte(h + "2024-01-01,AWS,1,2,S,USD,1.5,-2e-12,0,3\n"))
	f.Add([]byte(h + "\n2024-01-01,AWS,1,2, S,USD,1,1,1E+3,3"))
	f.Fuzz(func(t *testing.T, in []byte) { scanBoth(t, in) })
}
