// Package rowcoder gives curpipe's element types a Beam coder that every
// runner treats as opaque bytes.
//
// The Go SDK encodes a plain struct as a schema row, a standard coder that
// portable runners decode themselves. Flink's job server (Java) then
// decodes Go rows whose nil slices or nested rows it reads differently,
// and hangs or fails. Wrapping the same row bytes in a custom coder keeps
// the encoding the SDK defines while the runner only moves and compares
// bytes: a length prefix around what the Go workers write and read.
package rowcoder

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/graph/coder"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
)

// Codec encodes values of the struct type T as Beam schema rows.
// Its zero value is ready to use; it builds the row coder on first use,
// after every package has registered its schema providers.
type Codec[T any] struct {
	once sync.Once
	enc  func(any, io.Writer) error
	dec  func(io.Reader) (any, error)
	err  error
}

func (c *Codec[T]) build() {
	t := reflect.TypeFor[T]()
	enc, err := coder.RowEncoderForStruct(t)
	if err != nil {
		c.err = fmt.Errorf("row encoder for %v: %w", t, err)
		return
	}
	dec, err := coder.RowDecoderForStruct(t)
	if err != nil {
		c.err = fmt.Errorf("row decoder for %v: %w", t, err)
		return
	}
	c.enc, c.dec = enc, dec
}

// Encode returns v's row encoding.
func (c *Codec[T]) Encode(v T) ([]byte, error) {
	c.once.Do(c.build)
	if c.err != nil {
		return nil, c.err
	}
	var b bytes.Buffer
	if err := c.enc(v, &b); err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return b.Bytes(), nil
}

// Decode reads a value from its row encoding.
func (c *Codec[T]) Decode(b []byte) (T, error) {
	var zero T
	c.once.Do(c.build)
	if c.err != nil {
		return zero, c.err
	}
	r := bytes.NewReader(b)
	v, err := c.dec(r)
	if err != nil {
		return zero, fmt.Errorf("decode %T: %w", zero, err)
	}
	if r.Len() != 0 {
		return zero, fmt.Errorf("decode %T: %d bytes left over", zero, r.Len())
	}
	return v.(T), nil
}

// Register makes enc and dec the coder of T. They must be top-level
// functions (workers find them by name) and are registered so that no
// reflection runs per element. The row encoding has no maps, so equal
// values encode to equal bytes and T may be a grouping key.
func Register[T any](enc func(T) ([]byte, error), dec func([]byte) (T, error)) {
	t := reflect.TypeFor[T]()
	beam.RegisterType(t)
	register.Function1x2(enc)
	register.Function1x2(dec)
	coder.RegisterDeterministicCoder(t, enc, dec)
}
