package element

import (
	"fmt"
	"io"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/graph/coder"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/rowcoder"
)

// decimalType is encoded by decimalProvider wherever it appears in an
// element, so that sums cross shuffles exactly and element types stay
// plain structs.
var decimalType = reflect.TypeOf(decimal.Decimal{})

func init() {
	beam.RegisterSchemaProvider(decimalType, decimalProvider{})
	// The element types that cross stages travel as opaque row bytes
	// (see rowcoder): the runner moves them, only Go workers read them.
	rowcoder.Register(encodeReport, decodeReport)
	rowcoder.Register(encodeFileTask, decodeFileTask)
	rowcoder.Register(encodeFileGroup, decodeFileGroup)
	rowcoder.Register(encodeFileStatus, decodeFileStatus)
	// Cells have an encoding of their own (cellscoder.go).
	register.Function1x2(encodeCells)
	register.Function1x2(decodeCells)
	beam.RegisterCoder(reflect.TypeOf(Cells{}), encodeCells, decodeCells)
	rowcoder.Register(encodeVerdict, decodeVerdict)
	rowcoder.Register(encodeShardKey, decodeShardKey)
	// Shards carry a report's every cell: the Cells encoding too.
	register.Function1x2(encodeShard)
	register.Function1x2(decodeShard)
	beam.RegisterCoder(reflect.TypeOf(Shard{}), encodeShard, decodeShard)
}

var reportCodec rowcoder.Codec[Report]

func encodeReport(v Report) ([]byte, error) { return reportCodec.Encode(v) }
func decodeReport(b []byte) (Report, error) { return reportCodec.Decode(b) }

var fileTaskCodec rowcoder.Codec[FileTask]

func encodeFileTask(v FileTask) ([]byte, error) { return fileTaskCodec.Encode(v) }
func decodeFileTask(b []byte) (FileTask, error) { return fileTaskCodec.Decode(b) }

var fileGroupCodec rowcoder.Codec[FileGroup]

func encodeFileGroup(v FileGroup) ([]byte, error) { return fileGroupCodec.Encode(v) }
func decodeFileGroup(b []byte) (FileGroup, error) { return fileGroupCodec.Decode(b) }

var fileStatusCodec rowcoder.Codec[FileStatus]

func encodeFileStatus(v FileStatus) ([]byte, error) { return fileStatusCodec.Encode(v) }
func decodeFileStatus(b []byte) (FileStatus, error) { return fileStatusCodec.Decode(b) }

var verdictCodec rowcoder.Codec[Verdict]

func encodeVerdict(v Verdict) ([]byte, error) { return verdictCodec.Encode(v) }
func decodeVerdict(b []byte) (Verdict, error) { return verdictCodec.Decode(b) }

var shardKeyCodec rowcoder.Codec[ShardKey]

func encodeShardKey(v ShardKey) ([]byte, error) { return shardKeyCodec.Encode(v) }
func decodeShardKey(b []byte) (ShardKey, error) { return shardKeyCodec.Decode(b) }

// decimalProvider maps decimal.Decimal to a schema row of one bytes field
// holding its exact binary form.
type decimalProvider struct{}

func (decimalProvider) FromLogicalType(rt reflect.Type) (reflect.Type, error) {
	if rt != decimalType {
		return nil, fmt.Errorf("decimalProvider: unsupported type %v", rt)
	}
	return reflect.TypeOf(struct{ B []byte }{}), nil
}

func (decimalProvider) BuildEncoder(rt reflect.Type) (func(any, io.Writer) error, error) {
	if rt != decimalType {
		return nil, fmt.Errorf("decimalProvider: unsupported type %v", rt)
	}
	// The encoder is shared by every bundle a worker runs at once, so it
	// keeps no buffer of its own between calls.
	return func(v any, w io.Writer) error {
		var d decimal.Decimal
		switch x := v.(type) {
		case decimal.Decimal:
			d = x
		case *decimal.Decimal:
			d = *x
		default:
			return fmt.Errorf("decimalProvider: cannot encode %T", v)
		}
		var scratch [48]byte
		buf, err := d.AppendBinary(scratch[:0])
		if err != nil {
			return err
		}
		if err := coder.WriteSimpleRowHeader(1, w); err != nil {
			return err
		}
		return coder.EncodeBytes(buf, w)
	}, nil
}

func (decimalProvider) BuildDecoder(rt reflect.Type) (func(io.Reader) (any, error), error) {
	if rt != decimalType {
		return nil, fmt.Errorf("decimalProvider: unsupported type %v", rt)
	}
	return func(r io.Reader) (any, error) {
		if err := coder.ReadSimpleRowHeader(1, r); err != nil {
			return nil, err
		}
		b, err := coder.DecodeBytes(r)
		if err != nil {
			return nil, err
		}
		var d decimal.Decimal
		if err := d.UnmarshalBinary(b); err != nil {
			return nil, err
		}
		return d, nil
	}, nil
}
