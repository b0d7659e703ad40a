package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
)

// flatFile writes rows (column name to value, absent or nil for null) with
// a schema of top-level columns, groupRows rows per row group.
func flatFile(t *testing.T, group parquet.Group, groupRows int64, rows []map[string]any) []byte {
	t.Helper()
	schema := parquet.NewSchema("test", group)
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema, parquet.MaxRowsPerRowGroup(groupRows))
	for _, r := range rows {
		var row parquet.Row
		for i, f := range schema.Fields() {
			v, ok := r[f.Name()]
			if !ok || v == nil {
				row = append(row, parquet.NullValue().Level(0, 0, i))
				continue
			}
			def := 0
			if f.Optional() {
				def = 1
			}
			row = append(row, parquet.ValueOf(v).Level(0, def, i))
		}
		if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readAll selects names (all columns when nil) and returns every row with
// its position.
func readAll(t *testing.T, data []byte, names []string) ([][]string, []int64) {
	t.Helper()
	r, err := NewParquetReader(bytes.NewReader(data), int64(len(data)), "test.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if names != nil {
		if err := r.Select(names); err != nil {
			t.Fatal(err)
		}
	}
	var rows [][]string
	var pos []int64
	for {
		f, err := r.Next()
		if err == io.EOF {
			return rows, pos
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, append([]string(nil), f...))
		pos = append(pos, r.Pos())
	}
}

func str(s string) any { return []byte(s) }

func ms(s string) any {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return tm.UnixMilli()
}

// TestParquetCUR1 reads an Athena-style CUR 1.0 file: DOUBLE costs,
// millisecond timestamps, nulls, three row groups.
func TestParquetCUR1(t *testing.T) {
	tenth := 0.1
	group := parquet.Group{
		"identity_line_item_id":         parquet.String(),
		"bill_payer_account_id":         parquet.String(),
		"line_item_usage_start_date":    parquet.Timestamp(parquet.Millisecond),
		"line_item_usage_end_date":      parquet.Optional(parquet.Timestamp(parquet.Millisecond)),
		"line_item_unblended_cost":      parquet.Leaf(parquet.DoubleType),
		"line_item_net_unblended_cost":  parquet.Optional(parquet.Leaf(parquet.DoubleType)),
		"pricing_public_on_demand_cost": parquet.Optional(parquet.Leaf(parquet.FloatType)),
		"resource_tags_user_team":       parquet.Optional(parquet.String()),
		"reservation_reservation_a_r_n": parquet.Optional(parquet.String()),
		"line_item_usage_amount_int":    parquet.Optional(parquet.Int(64)),
		"is_estimated":                  parquet.Optional(parquet.Leaf(parquet.BooleanType)),
	}
	rows := []map[string]any{
		{"identity_line_item_id": str("a"), "bill_payer_account_id": str("012345678901"),
			"line_item_usage_start_date": ms("2023-01-01T00:00:00Z"), "line_item_usage_end_date": ms("2023-01-01T01:00:00Z"),
			"line_item_unblended_cost": 1.6475682491, "line_item_net_unblended_cost": 1.81e-8,
			"pricing_public_on_demand_cost": float32(0.1), "resource_tags_user_team": str("core, infra"),
			"line_item_usage_amount_int": int64(-42), "is_estimated": true},
		{"identity_line_item_id": str("b"), "bill_payer_account_id": str("012345678901"),
			"line_item_usage_start_date": ms("2023-01-31T23:59:59.5Z"),
			"line_item_unblended_cost":   2.5893953072562468e-05, "is_estimated": false},
		{"identity_line_item_id": str("c"), "bill_payer_account_id": str(""),
			"line_item_usage_start_date": ms("1969-12-31T23:59:59.999Z"),
			"line_item_unblended_cost":   0.0, "line_item_net_unblended_cost": -12.5,
			"reservation_reservation_a_r_n": str("arn:aws:ec2:us-east-1:1:reserved-instances/x")},
		{"identity_line_item_id": str("d"), "bill_payer_account_id": str("1"),
			"line_item_usage_start_date": ms("2024-02-29T12:00:00Z"),
			"line_item_unblended_cost":   123456789.125, "line_item_net_unblended_cost": 1e21},
		{"identity_line_item_id": str("e"), "bill_payer_account_id": str("1"),
			"line_item_usage_start_date": ms("2024-03-01T00:00:00Z"),
			"line_item_unblended_cost":   tenth + 0.2}, // at run time: 0.30000000000000004
	}
	data := flatFile(t, group, 2, rows)

	r, err := NewParquetReader(bytes.NewReader(data), int64(len(data)), "cur1.parquet")
	if err != nil {
		t.Fatal(err)
	}
	// Header is in file order; parquet.Group sorts columns by name.
	if h := r.Header(); len(h) != len(group) || h[0] != "bill_payer_account_id" {
		t.Errorf("Header() = %q", h)
	}
	r.Close()

	names := []string{"line_item_usage_start_date", "line_item_usage_end_date", "line_item_unblended_cost",
		"line_item_net_unblended_cost", "pricing_public_on_demand_cost", "bill_payer_account_id",
		"lineItem/NoSuchColumn", "resource_tags_user_team", "reservation_reservation_a_r_n",
		"line_item_usage_amount_int", "is_estimated", "identity_line_item_id"}
	want := [][]string{
		{"2023-01-01T00:00:00Z", "2023-01-01T01:00:00Z", "1.6475682491", "1.81e-08", "0.1", "012345678901",
			"", "core, infra", "", "-42", "true", "a"},
		{"2023-01-31T23:59:59.5Z", "", "2.5893953072562468e-05", "", "", "012345678901", "", "", "", "", "false", "b"},
		{"1969-12-31T23:59:59.999Z", "", "0", "-12.5", "", "", "", "", "arn:aws:ec2:us-east-1:1:reserved-instances/x",
			"", "", "c"},
		{"2024-02-29T12:00:00Z", "", "1.23456789125e+08", "1e+21", "", "1", "", "", "", "", "", "d"},
		{"2024-03-01T00:00:00Z", "", "0.30000000000000004", "", "", "1", "", "", "", "", "", "e"},
	}
	got, pos := readAll(t, data, names)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}
	if !reflect.DeepEqual(pos, []int64{1, 2, 3, 4, 5}) {
		t.Errorf("Pos() = %v", pos)
	}
}

// TestParquetTypes covers the remaining logical types: DECIMAL in every
// physical encoding, timestamp units, INT96, DATE, unsigned integers.
func TestParquetTypes(t *testing.T) {
	fixed := func(s string, n int) any { // two's complement, big-endian
		v, _ := new(big.Int).SetString(s, 10)
		if v.Sign() < 0 {
			v.Add(v, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
		}
		return v.FillBytes(make([]byte, n))
	}
	int96 := func(tm string) any {
		x, _ := time.Parse(time.RFC3339Nano, tm)
		day := x.Unix()/86400 + 2440588
		nanos := uint64(x.UnixNano() - x.Unix()/86400*86400*1e9)
		return deprecated.Int96{uint32(nanos), uint32(nanos >> 32), uint32(day)}
	}
	group := parquet.Group{
		"d_int32":  parquet.Optional(parquet.Decimal(2, 9, parquet.Int32Type)),
		"d_int64":  parquet.Optional(parquet.Decimal(6, 18, parquet.Int64Type)),
		"d_fixed":  parquet.Optional(parquet.Decimal(24, 38, parquet.FixedLenByteArrayType(16))),
		"d_bytes":  parquet.Optional(parquet.Decimal(10, 40, parquet.ByteArrayType)),
		"d_scale0": parquet.Optional(parquet.Decimal(0, 9, parquet.Int32Type)),
		"ts_us":    parquet.Optional(parquet.Timestamp(parquet.Microsecond)),
		"ts_ns":    parquet.Optional(parquet.Timestamp(parquet.Nanosecond)),
		"ts_int96": parquet.Optional(parquet.Leaf(parquet.Int96Type)),
		"date":     parquet.Optional(parquet.Date()),
		"u32":      parquet.Optional(parquet.Uint(32)),
		"u64":      parquet.Optional(parquet.Uint(64)),
		"i32":      parquet.Optional(parquet.Int(32)),
	}
	rows := []map[string]any{
		{"d_int32": int32(1250), "d_int64": int64(-1), "d_fixed": fixed("1500000000000000000000000", 16),
			"d_bytes": fixed("-123456789012345678901234567890", 13), "d_scale0": int32(-7),
			"ts_us": int64(1672531200000001), "ts_ns": int64(1672531200123456789),
			"ts_int96": int96("2023-01-01T00:00:00Z"), "date": int32(19358),
			"u32": int32(-1), "u64": int64(-1), "i32": int32(math.MinInt32)},
		{"d_int32": int32(-5), "d_int64": int64(123456789012345678),
			"d_fixed": fixed("-99999999999999999999999999999999999999", 16), "d_bytes": fixed("1", 1),
			"d_scale0": int32(0), "ts_us": int64(-1), "ts_int96": int96("1999-12-31T23:59:59.000000001Z"),
			"date": int32(-1)},
		{},
	}
	want := [][]string{
		{"12.50", "-0.000001", "1.500000000000000000000000", "-12345678901234567890.1234567890", "-7",
			"2023-01-01T00:00:00.000001Z", "2023-01-01T00:00:00.123456789Z", "2023-01-01T00:00:00Z", "2023-01-01",
			"4294967295", "18446744073709551615", "-2147483648"},
		{"-0.05", "123456789012.345678", "-99999999999999.999999999999999999999999", "0.0000000001", "0",
			"1969-12-31T23:59:59.999999Z", "", "1999-12-31T23:59:59.000000001Z", "1969-12-31", "", "", ""},
		{"", "", "", "", "", "", "", "", "", "", "", ""},
	}
	names := []string{"d_int32", "d_int64", "d_fixed", "d_bytes", "d_scale0", "ts_us", "ts_ns", "ts_int96",
		"date", "u32", "u64", "i32"}
	got, _ := readAll(t, flatFile(t, group, 100, rows), names)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}
}

type cur2Row struct {
	BillPayerAccountID string             `parquet:"bill_payer_account_id"`
	UnblendedCost      float64            `parquet:"line_item_unblended_cost"`
	Product            map[string]*string `parquet:"product,optional" parquet-value:",optional"`
	ResourceTags       map[string]string  `parquet:"resource_tags"`
	Values             []int64            `parquet:"values,list"`
}

// TestParquetCUR2Maps reads CUR 2.0-like map columns as JSON objects over
// several row groups and pages.
func TestParquetCUR2Maps(t *testing.T) {
	s := func(v string) *string { return &v }
	rows := []cur2Row{
		{"1", 0.5, map[string]*string{"region": s("us-east-1"), "product_name": s(`Amazon "EC2"`), "x": nil},
			map[string]string{"user:team": "a\tb", "aws:createdBy": "é"}, []int64{3, 1}},
		{"2", 1.25, nil, map[string]string{}, nil},
		{"3", -0.25, map[string]*string{}, nil, []int64{}},
	}
	want := [][]string{
		{`{"product_name":"Amazon \"EC2\"","region":"us-east-1","x":null}`, "1",
			`{"aws:createdBy":"é","user:team":"a\u0009b"}`, "[\"3\",\"1\"]", "0.5"},
		{"", "2", "{}", "", "1.25"},
		{"{}", "3", "{}", "", "-0.25"},
	}
	var all []cur2Row
	var wantAll [][]string
	for i := 0; i < 700; i++ {
		all = append(all, rows[i%3])
		wantAll = append(wantAll, want[i%3])
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[cur2Row](&buf, parquet.MaxRowsPerRowGroup(256), parquet.PageBufferSize(512))
	if _, err := w.Write(all); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	r, err := NewParquetReader(bytes.NewReader(data), int64(len(data)), "cur2.parquet")
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"bill_payer_account_id", "line_item_unblended_cost", "product", "resource_tags",
		"values.list.element"}
	if h := r.Header(); !reflect.DeepEqual(h, wantHeader) {
		t.Errorf("Header() = %q, want %q", h, wantHeader)
	}
	r.Close()
	got, _ := readAll(t, data, []string{"product", "bill_payer_account_id", "resource_tags",
		"values.list.element", "line_item_unblended_cost"})
	if !reflect.DeepEqual(got, wantAll) {
		t.Errorf("rows differ; first rows:\n got %q\nwant %q", got[:3], wantAll[:3])
	}
}

// TestParquetSelect: default selection is the header; no selected column
// still yields every row; Select after Next fails.
func TestParquetSelect(t *testing.T) {
	data := flatFile(t, parquet.Group{"a": parquet.String(), "b": parquet.Int(64)}, 1,
		[]map[string]any{{"a": str("x"), "b": int64(1)}, {"a": str("y"), "b": int64(2)}})
	got, _ := readAll(t, data, nil)
	if want := [][]string{{"x", "1"}, {"y", "2"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("all columns: %q, want %q", got, want)
	}
	got, _ = readAll(t, data, []string{"missing"})
	if want := [][]string{{""}, {""}}; !reflect.DeepEqual(got, want) {
		t.Errorf("absent column: %q, want %q", got, want)
	}
	r, err := NewParquetReader(bytes.NewReader(data), int64(len(data)), "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if err := r.Select([]string{"a"}); err == nil {
		t.Error("Select after Next: no error")
	}
}

// countingReaderAt counts the reads that reach the source.
type countingReaderAt struct {
	r     io.ReaderAt
	reads int
}

func (c *countingReaderAt) ReadAt(b []byte, off int64) (int, error) {
	c.reads++
	return c.r.ReadAt(b, off)
}

// TestParquetReads: an object store is read once for the footer, once for
// the magic number, and once per selected column chunk.
func TestParquetReads(t *testing.T) {
	var rows []map[string]any
	for i := range 30_000 {
		rows = append(rows, map[string]any{"a": str(fmt.Sprintf("value %d", i)), "b": int64(i), "c": float64(i)})
	}
	data := flatFile(t, parquet.Group{"a": parquet.String(), "b": parquet.Int(64), "c": parquet.Leaf(parquet.DoubleType)},
		10_000, rows)
	if len(data) < 64<<10 {
		t.Fatalf("file of %d bytes fits in the tail read", len(data))
	}
	src := &countingReaderAt{r: bytes.NewReader(data)}
	r, err := NewParquetReader(src, int64(len(data)), "t")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Select([]string{"c", "a"}); err != nil {
		t.Fatal(err)
	}
	for n := 0; ; n++ {
		f, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{fmt.Sprint(n), fmt.Sprintf("value %d", n)}; !reflect.DeepEqual(f, want) {
			t.Fatalf("row %d = %q, want %q", n, f, want)
		}
	}
	if want := 2 + 3*2; src.reads != want {
		t.Errorf("%d reads, want %d", src.reads, want)
	}
}

// TestParquetLZ4 checks that LZ4_RAW, which parquet-go v0.32 can decode
// into wrong values, is refused rather than read.
func TestParquetLZ4(t *testing.T) {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[cur2Row](&buf, parquet.Compression(&parquet.Lz4Raw))
	if _, err := w.Write([]cur2Row{{BillPayerAccountID: "1"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	err := readErr(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	var re *RowError
	if !errors.Is(err, ErrCompression) || errors.Is(err, ErrCorrupt) || !errors.As(err, &re) || re.Pos != 1 {
		t.Errorf("error = %v, want a *RowError at row 1 for unsupported compression", err)
	}
}

type failingReaderAt struct{ err error }

func (f failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, f.err }

func TestParquetCorrupt(t *testing.T) {
	good := flatFile(t, parquet.Group{"a": parquet.String(), "c": parquet.Leaf(parquet.DoubleType)}, 1000,
		func() (rows []map[string]any) {
			for i := 0; i < 1000; i++ {
				rows = append(rows, map[string]any{"a": str("some text that compresses"), "c": float64(i)})
			}
			return rows
		}())
	damaged := bytes.Clone(good)
	for i := 200; i < 260; i++ { // inside the first column chunk's pages
		damaged[i] ^= 0x5a
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"csv", []byte("identity/LineItemId,lineItem/UnblendedCost\nx,1\n")},
		{"empty", nil},
		{"magic only", []byte("PAR1PAR1")},
		{"truncated", good[:len(good)-20]},
		{"huge footer length", append(bytes.Clone(good[:len(good)-8]), 0xff, 0xff, 0xff, 0x7f, 'P', 'A', 'R', '1')},
		{"damaged pages", damaged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := readErr(bytes.NewReader(tc.data), int64(len(tc.data)))
			var re *RowError
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &re) || re.Object != "bad.parquet" {
				t.Errorf("error = %v, want a *RowError for bad.parquet wrapping ErrCorrupt", err)
			}
		})
	}
	// A failing source is its own error, not a corrupt file.
	boom := errors.New("connection reset")
	if err := readErr(failingReaderAt{boom}, 1000); !errors.Is(err, boom) || errors.Is(err, ErrCorrupt) {
		t.Errorf("failing source: %v, want %v and not ErrCorrupt", err, boom)
	}
}

// readErr reads every row and returns the first error other than io.EOF.
func readErr(r io.ReaderAt, size int64) error {
	rd, err := NewParquetReader(r, size, "bad.parquet")
	if err != nil {
		return err
	}
	defer rd.Close()
	for n := 0; n < 1e6; n++ {
		if _, err := rd.Next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
	return nil
}

// FuzzParquetReader feeds damaged files: the reader must never panic and
// every error must be a *RowError wrapping ErrCorrupt (or naming a codec it
// refuses, a limit the file is over, or a column type it does not read).
func FuzzParquetReader(f *testing.F) {
	f.Add([]byte("PAR1"))
	f.Add(flatFile(&testing.T{}, parquet.Group{"a": parquet.Optional(parquet.String()),
		"d": parquet.Decimal(2, 9, parquet.Int32Type)}, 2,
		[]map[string]any{{"a": str("x"), "d": int32(5)}, {"d": int32(-5)}, {"a": str("z"), "d": int32(0)}}))
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[cur2Row](&buf)
	k := "k"
	w.Write([]cur2Row{{"1", 0.5, map[string]*string{"k": &k, "n": nil}, map[string]string{"k": "v"}, []int64{1}}})
	w.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, read := range []func(io.ReaderAt, int64) error{readErr, readKeysErr} {
			err := read(bytes.NewReader(data), int64(len(data)))
			var re *RowError
			defined := errors.Is(err, ErrCorrupt) || errors.Is(err, ErrCompression) || errors.Is(err, ErrLimit) ||
				errors.Is(err, ErrColumnType)
			if err != nil && (!errors.As(err, &re) || !defined) {
				t.Errorf("error %v is not a *RowError wrapping ErrCorrupt", err)
			}
		}
	})
}

// readKeysErr is readErr selecting, besides every column, the key "k" of
// each, as of a map.
func readKeysErr(r io.ReaderAt, size int64) error {
	rd, err := NewParquetReader(r, size, "bad.parquet")
	if err != nil {
		return err
	}
	defer rd.Close()
	names := slices.Clone(rd.Header())
	for _, h := range rd.Header() {
		names = append(names, h+".k")
	}
	if err := rd.Select(names); err != nil {
		return err
	}
	for n := 0; n < 1e6; n++ {
		if _, err := rd.Next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkParquetReader reads six columns of a CUR 1.0-like file of 100k
// rows in row groups of 20k.
func BenchmarkParquetReader(b *testing.B) {
	group := parquet.Group{
		"identity_line_item_id":        parquet.String(),
		"line_item_usage_account_id":   parquet.String(),
		"line_item_product_code":       parquet.String(),
		"line_item_usage_start_date":   parquet.Timestamp(parquet.Millisecond),
		"line_item_unblended_cost":     parquet.Leaf(parquet.DoubleType),
		"line_item_net_unblended_cost": parquet.Optional(parquet.Leaf(parquet.DoubleType)),
		"line_item_resource_id":        parquet.String(),
		"product_region":               parquet.String(),
	}
	var rows []map[string]any
	for i := range 100_000 {
		rows = append(rows, map[string]any{
			"identity_line_item_id":      str(fmt.Sprintf("%026x", i*7919)),
			"line_item_usage_account_id": str(fmt.Sprintf("%012d", i%40)),
			"line_item_product_code":     str([]string{"AmazonEC2", "AmazonS3", "AWSLambda"}[i%3]),
			"line_item_usage_start_date": ms(time.Date(2023, 1, 1+i%31, i%24, 0, 0, 0, time.UTC).Format(time.RFC3339)),
			"line_item_unblended_cost":   float64(i%1000) * 0.0001234,
			"line_item_resource_id":      str(fmt.Sprintf("i-%017x", i/24)),
			"product_region":             str("us-east-1"),
		})
	}
	data := flatFile(&testing.T{}, group, 20_000, rows)
	names := []string{"line_item_usage_start_date", "line_item_usage_account_id", "line_item_product_code",
		"line_item_unblended_cost", "line_item_net_unblended_cost", "line_item_resource_id"}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := NewParquetReader(bytes.NewReader(data), int64(len(data)), "bench")
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Select(names); err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
}

// TestParquetLimits: a selected column chunk, a row group's selected
// chunks together, or a page of a selected column, over their limits fail
// with a *LimitError that names the flag; unselected columns do not count.
func TestParquetLimits(t *testing.T) {
	group := parquet.Group{"id": parquet.String(), "big": parquet.String(), "other": parquet.String(),
		"flag": parquet.Leaf(parquet.BooleanType)}
	var rows []map[string]any
	for i := range 400 {
		// Digits of i*7919 squared: little for snappy to squeeze.
		v := fmt.Sprint(big.NewInt(0).Exp(big.NewInt(int64(i*7919+1)), big.NewInt(20), nil))
		rows = append(rows, map[string]any{"id": str(fmt.Sprint(i)), "big": str(v), "other": str(v), "flag": i%3 == 0})
	}
	data := flatFile(t, group, 200, rows)
	tests := []struct {
		name string
		sel  []string
		lim  Limits
		flag string
	}{
		{"within the limits", []string{"id", "big"}, Limits{ParquetColumnChunkBytes: 1 << 20, ParquetRowGroupBytes: 1 << 20}, ""},
		{"a column chunk over", []string{"id", "big"}, Limits{ParquetColumnChunkBytes: 4 << 10, ParquetRowGroupBytes: 1 << 20}, "--max-parquet-column-chunk-bytes"},
		{"an unselected chunk is no matter", []string{"id"}, Limits{ParquetColumnChunkBytes: 4 << 10, ParquetRowGroupBytes: 1 << 20}, ""},
		{"a row group over", []string{"id", "big", "other"}, Limits{ParquetColumnChunkBytes: 1 << 20, ParquetRowGroupBytes: 12 << 10}, "--max-parquet-row-group-bytes"},
		// A page holds a row group's 200 values of a column: ids take 1.4 kB,
		// big values 23 kB, flags 25 bytes.
		{"pages within the limit", []string{"id", "flag"}, Limits{ParquetPageBytes: 2 << 10}, ""},
		{"a page over", []string{"id", "big"}, Limits{ParquetPageBytes: 4 << 10}, "--max-parquet-page-bytes"},
		{"an unselected page is no matter", []string{"id"}, Limits{ParquetPageBytes: 4 << 10}, ""},
		{"a page of too many values", []string{"flag"}, Limits{ParquetPageBytes: 1 << 10}, "--max-parquet-page-bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := newParquetReader(bytes.NewReader(data), int64(len(data)), "p.parquet", tc.lim)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Select(tc.sel); err != nil {
				t.Fatal(err)
			}
			n := 0
			for err == nil {
				if _, err = r.Next(); err == nil {
					n++
				}
			}
			var le *LimitError
			var re *RowError
			switch {
			case tc.flag == "" && err != io.EOF:
				t.Fatalf("within the limits: %v", err)
			case tc.flag == "" && n != len(rows):
				t.Errorf("%d rows, want %d", n, len(rows))
			case tc.flag == "":
			case !errors.As(err, &le) || le.Flag != tc.flag || !strings.Contains(err.Error(), tc.flag):
				t.Errorf("error %v, want a limit error naming %s", err, tc.flag)
			case errors.Is(err, ErrCorrupt) || !errors.As(err, &re) || re.Object != "p.parquet" || re.Pos != 1:
				t.Errorf("error %v, want a *RowError at p.parquet:1 and not ErrCorrupt", err)
			}
		})
	}
}
