package tabular

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"
)

// fill makes values available, moving to the next page when one is used
// up: a batch of generic values, or a page read in place. Values may point
// into the page, so it is released only once all its values have been
// rendered.
func (c *cursor) fill() error {
	for {
		if c.values != nil {
			n, err := c.values.ReadValues(c.buf)
			c.i, c.n = 0, n
			if n > 0 {
				return nil
			}
			if err != nil && err != io.EOF {
				return err
			}
		} else if c.at < c.rows {
			return nil
		}
		c.release()
		if c.pages == nil {
			return io.EOF
		}
		page, err := c.pages.ReadPage()
		if err != nil {
			return err
		}
		c.page = page
		if ok, err := c.inPlace(page); err != nil || ok {
			return err
		}
		c.values = page.Values()
	}
}

// inPlace prepares to read page from its decoded data, and reports whether
// it can: the column must be flat and the page dictionary-encoded or of a
// kind flatValue renders itself.
func (c *cursor) inPlace(page parquet.Page) (bool, error) {
	dict := page.Dictionary()
	if !c.flat || c.render == renderOther && dict == nil {
		return false, nil
	}
	rows := page.NumValues() // checkPages has bounded it
	if rows < 0 {
		return false, fmt.Errorf("page claims %d values", rows)
	}
	present := int(rows)
	defs := page.DefinitionLevels()
	switch {
	case c.maxDef == 0:
		defs = nil
	case len(defs) != int(rows):
		return false, fmt.Errorf("page has %d definition levels for %d values", len(defs), rows)
	default:
		present = 0
		for _, d := range defs {
			if d == c.maxDef {
				present++
			}
		}
	}
	data := page.Data()
	var n int
	switch kind := data.Kind(); {
	case dict != nil && kind == encoding.Int32:
		if err := c.dict.use(dict, c.render == renderBytes); err != nil {
			return false, err
		}
		c.idx = data.Int32()
		n = min(len(c.idx), present)
		for _, j := range c.idx[:n] {
			if j < 0 || int(j) >= c.dict.len {
				return false, fmt.Errorf("dictionary index %d out of %d entries", j, c.dict.len)
			}
		}
	case dict != nil:
		return false, nil
	case c.render == renderBytes && kind == encoding.ByteArray:
		c.bytes, c.offs = data.ByteArray()
		if err := checkOffsets(c.offs, len(c.bytes)); err != nil {
			return false, err
		}
		n = len(c.offs) - 1
	case c.render == renderDouble && kind == encoding.Double:
		c.doubles = data.Double()
		n = len(c.doubles)
	case (c.render == renderInt64 || c.render == renderTimestamp) && kind == encoding.Int64:
		c.ints = data.Int64()
		n = len(c.ints)
	default:
		return false, nil
	}
	if n < present {
		return false, fmt.Errorf("page has %d values for %d non-null rows", n, present)
	}
	c.defs, c.at, c.rows, c.next = defs, 0, int(rows), 0
	return true, nil
}

// checkOffsets checks that byte array offsets are ascending within size
// bytes, so that slicing by them cannot fail.
func checkOffsets(offs []uint32, size int) error {
	if len(offs) == 0 {
		return errors.New("byte array page without offsets")
	}
	for i := 1; i < len(offs); i++ {
		if offs[i] < offs[i-1] {
			return fmt.Errorf("byte array offsets %d then %d", offs[i-1], offs[i])
		}
	}
	if int64(offs[len(offs)-1]) > int64(size) {
		return fmt.Errorf("byte array offset %d beyond %d bytes", offs[len(offs)-1], size)
	}
	return nil
}

// release lets go of the current page.
func (c *cursor) release() {
	if c.page != nil {
		parquet.Release(c.page)
	}
	c.page, c.values, c.i, c.n = nil, nil, 0, 0
	c.defs, c.at, c.rows, c.next = nil, 0, 0, 0
	c.idx, c.bytes, c.offs, c.doubles, c.ints = nil, nil, nil, nil, nil
}

func (c *cursor) close() {
	c.release()
	if c.pages != nil {
		c.pages.Close()
	}
	c.pages = nil
	c.dict.reset()
}

// load reads a column chunk in one read (one request to an object store)
// and checks its page headers, against pageBytes among others, before
// parquet-go trusts them.
func (c *cursor) load(src io.ReaderAt, chunk parquet.ColumnChunk, m *format.ColumnMetaData, pageBytes int64) error {
	fc, ok := chunk.(*parquet.FileColumnChunk)
	if !ok {
		return fmt.Errorf("unexpected column chunk type %T", chunk)
	}
	if m.Codec == format.Lz4Raw || m.Codec == format.Lz4 {
		// parquet-go v0.32 decodes LZ4_RAW pages that compress less than
		// 3:1 into a buffer it then drops, yielding empty or stale values.
		return fmt.Errorf("column %s: %w: %s", strings.Join(c.leaf.Path(), "."), ErrCompression, m.Codec)
	}
	start, n := chunkRange(m)
	c.data = slices.Grow(c.data[:0], int(n))[:n]
	if _, err := readFull(src, c.data, start); err != nil {
		return err
	}
	if err := checkPages(c.data, m.Codec, pageBytes); err != nil {
		return fmt.Errorf("column %s: %w", strings.Join(c.leaf.Path(), "."), err)
	}
	c.pages = fc.PagesFrom(&chunkReader{start: start, b: c.data})
	return nil
}

// chunkReader serves a column chunk held in memory at its file offsets.
type chunkReader struct {
	start int64
	b     []byte
}

func (r *chunkReader) ReadAt(p []byte, off int64) (int, error) {
	off -= r.start
	if off < 0 || off > int64(len(r.b)) {
		return 0, io.ErrUnexpectedEOF
	}
	if n := copy(p, r.b[off:]); n < len(p) {
		return n, io.EOF
	}
	return len(p), nil
}
