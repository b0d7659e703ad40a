package billing

import (
	"fmt"
	"io"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/graph/coder"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// decimalType is encoded by decimalProvider wherever it appears in an
// element, so that sums cross shuffles exactly and element types stay
// plain structs.
var decimalType = reflect.TypeOf(decimal.Decimal{})

func init() {
	beam.RegisterSchemaProvider(decimalType, decimalProvider{})
	for _, t := range []any{Report{}, FileTask{}, FileStatus{}, Cells{}, DayTotal{}, Verdict{}, ShardKey{}, Shard{}, Message{}} {
		beam.RegisterType(reflect.TypeOf(t))
	}
}

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
