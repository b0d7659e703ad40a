package tabular

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// maxFooterStructs bounds the thrift structs of a footer, which parquet-go
// decodes whole: one costs it a few hundred bytes, and a file with 1,000
// row groups of 300 columns has about 1.5 million. (What a page header may
// claim is bounded by Limits.ParquetPageBytes.)
const maxFooterStructs = 4 << 20

// NewParquetReader opens the Parquet file r of size bytes. It reads only the
// footer; Next then reads the selected columns one row group at a time, one
// read per column chunk, so memory is bounded by one row group's selected
// columns (compressed) plus one decoded page per column.
//
// Header lists the leaf columns with their paths joined by '.'. A map column
// (CUR 2.0's product, resource_tags, cost_category, discount) is one column
// under the map's own name, its value a compact JSON object with sorted keys
// ({"a":"1","b":null}); any other repeated column is a JSON array of its
// values. Select also takes "<map>.<key>" for a map column (the dot
// operator AWS documents for CUR 2.0's maps): the value of that key as
// text, "" when the row's map lacks it or it is null. Reading one key
// renders no object, though the map's keys and values are still decoded.
// Fields are rendered as text:
//   - strings and other byte arrays as they are; integers in decimal;
//     booleans "true" or "false";
//   - DECIMAL exactly, in plain notation with scale fractional digits;
//   - DOUBLE and FLOAT as the shortest decimal that reads back as the same
//     binary value, in strconv's 'g' form ("0.5", "1.81e-08"; see
//     formatFloat);
//   - TIMESTAMP (millis, micros, nanos) and INT96 as RFC 3339 in UTC, with
//     fractional seconds only when non-zero (a timestamp not adjusted to
//     UTC is taken as UTC); DATE as YYYY-MM-DD;
//   - UUID in its canonical form (8-4-4-4-12 lowercase hex digits);
//   - null as "".
//
// Select fails with a *RowError wrapping ErrColumnType for a column of any
// other type: INTERVAL, TIME, BSON, FLOAT16, the geospatial types, a
// FIXED_LEN_BYTE_ARRAY that is neither DECIMAL nor UUID, a leaf within a
// VARIANT, one in a list or map within a list or map, or a group (struct,
// list or map not read as one column) selected by its own name. Until the
// caller selects, every column is selected, and such a column fails Next.
//
// A file that is not Parquet or is damaged yields a *RowError wrapping
// ErrCorrupt; a failing r yields a *RowError wrapping r's error; a file past
// a limit yields a *RowError wrapping a *LimitError. Columns compressed with
// LZ4 are refused (see cursor.load).
func NewParquetReader(r io.ReaderAt, size int64, object string) (rd Reader, err error) {
	return newParquetReader(r, size, object, DefaultLimits)
}

// newParquetReader is NewParquetReader within the given limits.
func newParquetReader(r io.ReaderAt, size int64, object string, lim Limits) (rd Reader, err error) {
	lim = lim.orDefault()
	src := &readerAt{r: r}
	fail := func(cause error) error {
		if src.err != nil {
			return &RowError{Object: object, Err: src.err}
		}
		return &RowError{Object: object, Err: fmt.Errorf("%w: %w", ErrCorrupt, cause)}
	}
	// parquet-go panics on some malformed schemas; a bad file must be an
	// error, not a crashed worker.
	defer func() {
		if p := recover(); p != nil {
			rd, err = nil, fail(fmt.Errorf("parquet: %v", p))
		}
	}()
	if err := checkFooter(src, size); err != nil {
		return nil, fail(err)
	}
	f, err := parquet.OpenFile(src, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, fail(err)
	}
	src.tail = nil // parquet-go has read the footer

	for _, g := range f.Metadata().RowGroups {
		for _, c := range g.Columns {
			if start, n := chunkRange(&c.MetaData); start < 0 || n < 0 || start > size || n > size-start {
				return nil, fail(errors.New("column chunk outside the file"))
			}
		}
	}
	p := &parquetReader{object: object, file: f, src: src, group: -1, end: len(f.RowGroups()), limits: lim}
	// parquet-go numbers the leaves in schema order.
	schema := f.Metadata().Schema
	var leaves []*format.SchemaElement // by column index
	for i := range schema {
		if schema[i].Type.Valid {
			leaves = append(leaves, &schema[i])
		}
	}
	for _, c := range f.Root().Columns() {
		p.walk(c, 0, "", leaves)
	}
	for i := range p.cols {
		p.header = append(p.header, p.cols[i].name)
	}
	// A column curpipe does not read fails Next, not the opening, since
	// the caller may select others.
	if err := p.Select(p.header); err != nil && !errors.Is(err, ErrColumnType) {
		return nil, err
	}
	return p, nil
}

// checkFooter checks the footer's length and thrift structure before
// parquet-go decodes it, since its decoder allocates what lengths claim. It
// reads the file's tail once and keeps it in src for parquet-go to reread.
func checkFooter(src *readerAt, size int64) error {
	if size < 12 {
		return fmt.Errorf("%d bytes is too short for Parquet", size)
	}
	tail := make([]byte, min(size, 64<<10))
	if _, err := readFull(src, tail, size-int64(len(tail))); err != nil {
		return err
	}
	if string(tail[len(tail)-4:]) != "PAR1" {
		return errors.New("no Parquet magic at the end of the file")
	}
	n := int64(binary.LittleEndian.Uint32(tail[len(tail)-8:]))
	if n > size-12 {
		return fmt.Errorf("footer length %d exceeds the file", n)
	}
	if n+8 > int64(len(tail)) {
		tail = make([]byte, n+8)
		if _, err := readFull(src, tail, size-n-8); err != nil {
			return err
		}
	}
	s := thriftScan{b: tail[int64(len(tail))-8-n : len(tail)-8]}
	if err := s.structure(0); err != nil || len(s.b) != 0 {
		return errors.New("damaged footer")
	}
	src.tail, src.tailAt = tail, size-int64(len(tail))
	return nil
}

// readFull is ReadAt, allowing io.EOF with a full read, as io.ReaderAt does.
func readFull(r io.ReaderAt, b []byte, off int64) (int, error) {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		err = nil
	}
	return n, err
}

// chunkRange returns where a column chunk's pages are, as parquet-go finds
// them: from the dictionary page when there is one.
func chunkRange(m *format.ColumnMetaData) (start, n int64) {
	start = m.DataPageOffset
	if m.DictionaryPageOffset != 0 {
		start = m.DictionaryPageOffset
	}
	return start, m.TotalCompressedSize
}

// readerAt remembers the first real failure of the source, so that a network
// error is reported as itself and not as a corrupt file, and serves reads of
// the file's tail from memory.
type readerAt struct {
	r      io.ReaderAt
	err    error
	tail   []byte
	tailAt int64
}

func (s *readerAt) ReadAt(b []byte, off int64) (int, error) {
	if off >= s.tailAt && s.tail != nil && off-s.tailAt+int64(len(b)) <= int64(len(s.tail)) {
		return copy(b, s.tail[off-s.tailAt:]), nil
	}
	n, err := s.r.ReadAt(b, off)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF && s.err == nil {
		s.err = err
	}
	return n, err
}
