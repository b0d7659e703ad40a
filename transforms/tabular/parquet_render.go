package tabular

import (
	"encoding/hex"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// render says how a leaf column's values are rendered, for the kinds that
// cursor.flatValue renders from a page's data without going through
// parquet.Value.
type render uint8

const (
	renderOther     render = iota // by formatter only
	renderBytes                   // byte arrays as they are
	renderDouble                  // formatFloat, 64 bits
	renderInt64                   // signed decimal
	renderTimestamp               // appendTimestamp, with units per second
)

// classify returns how values of t, a type formatter accepts, render, and
// for a timestamp its units per second. It agrees with formatter, which it
// shortcuts; a type it has no case for renders by formatter.
func classify(t parquet.Type) (render, int64) {
	var logical format.LogicalTypeValue
	if lt := t.LogicalType(); lt != nil {
		logical = lt.Value
	}
	switch lt := logical.(type) {
	case nil, *format.StringType, *format.EnumType, *format.JsonType:
	case *format.TimestampType:
		if t.Kind() == parquet.Int64 {
			return renderTimestamp, unitsPerSecond(lt)
		}
		return renderOther, 0
	case *format.IntType:
		if !lt.IsSigned {
			return renderOther, 0
		}
	default:
		return renderOther, 0
	}
	switch t.Kind() {
	case parquet.ByteArray:
		return renderBytes, 0
	case parquet.Double:
		return renderDouble, 0
	case parquet.Int64:
		return renderInt64, 0
	}
	return renderOther, 0
}

func unitsPerSecond(t *format.TimestampType) int64 {
	switch t.Unit.Value.(type) {
	case *format.MicroSeconds:
		return 1e6
	case *format.NanoSeconds:
		return 1e9
	}
	return 1000
}

// formatter returns the renderer of values of type t, and whether curpipe
// reads t at all. Every type it reads is a case here, so that any other
// (an INTERVAL, a TIME, BSON, an annotation newer than this code) is
// refused, not rendered as the bytes or the count that store it.
func formatter(t parquet.Type) (func([]byte, parquet.Value) []byte, bool) {
	var logical format.LogicalTypeValue
	if lt := t.LogicalType(); lt != nil {
		logical = lt.Value
	}
	switch logical.(type) {
	case *format.ListType, *format.MapType, *format.VariantType:
		return nil, false // a group's annotation on a leaf: t has no Kind
	}
	kind := t.Kind()
	switch lt := logical.(type) {
	case nil: // no annotation: by the physical type
		switch kind {
		case parquet.Boolean:
			return func(b []byte, v parquet.Value) []byte { return strconv.AppendBool(b, v.Boolean()) }, true
		case parquet.Int32:
			return func(b []byte, v parquet.Value) []byte { return strconv.AppendInt(b, int64(v.Int32()), 10) }, true
		case parquet.Int64:
			return func(b []byte, v parquet.Value) []byte { return strconv.AppendInt(b, v.Int64(), 10) }, true
		case parquet.Int96:
			return appendInt96, true
		case parquet.Float:
			return func(b []byte, v parquet.Value) []byte { return formatFloat(b, float64(v.Float()), 32) }, true
		case parquet.Double:
			return func(b []byte, v parquet.Value) []byte { return formatFloat(b, v.Double(), 64) }, true
		case parquet.ByteArray: // text, as legacy writers leave it
			return appendBytes, true
		}
		// A bare FIXED_LEN_BYTE_ARRAY holds binary: an INTERVAL's three
		// counts, a FLOAT16, a hash.
	case *format.StringType, *format.EnumType, *format.JsonType:
		if kind == parquet.ByteArray {
			return appendBytes, true
		}
	case *format.DecimalType:
		switch kind {
		case parquet.Int32, parquet.Int64, parquet.ByteArray, parquet.FixedLenByteArray:
			return func(b []byte, v parquet.Value) []byte { return appendDecimal(b, v, int(lt.Scale)) }, true
		}
	case *format.DateType:
		if kind == parquet.Int32 {
			return func(b []byte, v parquet.Value) []byte {
				return time.Unix(int64(v.Int32())*86400, 0).UTC().AppendFormat(b, time.DateOnly)
			}, true
		}
	case *format.TimestampType:
		if kind == parquet.Int64 {
			perSec := unitsPerSecond(lt)
			return func(b []byte, v parquet.Value) []byte { return appendTimestamp(b, v.Int64(), perSec) }, true
		}
	case *format.IntType:
		switch {
		case kind == parquet.Int32 && lt.IsSigned:
			return func(b []byte, v parquet.Value) []byte { return strconv.AppendInt(b, int64(v.Int32()), 10) }, true
		case kind == parquet.Int64 && lt.IsSigned:
			return func(b []byte, v parquet.Value) []byte { return strconv.AppendInt(b, v.Int64(), 10) }, true
		case kind == parquet.Int32:
			return func(b []byte, v parquet.Value) []byte { return strconv.AppendUint(b, uint64(uint32(v.Int32())), 10) }, true
		case kind == parquet.Int64:
			return func(b []byte, v parquet.Value) []byte { return strconv.AppendUint(b, v.Uint64(), 10) }, true
		}
	case *format.UUIDType:
		if kind == parquet.FixedLenByteArray && t.Length() == 16 {
			return func(b []byte, v parquet.Value) []byte { return appendUUID(b, v.ByteArray()) }, true
		}
	case *format.NullType: // every value is null
		return func(b []byte, _ parquet.Value) []byte { return b }, true
	}
	return nil, false
}

func appendBytes(b []byte, v parquet.Value) []byte { return append(b, v.ByteArray()...) }

// appendInt96 renders an INT96 as the timestamp it is in Impala's layout:
// nanoseconds of the day, then the Julian day.
func appendInt96(b []byte, v parquet.Value) []byte {
	x := v.Int96()
	nanos := int64(uint64(x[1])<<32 | uint64(x[0]))
	day := int64(int32(x[2])) - 2440588 // Julian day of 1970-01-01
	return appendTime(b, time.Unix(day*86400, 0).Add(time.Duration(nanos)))
}

// appendUUID appends the 16 bytes of a UUID as 8-4-4-4-12 hex digits.
func appendUUID(b, u []byte) []byte {
	if len(u) != 16 { // not for a FIXED_LEN_BYTE_ARRAY(16)
		return hex.AppendEncode(b, u)
	}
	b = hex.AppendEncode(b, u[:4])
	for _, part := range [][]byte{u[4:6], u[6:8], u[8:10], u[10:]} {
		b = hex.AppendEncode(append(b, '-'), part)
	}
	return b
}

// formatFloat is the one place where a binary float meets money: CUR 1.0
// Parquet (the Athena integration) stores costs as DOUBLE, the double
// nearest to the decimal the producer had. The shortest decimal that reads
// back as the same double ('g', -1) is that decimal whenever it had at most
// 15 significant digits (two such decimals never share a double); longer
// ones were rounded by the producer already. Downstream parses the text as
// an exact decimal, so no float arithmetic touches the amount. FLOAT uses
// bitSize 32 for the same reason: widening first would print the float32's
// binary expansion ("0.10000000149011612" for 0.1).
//
// Whole numbers below a million (usage amounts of 1 and costs of 0 are
// common) take a shortcut to the same text: strconv's 'g' switches to an
// exponent only from 1e+06, and the shortest digits of a whole number are
// its own. Negative zero ("-0") takes the long way.
func formatFloat(b []byte, f float64, bitSize int) []byte {
	if n := int64(f); float64(n) == f && -1e6 < n && n < 1e6 && (n != 0 || !math.Signbit(f)) {
		return strconv.AppendInt(b, n, 10)
	}
	return strconv.AppendFloat(b, f, 'g', -1, bitSize)
}

// appendTimestamp appends x, a count of 1/perSec seconds since the epoch.
func appendTimestamp(b []byte, x, perSec int64) []byte {
	sec, frac := x/perSec, x%perSec
	if frac < 0 {
		sec, frac = sec-1, frac+perSec
	}
	return appendTime(b, time.Unix(sec, frac*(1e9/perSec)))
}

func appendTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, time.RFC3339Nano)
}

// appendDecimal renders the unscaled integer of a DECIMAL value (INT32,
// INT64, or big-endian two's complement bytes) with scale fractional digits.
func appendDecimal(b []byte, v parquet.Value, scale int) []byte {
	var digits []byte
	switch v.Kind() {
	case parquet.Int32:
		digits = strconv.AppendInt(nil, int64(v.Int32()), 10)
	case parquet.Int64:
		digits = strconv.AppendInt(nil, v.Int64(), 10)
	default:
		raw := v.ByteArray()
		var n big.Int
		n.SetBytes(raw)
		if len(raw) > 0 && raw[0]&0x80 != 0 {
			n.Sub(&n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(raw))))
		}
		digits = n.Append(nil, 10)
	}
	if digits[0] == '-' {
		b, digits = append(b, '-'), digits[1:]
	}
	switch {
	case scale <= 0: // not allowed by the spec; still exact
		b = append(b, digits...)
		if string(digits) != "0" {
			b = append(b, strings.Repeat("0", -scale)...)
		}
		return b
	case len(digits) > scale:
		b = append(b, digits[:len(digits)-scale]...)
		b = append(b, '.')
		return append(b, digits[len(digits)-scale:]...)
	}
	b = append(b, "0."...)
	b = append(b, strings.Repeat("0", scale-len(digits))...)
	return append(b, digits...)
}
