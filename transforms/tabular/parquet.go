package tabular

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/snappy"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// Limits on what a page header may claim. parquet-go allocates what headers
// say before it reads, so a damaged or hostile file could otherwise make it
// allocate gigabytes. Real exports write pages of about 1 MB and 20k values.
const (
	maxPageBytes  = 128 << 20
	maxPageValues = 16 << 20
	// A footer struct costs parquet-go a few hundred bytes once decoded; a
	// file with 1,000 row groups of 300 columns has about 1.5 million.
	maxFooterStructs = 4 << 20
)

// NewParquetReader opens the Parquet file r of size bytes. It reads only the
// footer; Next then reads the selected columns one row group at a time, one
// read per column chunk, so memory is bounded by one row group's selected
// columns (compressed) plus one decoded page per column.
//
// Header lists the leaf columns with their paths joined by '.'. A map column
// (CUR 2.0's product, resource_tags, cost_category, discount) is one column
// under the map's own name, its value a compact JSON object with sorted keys
// ({"a":"1","b":null}); any other repeated column is a JSON array of its
// values. Fields are rendered as text:
//   - strings and other byte arrays as they are; integers in decimal;
//     booleans "true" or "false";
//   - DECIMAL exactly, in plain notation with scale fractional digits;
//   - DOUBLE and FLOAT as the shortest decimal that reads back as the same
//     binary value, in strconv's 'g' form ("0.5", "1.81e-08"; see
//     formatFloat);
//   - TIMESTAMP (millis, micros, nanos) and INT96 as RFC 3339 in UTC, with
//     fractional seconds only when non-zero (a timestamp not adjusted to
//     UTC is taken as UTC); DATE as YYYY-MM-DD;
//   - null as "".
//
// A file that is not Parquet or is damaged yields a *RowError wrapping
// ErrCorrupt; a failing r yields a *RowError wrapping r's error. Columns
// compressed with LZ4 are refused (see cursor.load).
func NewParquetReader(r io.ReaderAt, size int64, object string) (rd Reader, err error) {
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
	p := &parquetReader{object: object, file: f, src: src, group: -1}
	for _, c := range f.Root().Columns() {
		p.walk(c, 0)
	}
	for i := range p.cols {
		p.header = append(p.header, p.cols[i].name)
	}
	if err := p.Select(p.header); err != nil {
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

type shape uint8

const (
	scalar shape = iota
	list         // a repeated leaf: JSON array
	dict         // a map: JSON object from a key and a value leaf
)

// column is one header entry and the leaves that make it.
type column struct {
	name   string
	shape  shape
	leaves []*parquet.Column // one, or key and value for a map
	repDef int               // definition level at which an element exists
	defMap int               // for a map: level at which the map is not null
}

// walk appends the header entries under c; repDef is the definition level of
// the innermost repeated node above c.
func (p *parquetReader) walk(c *parquet.Column, repDef int) {
	if c.Repeated() {
		repDef = c.MaxDefinitionLevel()
	}
	name := strings.Join(c.Path(), ".")
	if c.Leaf() {
		col := column{name: name, leaves: []*parquet.Column{c}, repDef: repDef}
		if c.MaxRepetitionLevel() > 0 {
			col.shape = list
		}
		p.cols = append(p.cols, col)
		return
	}
	if lt := c.Type().LogicalType(); lt != nil && isMap(lt.Value) && !c.Repeated() {
		if kv := c.Columns(); len(kv) == 1 && kv[0].Repeated() && len(kv[0].Columns()) == 2 {
			k, v := kv[0].Columns()[0], kv[0].Columns()[1]
			if k.Leaf() && v.Leaf() && c.MaxRepetitionLevel() == 0 {
				p.cols = append(p.cols, column{name: name, shape: dict,
					leaves: []*parquet.Column{k, v}, repDef: kv[0].MaxDefinitionLevel(),
					defMap: c.MaxDefinitionLevel()})
				return
			}
		}
	}
	for _, child := range c.Columns() {
		p.walk(child, repDef)
	}
}

func isMap(v format.LogicalTypeValue) bool {
	_, ok := v.(*format.MapType)
	return ok
}

type parquetReader struct {
	object  string
	file    *parquet.File
	src     *readerAt
	cols    []column
	header  []string
	sel     []*column   // per selected name; nil when absent
	cursors [][]*cursor // per selected name, per leaf
	out     []string
	cells   [2][]cell
	pairs   [][2]cell
	buf     []byte
	group   int   // current row group
	left    int64 // rows left in it
	pos     int64
	err     error // sticky
}

func (p *parquetReader) Header() []string { return p.header }

func (p *parquetReader) Pos() int64 { return p.pos }

func (p *parquetReader) Select(names []string) error {
	if p.pos > 0 || p.group >= 0 {
		return fmt.Errorf("tabular: %s: Select after Next", p.object)
	}
	p.sel, p.cursors = p.sel[:0], p.cursors[:0]
	for _, name := range names {
		i := slices.Index(p.header, name)
		if i < 0 {
			p.sel, p.cursors = append(p.sel, nil), append(p.cursors, nil)
			continue
		}
		col := &p.cols[i]
		cs := make([]*cursor, len(col.leaves))
		for j, leaf := range col.leaves {
			cs[j] = newCursor(leaf)
		}
		p.sel, p.cursors = append(p.sel, col), append(p.cursors, cs)
	}
	p.out = make([]string, len(names))
	return nil
}

func (p *parquetReader) Next() (fields []string, err error) {
	if p.err != nil {
		return nil, p.err
	}
	defer func() {
		if r := recover(); r != nil { // parquet-go panics on some bad pages
			err = fmt.Errorf("parquet: %v", r)
		}
		if err != nil && err != io.EOF {
			switch {
			case p.src.err != nil:
				err = p.src.err
			case !errors.Is(err, errUnsupported):
				err = fmt.Errorf("%w: %w", ErrCorrupt, err)
			}
			p.err = &RowError{Object: p.object, Pos: p.pos + 1, Err: err}
			err = p.err
		}
	}()
	for p.left == 0 {
		if err := p.nextGroup(); err != nil {
			return nil, err
		}
	}
	for i, col := range p.sel {
		p.out[i] = ""
		if col == nil {
			continue
		}
		if p.out[i], err = p.field(col, p.cursors[i]); err != nil {
			return nil, err
		}
	}
	p.left--
	p.pos++
	return p.out, nil
}

// nextGroup opens the selected column chunks of the next row group.
func (p *parquetReader) nextGroup() error {
	groups := p.file.RowGroups()
	if p.group+1 >= len(groups) {
		p.group = len(groups)
		return io.EOF
	}
	p.group++
	g := groups[p.group]
	p.left = g.NumRows()
	if p.left < 0 {
		return fmt.Errorf("row group %d has %d rows", p.group, p.left)
	}
	chunks, meta := g.ColumnChunks(), p.file.Metadata().RowGroups[p.group].Columns
	for _, cs := range p.cursors {
		for _, c := range cs {
			c.close()
			i := c.leaf.Index()
			if i >= len(chunks) || i >= len(meta) {
				return fmt.Errorf("row group %d lacks column %d", p.group, i)
			}
			if err := c.load(p.src, chunks[i], &meta[i].MetaData); err != nil {
				return err
			}
		}
	}
	return nil
}

// field renders one selected column of the current row.
func (p *parquetReader) field(col *column, cs []*cursor) (string, error) {
	var err error
	for j, c := range cs {
		if p.cells[j], err = c.row(p.cells[j][:0]); err != nil {
			return "", err
		}
	}
	cells := p.cells[0]
	switch {
	case col.shape == scalar:
		return cells[0].s, nil
	case cells[0].def < col.repDef: // no element: a null or empty list or map
		if col.shape == dict && cells[0].def >= col.defMap {
			return "{}", nil
		}
		return "", nil
	case col.shape == list:
		b := append(p.buf[:0], '[')
		for i, v := range cells {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, v)
		}
		p.buf = append(b, ']')
		return string(p.buf), nil
	}
	vals := p.cells[1]
	if len(vals) != len(cells) {
		return "", fmt.Errorf("map %s has %d keys and %d values", col.name, len(cells), len(vals))
	}
	p.pairs = p.pairs[:0]
	for i := range cells {
		p.pairs = append(p.pairs, [2]cell{cells[i], vals[i]})
	}
	slices.SortStableFunc(p.pairs, func(a, b [2]cell) int { return strings.Compare(a[0].s, b[0].s) })
	b := append(p.buf[:0], '{')
	for i, kv := range p.pairs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendJSON(b, kv[0]), ':')
		b = appendJSON(b, kv[1])
	}
	p.buf = append(b, '}')
	return string(p.buf), nil
}

func (p *parquetReader) Close() error {
	for _, cs := range p.cursors {
		for _, c := range cs {
			c.close()
		}
	}
	p.err = errors.New("tabular: reader closed")
	return nil
}

// cell is one rendered value of a leaf column.
type cell struct {
	s    string
	null bool
	def  int // definition level
}

// appendJSON appends v as a JSON string, or null. Invalid UTF-8 becomes
// U+FFFD, as encoding/json does.
func appendJSON(b []byte, v cell) []byte {
	if v.null {
		return append(b, "null"...)
	}
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(v.s); {
		c := v.s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, n := utf8.DecodeRuneInString(v.s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, "\\ufffd"...)
			} else {
				b = append(b, v.s[i:i+n]...)
			}
			i += n
			continue
		}
		i++
	}
	return append(b, '"')
}

// cursor walks the pages of one leaf column chunk.
type cursor struct {
	leaf   *parquet.Column
	format func(b []byte, v parquet.Value) []byte
	data   []byte // the column chunk, reused from row group to row group
	pages  parquet.Pages
	page   parquet.Page
	values parquet.ValueReader
	buf    []parquet.Value
	i, n   int
	text   []byte
}

func newCursor(leaf *parquet.Column) *cursor {
	return &cursor{leaf: leaf, format: formatter(leaf.Type()), buf: make([]parquet.Value, 256)}
}

// row appends the values of the current row: one for a non-repeated column,
// all values up to the next row start (repetition level 0) otherwise.
func (c *cursor) row(cells []cell) ([]cell, error) {
	for len(cells) == 0 || c.leaf.MaxRepetitionLevel() > 0 {
		if c.i == c.n {
			err := c.fill()
			if err == io.EOF && len(cells) > 0 {
				break // the chunk's last row
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // fewer values than rows
			}
			if err != nil {
				return cells, fmt.Errorf("column %s: %w", strings.Join(c.leaf.Path(), "."), err)
			}
			continue
		}
		v := c.buf[c.i]
		if len(cells) > 0 && v.RepetitionLevel() == 0 {
			break
		}
		c.i++
		x := cell{null: v.IsNull(), def: v.DefinitionLevel()}
		if !x.null {
			c.text = c.format(c.text[:0], v)
			x.s = string(c.text)
		}
		cells = append(cells, x)
	}
	return cells, nil
}

// fill reads the next values, moving to the next page when one is used up.
// Values may point into the page, so it is released only once all its
// values have been rendered.
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
			parquet.Release(c.page)
			c.page, c.values = nil, nil
		}
		if c.pages == nil {
			return io.EOF
		}
		page, err := c.pages.ReadPage()
		if err != nil {
			return err
		}
		c.page, c.values = page, page.Values()
	}
}

// load reads a column chunk in one read (one request to an object store)
// and checks its page headers before parquet-go trusts them.
func (c *cursor) load(src io.ReaderAt, chunk parquet.ColumnChunk, m *format.ColumnMetaData) error {
	fc, ok := chunk.(*parquet.FileColumnChunk)
	if !ok {
		return fmt.Errorf("unexpected column chunk type %T", chunk)
	}
	if m.Codec == format.Lz4Raw || m.Codec == format.Lz4 {
		// parquet-go v0.32 decodes LZ4_RAW pages that compress less than
		// 3:1 into a buffer it then drops, yielding empty or stale values.
		return fmt.Errorf("column %s: %w: %s", strings.Join(c.leaf.Path(), "."), errUnsupported, m.Codec)
	}
	start, n := chunkRange(m)
	c.data = slices.Grow(c.data[:0], int(n))[:n]
	if _, err := readFull(src, c.data, start); err != nil {
		return err
	}
	if err := checkPages(c.data, m.Codec); err != nil {
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

// checkPages checks that every page header in a column chunk is well formed
// and claims no more than the chunk holds and the limits allow; for snappy,
// it also checks the decompressed length the stream declares.
func checkPages(b []byte, codec format.CompressionCodec) error {
	for off := 0; off < len(b); {
		s := thriftScan{b: b[off:]}
		var h format.PageHeader
		err := s.structure(0)
		if err == nil {
			err = thrift.Unmarshal(new(thrift.CompactProtocol), b[off:len(b)-len(s.b)], &h)
		}
		if err != nil {
			return fmt.Errorf("page header at chunk byte %d: %w", off, err)
		}
		values := max(h.DataPageHeader.V.NumValues, h.DictionaryPageHeader.V.NumValues, h.DataPageHeaderV2.V.NumValues)
		body, size := s.b, int(h.CompressedPageSize)
		if size < 0 || size > len(body) || h.UncompressedPageSize < 0 || h.UncompressedPageSize > maxPageBytes ||
			values < 0 || values > maxPageValues {
			return fmt.Errorf("page at chunk byte %d claims %d bytes (%d unpacked), %d values",
				off, size, h.UncompressedPageSize, values)
		}
		body = body[:size]
		if v2 := h.DataPageHeaderV2; v2.Valid {
			levels := int64(v2.V.RepetitionLevelsByteLength) + int64(v2.V.DefinitionLevelsByteLength)
			if levels < 0 || levels > int64(size) {
				return fmt.Errorf("page at chunk byte %d claims %d bytes of levels", off, levels)
			}
			body = body[levels:]
			if v2.V.IsCompressed.Valid && !v2.V.IsCompressed.V {
				body = nil
			}
		}
		if n, err := snappy.DecodedLen(body); codec == format.Snappy && len(body) > 0 && (err != nil || n > maxPageBytes) {
			return fmt.Errorf("page at chunk byte %d: bad snappy length %d (%v)", off, n, err)
		}
		off = len(b) - len(s.b) + size
	}
	return nil
}

var (
	errThrift      = errors.New("malformed thrift")
	errUnsupported = errors.New("unsupported compression")
)

// thriftScan walks thrift compact-protocol data without decoding it and
// fails when a length or count exceeds the bytes left.
type thriftScan struct {
	b       []byte
	structs int // structs seen: each costs parquet-go a few hundred bytes
}

func (s *thriftScan) skip(n uint64) error {
	if n > uint64(len(s.b)) {
		return errThrift
	}
	s.b = s.b[n:]
	return nil
}

func (s *thriftScan) varint() (uint64, error) {
	v, n := binary.Uvarint(s.b)
	if n <= 0 {
		return 0, errThrift
	}
	s.b = s.b[n:]
	return v, nil
}

func (s *thriftScan) structure(depth int) error {
	if s.structs++; depth > 32 || s.structs > maxFooterStructs {
		return errThrift
	}
	for {
		if len(s.b) == 0 {
			return errThrift
		}
		h := s.b[0]
		s.b = s.b[1:]
		if h == 0 { // stop
			return nil
		}
		if h>>4 == 0 { // the field id follows as a varint
			if _, err := s.varint(); err != nil {
				return err
			}
		}
		if err := s.value(h&15, depth); err != nil {
			return err
		}
	}
}

// value skips one value of compact type t (Parquet's thrift has no maps).
func (s *thriftScan) value(t byte, depth int) error {
	switch t {
	case 1, 2: // a boolean field: the value is the type
		return nil
	case 3:
		return s.skip(1)
	case 4, 5, 6:
		_, err := s.varint()
		return err
	case 7:
		return s.skip(8)
	case 8:
		n, err := s.varint()
		if err != nil {
			return err
		}
		return s.skip(n)
	case 9, 10: // list, set
		if len(s.b) == 0 {
			return errThrift
		}
		h := s.b[0]
		s.b = s.b[1:]
		n := uint64(h >> 4)
		if n == 15 {
			var err error
			if n, err = s.varint(); err != nil {
				return err
			}
		}
		if n > uint64(len(s.b)) { // every element takes at least a byte
			return errThrift
		}
		for range n {
			var err error
			if t := h & 15; t == 1 || t == 2 {
				err = s.skip(1)
			} else {
				err = s.value(t, depth+1)
			}
			if err != nil {
				return err
			}
		}
		return nil
	case 12:
		return s.structure(depth + 1)
	}
	return errThrift
}

func (c *cursor) close() {
	if c.page != nil {
		parquet.Release(c.page)
	}
	if c.pages != nil {
		c.pages.Close()
	}
	c.pages, c.page, c.values, c.i, c.n = nil, nil, nil, 0, 0
}

// formatter returns the renderer of a leaf column's values.
func formatter(t parquet.Type) func([]byte, parquet.Value) []byte {
	var logical format.LogicalTypeValue
	if lt := t.LogicalType(); lt != nil {
		logical = lt.Value
	}
	switch lt := logical.(type) {
	case *format.DecimalType:
		return func(b []byte, v parquet.Value) []byte { return appendDecimal(b, v, int(lt.Scale)) }
	case *format.DateType:
		return func(b []byte, v parquet.Value) []byte {
			return time.Unix(int64(v.Int32())*86400, 0).UTC().AppendFormat(b, time.DateOnly)
		}
	case *format.TimestampType:
		perSec := int64(1000)
		switch lt.Unit.Value.(type) {
		case *format.MicroSeconds:
			perSec = 1e6
		case *format.NanoSeconds:
			perSec = 1e9
		}
		return func(b []byte, v parquet.Value) []byte {
			x := v.Int64()
			sec, frac := x/perSec, x%perSec
			if frac < 0 {
				sec, frac = sec-1, frac+perSec
			}
			return appendTime(b, time.Unix(sec, frac*(1e9/perSec)))
		}
	case *format.IntType:
		if !lt.IsSigned {
			return func(b []byte, v parquet.Value) []byte {
				if t.Kind() == parquet.Int32 {
					return strconv.AppendUint(b, uint64(uint32(v.Int32())), 10)
				}
				return strconv.AppendUint(b, v.Uint64(), 10)
			}
		}
	}
	switch t.Kind() {
	case parquet.Boolean:
		return func(b []byte, v parquet.Value) []byte { return strconv.AppendBool(b, v.Boolean()) }
	case parquet.Int32:
		return func(b []byte, v parquet.Value) []byte { return strconv.AppendInt(b, int64(v.Int32()), 10) }
	case parquet.Int64:
		return func(b []byte, v parquet.Value) []byte { return strconv.AppendInt(b, v.Int64(), 10) }
	case parquet.Int96:
		return func(b []byte, v parquet.Value) []byte {
			// Impala's layout: nanoseconds of the day, then the Julian day.
			x := v.Int96()
			nanos := int64(uint64(x[1])<<32 | uint64(x[0]))
			day := int64(int32(x[2])) - 2440588 // Julian day of 1970-01-01
			return appendTime(b, time.Unix(day*86400, 0).Add(time.Duration(nanos)))
		}
	case parquet.Float:
		return func(b []byte, v parquet.Value) []byte { return formatFloat(b, float64(v.Float()), 32) }
	case parquet.Double:
		return func(b []byte, v parquet.Value) []byte { return formatFloat(b, v.Double(), 64) }
	}
	return func(b []byte, v parquet.Value) []byte { return append(b, v.ByteArray()...) }
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
func formatFloat(b []byte, f float64, bitSize int) []byte {
	return strconv.AppendFloat(b, f, 'g', -1, bitSize)
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
