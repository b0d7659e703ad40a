package curated

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"reflect"
	"slices"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// parquet-go v0.32 orders FIXED_LEN_BYTE_ARRAY values as unsigned bytes even
// under the DECIMAL annotation, whose order the format defines as signed.
// Its min/max statistics and page index for a cost column then put every
// negative amount above every positive one, and an engine that prunes on
// them (Athena, Trino, Spark: WHERE unblended_cost > 0) would skip row
// groups that match. decimal128 wraps the decimal type so that the chunk
// statistics, page headers and page index are computed in signed order.

// signedDecimals is a schema root that swaps the type of its DECIMAL leaves
// for decimal128 and leaves the rest, field order included, as it is. Its
// fields are made once: parquet-go asks for them on every batch written,
// and building them each time cost allocations per column.
type signedDecimals struct {
	parquet.Node
	fields []parquet.Field
}

func newSignedDecimals(root parquet.Node) signedDecimals {
	fields := slices.Clone(root.Fields())
	for i, f := range fields {
		if lt := f.Type().LogicalType(); f.Leaf() && lt != nil && isDecimal(lt.Value) {
			node := parquet.Leaf(decimal128{f.Type()})
			if f.Optional() {
				node = parquet.Optional(node)
			}
			fields[i] = decimalField{Node: node, field: f}
		}
	}
	return signedDecimals{Node: root, fields: fields}
}

// Fields returns a copy of the fields, which a caller may change.
func (n signedDecimals) Fields() []parquet.Field { return slices.Clone(n.fields) }

func isDecimal(v format.LogicalTypeValue) bool {
	_, ok := v.(*format.DecimalType)
	return ok
}

// decimalField keeps the original field's name and Go value access.
type decimalField struct {
	parquet.Node
	field parquet.Field
}

func (f decimalField) Name() string                           { return f.field.Name() }
func (f decimalField) Value(base reflect.Value) reflect.Value { return f.field.Value(base) }

// decimal128 is a DECIMAL in FIXED_LEN_BYTE_ARRAY(16) ordered as signed
// big-endian two's complement numbers.
type decimal128 struct{ parquet.Type }

func (t decimal128) Compare(a, b parquet.Value) int { return compare128(a.ByteArray(), b.ByteArray()) }

func (t decimal128) NewColumnBuffer(columnIndex, numValues int) parquet.ColumnBuffer {
	return signedBuffer{t.Type.NewColumnBuffer(columnIndex, numValues)}
}

func (t decimal128) NewColumnIndexer(int) parquet.ColumnIndexer { return new(signedIndexer) }

// compare128 compares two's complement big-endian integers of equal length.
func compare128(a, b []byte) int {
	if len(a) == 16 && len(b) == 16 {
		// A signed high and an unsigned low half: two integer comparisons
		// where bytes.Compare would loop over bytes.
		if c := cmp.Compare(int64(binary.BigEndian.Uint64(a)), int64(binary.BigEndian.Uint64(b))); c != 0 {
			return c
		}
		return cmp.Compare(binary.BigEndian.Uint64(a[8:]), binary.BigEndian.Uint64(b[8:]))
	}
	if len(a) == 0 || len(b) == 0 {
		return cmp.Compare(len(a), len(b))
	}
	if a[0] != b[0] {
		return cmp.Compare(int8(a[0]), int8(b[0]))
	}
	return bytes.Compare(a[1:], b[1:])
}

// signedBuffer hands out pages whose bounds are signed. Embedding the
// interface keeps parquet-go's unexported write methods working.
type signedBuffer struct{ parquet.ColumnBuffer }

func (b signedBuffer) Page() parquet.Page          { return signedPage{b.ColumnBuffer.Page()} }
func (b signedBuffer) Clone() parquet.ColumnBuffer { return signedBuffer{b.ColumnBuffer.Clone()} }

type signedPage struct{ parquet.Page }

func (p signedPage) Slice(i, j int64) parquet.Page { return signedPage{p.Page.Slice(i, j)} }

func (p signedPage) Bounds() (lo, hi parquet.Value, ok bool) {
	values := p.Page.Data()
	data, size := values.FixedLenByteArray()
	if size <= 0 || len(data) < size {
		return lo, hi, false
	}
	minV, maxV := data[:size], data[:size]
	for i := size; i+size <= len(data); i += size {
		v := data[i : i+size]
		if compare128(v, minV) < 0 {
			minV = v
		}
		if compare128(v, maxV) > 0 {
			maxV = v
		}
	}
	return parquet.FixedLenByteArrayValue(bytes.Clone(minV)), parquet.FixedLenByteArrayValue(bytes.Clone(maxV)), true
}

// signedIndexer builds the page index of a decimal128 column. Unlike
// parquet-go's, it also gives all-null pages their (empty) bounds, as the
// format requires, so the lists stay aligned with null_pages.
type signedIndexer struct {
	nullPages  []bool
	nullCounts []int64
	min, max   [][]byte
}

func (x *signedIndexer) Reset() {
	x.nullPages, x.nullCounts, x.min, x.max = x.nullPages[:0], x.nullCounts[:0], x.min[:0], x.max[:0]
}

func (x *signedIndexer) IndexPage(numValues, numNulls int64, lo, hi parquet.Value) {
	null := numValues == numNulls || lo.IsNull() || hi.IsNull()
	x.nullPages = append(x.nullPages, null)
	x.nullCounts = append(x.nullCounts, numNulls)
	if null {
		x.min, x.max = append(x.min, []byte{}), append(x.max, []byte{})
		return
	}
	x.min, x.max = append(x.min, bytes.Clone(lo.ByteArray())), append(x.max, bytes.Clone(hi.ByteArray()))
}

func (x *signedIndexer) ColumnIndex() format.ColumnIndex {
	return format.ColumnIndex{
		NullPages:     slices.Clone(x.nullPages),
		NullCounts:    slices.Clone(x.nullCounts),
		MinValues:     slices.Clone(x.min),
		MaxValues:     slices.Clone(x.max),
		BoundaryOrder: format.Unordered, // a valid hint that promises nothing
	}
}
