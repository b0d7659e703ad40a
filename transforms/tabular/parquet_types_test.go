package tabular

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// writeRows writes rows, given as leaf values in column order, with schema.
func writeRows(t *testing.T, schema *parquet.Schema, rows ...parquet.Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema)
	if _, err := w.WriteRows(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// oneColumn writes a file of one row whose one column, name, is node and
// holds v.
func oneColumn(t *testing.T, name string, node parquet.Node, v parquet.Value) []byte {
	t.Helper()
	return writeRows(t, parquet.NewSchema("test", parquet.Group{name: node}), parquet.Row{v.Level(0, 0, 0)})
}

// writeStructs writes rows with the schema parquet-go derives from T.
func writeStructs[T any](t *testing.T, rows ...T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// annotated is a type with its logical annotation replaced, to write
// annotations that parquet-go v0.32 has no type for (FLOAT16, a VARIANT
// leaf) and reads as the physical type under them.
type annotated struct {
	parquet.Type
	logical format.LogicalTypeValue
}

func (a annotated) LogicalType() *format.LogicalType { return &format.LogicalType{Value: a.logical} }

type nestedRow struct {
	Lists   [][]int64                     `parquet:"ll,list"`
	Struct  struct{ A string }            `parquet:"s"`
	Map     map[string]struct{ X string } `parquet:"ms"`
	Structs []struct{ X string }          `parquet:"ls,list"`
}

// TestParquetColumnTypes: a selected column of a type that curpipe does
// not render fails Select with a *RowError wrapping ErrColumnType that
// names the column and its type, and Next then fails too; the types it
// renders read.
func TestParquetColumnTypes(t *testing.T) {
	nested := writeStructs(t, nestedRow{Lists: [][]int64{{1, 2}, {3}}, Struct: struct{ A string }{"a"},
		Map: map[string]struct{ X string }{"k": {"v"}}, Structs: []struct{ X string }{{"x1"}, {"x2"}}})
	variant := writeRows(t, parquet.NewSchema("test", parquet.Group{"v": parquet.Variant()}),
		parquet.Row{parquet.ByteArrayValue([]byte{1, 0, 0}).Level(0, 0, 0), parquet.ByteArrayValue([]byte{0}).Level(0, 0, 1)})
	uuid := []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
	tests := []struct {
		name string
		data []byte
		sel  string
		want string // the value of the first row, or
		err  string // the error after "x.parquet: "
	}{
		{name: "INTERVAL", sel: "line_item_unblended_cost",
			data: oneColumn(t, "line_item_unblended_cost", parquet.IntervalNode(), parquet.FixedLenByteArrayValue(make([]byte, 12))),
			err:  "column line_item_unblended_cost has type INTERVAL, which curpipe does not read"},
		{name: "bare FIXED_LEN_BYTE_ARRAY", sel: "c",
			data: oneColumn(t, "c", parquet.Leaf(parquet.FixedLenByteArrayType(10)), parquet.FixedLenByteArrayValue([]byte("0123456789"))),
			err:  "column c has type FIXED_LEN_BYTE_ARRAY(10), which curpipe does not read"},
		{name: "TIME", sel: "c", data: oneColumn(t, "c", parquet.Time(parquet.Millisecond), parquet.Int32Value(3_600_000)),
			err: "column c has type TIME(isAdjustedToUTC=true,unit=MILLIS), which curpipe does not read"},
		{name: "BSON", sel: "c", data: oneColumn(t, "c", parquet.BSON(), parquet.ByteArrayValue([]byte{5, 0, 0, 0, 0})),
			err: "column c has type BSON, which curpipe does not read"},
		{name: "GEOMETRY", sel: "c", data: oneColumn(t, "c", parquet.Geometry(""), parquet.ByteArrayValue([]byte{1, 1, 0, 0, 0})),
			err: `column c has type GEOMETRY("OGC:CRS84"), which curpipe does not read`},
		{name: "FLOAT16, which parquet-go reads as its bytes", sel: "c",
			data: oneColumn(t, "c", parquet.Leaf(annotated{parquet.FixedLenByteArrayType(2), &format.Float16Type{}}),
				parquet.FixedLenByteArrayValue([]byte{0, 0x3c})),
			err: "column c has type FLOAT16, which curpipe does not read"},
		{name: "a VARIANT leaf, which parquet-go reads as its bytes", sel: "c",
			data: oneColumn(t, "c", parquet.Leaf(annotated{parquet.ByteArrayType, &format.VariantType{}}), parquet.ByteArrayValue([]byte{0})),
			err:  "column c has type VARIANT, which curpipe does not read"},
		{name: "a leaf of a VARIANT group", sel: "v.value", data: variant,
			err: "column v.value has type BYTE_ARRAY within VARIANT v, which curpipe does not read"},
		{name: "a VARIANT group by its name", sel: "v", data: variant,
			err: "column v has type VARIANT, which curpipe does not read"},
		{name: "a list of lists", sel: "ll.list.element.list.element", data: nested,
			err: "column ll.list.element.list.element has type INT(64,true) in nested lists or maps, which curpipe does not read"},
		{name: "a struct by its name", sel: "s", data: nested, err: "column s has type group, which curpipe does not read"},
		{name: "a map not read whole, by its name", sel: "ms", data: nested, err: "column ms has type MAP, which curpipe does not read"},
		{name: "a list by its name", sel: "ls", data: nested, err: "column ls has type LIST, which curpipe does not read"},

		{name: "UUID", sel: "c", data: oneColumn(t, "c", parquet.UUID(), parquet.FixedLenByteArrayValue(uuid)),
			want: "00112233-4455-6677-8899-aabbccddeeff"},
		{name: "JSON", sel: "c", data: oneColumn(t, "c", parquet.JSON(), parquet.ByteArrayValue([]byte(`{"a":1}`))), want: `{"a":1}`},
		{name: "ENUM", sel: "c", data: oneColumn(t, "c", parquet.Enum(), parquet.ByteArrayValue([]byte("A"))), want: "A"},
		{name: "a struct's leaf", sel: "s.A", data: nested, want: "a"},
		{name: "a map's keys, when its values are structs", sel: "ms.key_value.key", data: nested, want: `["k"]`},
		{name: "a list of structs' leaf", sel: "ls.list.element.X", data: nested, want: `["x1","x2"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewParquetReader(bytes.NewReader(tc.data), int64(len(tc.data)), "x.parquet")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			err = r.Select([]string{"absent", tc.sel})
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				f, err := r.Next()
				if want := []string{"", tc.want}; err != nil || !reflect.DeepEqual(f, want) {
					t.Errorf("Next() = %q, %v; want %q", f, err, want)
				}
				return
			}
			var re *RowError
			switch {
			case err == nil:
				t.Fatalf("Select succeeded, want %q", tc.err)
			case !errors.As(err, &re) || !errors.Is(err, ErrColumnType) || errors.Is(err, ErrCorrupt):
				t.Errorf("error %v is not a *RowError wrapping ErrColumnType", err)
			case err.Error() != "x.parquet: "+tc.err:
				t.Errorf("error %q, want %q", err, "x.parquet: "+tc.err)
			}
			if _, err := r.Next(); !errors.Is(err, ErrColumnType) {
				t.Errorf("Next after the failed Select = %v, want the error of Select", err)
			}
		})
	}
}

// TestParquetColumnTypeUnselected: a column curpipe does not read fails
// only a reader that reads it. The file opens; reading every column, as
// a reader does before Select, fails; selecting the others reads.
func TestParquetColumnTypeUnselected(t *testing.T) {
	schema := parquet.NewSchema("test", parquet.Group{"a": parquet.String(), "i": parquet.IntervalNode()})
	data := writeRows(t, schema,
		parquet.Row{parquet.ByteArrayValue([]byte("x")).Level(0, 0, 0), parquet.FixedLenByteArrayValue(make([]byte, 12)).Level(0, 0, 1)})
	const msg = "x.parquet: column i has type INTERVAL, which curpipe does not read"
	r, err := NewParquetReader(bytes.NewReader(data), int64(len(data)), "x.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Next(); !errors.Is(err, ErrColumnType) || err.Error() != msg {
		t.Errorf("Next() without Select = %v, want %q", err, msg)
	}
	ch, _ := Chunks(r)
	if _, err := ch.NextChunk(1); !errors.Is(err, ErrColumnType) {
		t.Errorf("NextChunk() without Select = %v, want %q", err, msg)
	}
	if err := r.Select([]string{"a"}); err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for {
		f, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, append([]string(nil), f...))
	}
	if want := [][]string{{"x"}}; !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
}
