package tabular

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// maxFooterStructs bounds the thrift structs of a footer, which parquet-go
// decodes whole: one costs it a few hundred bytes, and a file with 1,000
// row groups of 300 columns has about 1.5 million. (What a page header may
// claim is bounded by Limits.ParquetPageBytes.)
const maxFooterStructs = 4 << 20

// ErrColumnType: a column the caller selects has a Parquet type that curpipe
// does not render as text (an INTERVAL, a TIME, a list of lists, a group
// selected by its own name). The file is sound, so it is not ErrCorrupt;
// like ErrCorrupt, it fails the whole object. Select returns it, wrapped in
// a *RowError that names the object.
var ErrColumnType = errors.New("a column type curpipe does not read")

// columnTypeError is ErrColumnType for one column.
type columnTypeError struct {
	column string // the column's path, as Header names it, or a leaf's
	typ    string // its type, as Parquet names it
}

func (e *columnTypeError) Error() string {
	return fmt.Sprintf("column %s has type %s, which curpipe does not read", e.column, e.typ)
}

// Is makes every columnTypeError match ErrColumnType.
func (e *columnTypeError) Is(target error) bool { return target == ErrColumnType }

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

type shape uint8

const (
	scalar shape = iota
	list         // a repeated leaf: JSON array
	dict         // a map: JSON object from a key and a value leaf
)

// column is one header entry and the leaves that make it.
type column struct {
	name    string
	shape   shape
	leaves  []*parquet.Column                        // one, or key and value for a map
	formats []func(b []byte, v parquet.Value) []byte // per leaf
	unread  error                                    // why curpipe does not read it, if it does not
	repDef  int                                      // definition level at which an element exists
	defMap  int                                      // for a map: level at which the map is not null
}

// walk appends the header entries under c. repDef is the definition level
// of the innermost repeated node above c; within names a group above c
// whose annotation curpipe does not read ("VARIANT v"), or is "". leaves
// are the file's leaf schema elements.
func (p *parquetReader) walk(c *parquet.Column, repDef int, within string, leaves []*format.SchemaElement) {
	if c.Repeated() {
		repDef = c.MaxDefinitionLevel()
	}
	name := strings.Join(c.Path(), ".")
	if c.Leaf() {
		col := column{name: name, leaves: []*parquet.Column{c}, repDef: repDef}
		if c.MaxRepetitionLevel() > 0 {
			col.shape = list
		}
		p.cols = append(p.cols, col.withFormats(within, leaves))
		return
	}
	lt := c.Type().LogicalType()
	if lt != nil && isMap(lt.Value) && !c.Repeated() {
		if kv := c.Columns(); len(kv) == 1 && kv[0].Repeated() && len(kv[0].Columns()) == 2 {
			k, v := kv[0].Columns()[0], kv[0].Columns()[1]
			if k.Leaf() && v.Leaf() && c.MaxRepetitionLevel() == 0 {
				col := column{name: name, shape: dict, leaves: []*parquet.Column{k, v},
					repDef: kv[0].MaxDefinitionLevel(), defMap: c.MaxDefinitionLevel()}
				p.cols = append(p.cols, col.withFormats(within, leaves))
				return
			}
		}
	}
	// A group is read by its leaves; its own name is no column, and
	// selecting it must not yield "" for every row unnoticed.
	if p.groups == nil {
		p.groups = make(map[string]error)
	}
	p.groups[name] = &columnTypeError{column: name, typ: c.Type().String()}
	if lt != nil && within == "" {
		switch lt.Value.(type) {
		case *format.MapType, *format.ListType:
		default: // VARIANT: its leaves hold the variant binary encoding
			within = lt.String() + " " + name
		}
	}
	for _, child := range c.Columns() {
		p.walk(child, repDef, within, leaves)
	}
}

func isMap(v format.LogicalTypeValue) bool {
	_, ok := v.(*format.MapType)
	return ok
}

// withFormats returns col with the renderers of its leaves, or with why
// curpipe does not read it. within is as for walk; leaves are the file's
// leaf schema elements.
func (col column) withFormats(within string, leaves []*format.SchemaElement) column {
	col.formats = make([]func([]byte, parquet.Value) []byte, len(col.leaves))
	for i, leaf := range col.leaves {
		t := leaf.Type()
		typ := t.String()
		var declared, logical format.LogicalTypeValue
		if j := leaf.Index(); j >= 0 && j < len(leaves) && leaves[j].Name == leaf.Name() {
			declared = leaves[j].LogicalType.Value
		}
		if lt := t.LogicalType(); lt != nil {
			logical = lt.Value
		}
		f, ok := formatter(t)
		switch {
		case declared != nil && reflect.TypeOf(declared) != reflect.TypeOf(logical):
			// parquet-go reads an annotation it does not know (FLOAT16,
			// a VARIANT leaf) as the physical type under it.
			ok, typ = false, declared.String()
		case within != "":
			ok, typ = false, typ+" within "+within
		case leaf.MaxRepetitionLevel() > 1:
			// One JSON array of all the values would lose the nesting.
			ok, typ = false, typ+" in nested lists or maps"
		}
		if !ok {
			col.unread = &columnTypeError{column: strings.Join(leaf.Path(), "."), typ: typ}
			return col
		}
		col.formats[i] = f
	}
	return col
}

type parquetReader struct {
	object  string
	file    *parquet.File
	src     *readerAt
	cols    []column
	groups  map[string]error // by path: the groups, which are not columns
	header  []string
	unread  *RowError   // a selected column curpipe does not read: Next's error
	sel     []*column   // per selected name; nil when absent
	cursors [][]*cursor // per selected name, per leaf
	out     []string
	spans   []span // per selected name: where its text is in arena, if there
	arena   []byte // rendered values of this and earlier rows, append-only
	cells   [2][]cell
	pairs   [][2]cell
	buf     []byte
	group   int   // current row group
	end     int   // the row groups from end on are not this reader's
	left    int64 // rows left in it
	pos     int64
	err     error // sticky
	limits  Limits
}

func (p *parquetReader) Header() []string { return p.header }

func (p *parquetReader) Pos() int64 { return p.pos }

func (p *parquetReader) Select(names []string) error {
	if p.pos > 0 || p.group >= 0 {
		return fmt.Errorf("tabular: %s: Select after Next", p.object)
	}
	p.sel, p.cursors, p.unread = p.sel[:0], p.cursors[:0], nil
	for _, name := range names {
		i := slices.Index(p.header, name)
		if i < 0 {
			if err := p.groups[name]; err != nil {
				p.sel, p.cursors, p.unread = nil, nil, &RowError{Object: p.object, Err: err}
				return p.unread
			}
			p.sel, p.cursors = append(p.sel, nil), append(p.cursors, nil)
			continue
		}
		col := &p.cols[i]
		if col.unread != nil {
			p.sel, p.cursors, p.unread = nil, nil, &RowError{Object: p.object, Err: col.unread}
			return p.unread
		}
		p.sel, p.cursors = append(p.sel, col), append(p.cursors, col.newCursors())
	}
	p.out = make([]string, len(names))
	p.spans = make([]span, len(names))
	return nil
}

// span is where a field's text lies in parquetReader.arena.
type span struct{ lo, hi int }

// The arena of rendered values grows in blocks of arenaBlock bytes, a new
// one started when less than arenaSlack is left: rows of CUR's selected
// columns take a few hundred bytes.
const (
	arenaBlock = 32 << 10
	arenaSlack = 2 << 10
)

func (p *parquetReader) Next() (fields []string, err error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.unread != nil {
		return nil, p.unread
	}
	defer func() {
		if r := recover(); r != nil { // parquet-go panics on some bad pages
			err = fmt.Errorf("parquet: %v", r)
		}
		if err == nil || err == io.EOF {
			return
		}
		var re *RowError
		if !errors.As(err, &re) { // else it says where already
			switch {
			case errors.Is(err, ErrLimit): // a page over the limit: no damage
			case p.src.err != nil:
				err = p.src.err
			case !errors.Is(err, ErrCompression):
				err = fmt.Errorf("%w: %w", ErrCorrupt, err)
			}
			err = &RowError{Object: p.object, Pos: p.pos + 1, Err: err}
		}
		p.err = err
	}()
	for p.left == 0 {
		if err := p.nextGroup(); err != nil {
			return nil, err
		}
	}
	// Values not cached elsewhere are rendered into an arena shared by
	// many rows, saving an allocation per value. The arena is only ever
	// appended to, so a string over it stays valid after later calls
	// (though the contract does not promise it); the strings are made once
	// the row is complete, since appending may move the arena.
	if cap(p.arena)-len(p.arena) < arenaSlack {
		p.arena = make([]byte, 0, arenaBlock)
	}
	for i, col := range p.sel {
		p.out[i], p.spans[i] = "", span{}
		switch {
		case col == nil:
		case col.shape == scalar:
			lo := len(p.arena)
			if p.out[i], p.arena, err = p.cursors[i][0].flatValue(p.arena); err != nil {
				return nil, err
			}
			p.spans[i] = span{lo, len(p.arena)}
		default:
			if p.out[i], err = p.field(col, p.cursors[i]); err != nil {
				return nil, err
			}
		}
	}
	for i, s := range p.spans {
		if s.hi > s.lo {
			p.out[i] = unsafe.String(&p.arena[s.lo], s.hi-s.lo)
		}
	}
	p.left--
	p.pos++
	return p.out, nil
}

// nextGroup opens the selected column chunks of the next row group.
func (p *parquetReader) nextGroup() error {
	groups := p.file.RowGroups()
	if p.group+1 >= p.end {
		p.group = p.end
		return io.EOF
	}
	p.group++
	g := groups[p.group]
	p.left = g.NumRows()
	if p.left < 0 {
		return fmt.Errorf("row group %d has %d rows", p.group, p.left)
	}
	chunks, meta := g.ColumnChunks(), p.file.Metadata().RowGroups[p.group].Columns
	if err := p.checkGroup(meta); err != nil {
		return err
	}
	for _, cs := range p.cursors {
		for _, c := range cs {
			c.close()
			i := c.leaf.Index()
			if i >= len(chunks) || i >= len(meta) {
				return fmt.Errorf("row group %d lacks column %d", p.group, i)
			}
			if err := c.load(p.src, chunks[i], &meta[i].MetaData, p.limits.ParquetPageBytes); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkGroup holds the selected column chunks of the current row group,
// which are read whole, against the limits.
func (p *parquetReader) checkGroup(meta []format.ColumnChunk) error {
	var total int64
	for _, cs := range p.cursors {
		for _, c := range cs {
			i := c.leaf.Index()
			if i >= len(meta) {
				continue // nextGroup says what is missing
			}
			n := meta[i].MetaData.TotalCompressedSize
			if n > p.limits.ParquetColumnChunkBytes {
				return &RowError{Object: p.object, Pos: p.pos + 1, Err: &LimitError{
					What:  fmt.Sprintf("row group %d's column chunk %q (%s)", p.group, c.leaf.Name(), byteSize(n)),
					Limit: p.limits.ParquetColumnChunkBytes, Unit: "bytes", Flag: "--max-parquet-column-chunk-bytes"}}
			}
			total += max(n, 0)
		}
	}
	if total > p.limits.ParquetRowGroupBytes {
		return &RowError{Object: p.object, Pos: p.pos + 1, Err: &LimitError{
			What:  fmt.Sprintf("row group %d's selected columns (%s)", p.group, byteSize(total)),
			Limit: p.limits.ParquetRowGroupBytes, Unit: "bytes", Flag: "--max-parquet-row-group-bytes"}}
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

// Width returns the number of columns: every row has them all.
func (p *parquetReader) Width() int { return len(p.header) }

// NextChunk returns a reader of the next row group, with this reader's
// selection and the group's row numbers: row groups are read apart, each
// column chunk from its own offset, so they can be read in parallel. It
// ignores size (a row group is what its writer made it) and must be
// called before Next.
func (p *parquetReader) NextChunk(int) (Reader, error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.unread != nil {
		return nil, p.unread
	}
	if p.left > 0 || p.end != len(p.file.RowGroups()) {
		return nil, fmt.Errorf("tabular: %s: NextChunk after Next", p.object)
	}
	if p.group+1 >= p.end {
		p.group = p.end
		return nil, io.EOF
	}
	p.group++
	ch := &parquetReader{object: p.object, file: p.file, src: &readerAt{r: p.src.r}, cols: p.cols, groups: p.groups,
		header: p.header, group: p.group - 1, end: p.group + 1, pos: p.pos, limits: p.limits}
	p.pos += p.file.RowGroups()[p.group].NumRows()
	ch.sel, ch.cursors = p.sel, make([][]*cursor, len(p.sel))
	for i, col := range p.sel {
		if col != nil {
			ch.cursors[i] = col.newCursors()
		}
	}
	ch.out, ch.spans = make([]string, len(p.sel)), make([]span, len(p.sel))
	return ch, nil
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

// cursor walks the pages of one leaf column chunk. A non-repeated column
// reads the common pages (dictionary-encoded, or byte arrays, doubles and
// 64-bit integers as they are) in place, from the page's decoded data; any
// other page goes through parquet-go's generic values.
type cursor struct {
	// The page read in place: rows at..rows-1 remain, their values from
	// the next'th present one. One of idx, offs, doubles and ints is set.
	at, rows int
	next     int
	defs     []byte // definition levels; nil when every row has a value
	maxDef   byte
	render   render
	idx      []int32 // dictionary indexes, rendered by dict
	bytes    []byte  // byte arrays, back to back, bounded by offs
	offs     []uint32
	doubles  []float64
	ints     []int64
	dict     dictText
	days     []dayText // for renderTimestamp; allocated on first use
	perSec   int64     // for renderTimestamp: units per second

	// The generic path: values read from values in batches into buf; nil
	// when the page is read in place.
	values parquet.ValueReader
	buf    []parquet.Value
	i, n   int

	leaf   *parquet.Column
	name   string // the column's path, for errors
	flat   bool   // not repeated: one value per row
	format func(b []byte, v parquet.Value) []byte
	text   []byte // scratch for format
	data   []byte // the column chunk, reused from row group to row group
	pages  parquet.Pages
	page   parquet.Page
}

// newCursors returns a cursor for each of col's leaves, which curpipe
// reads.
func (col *column) newCursors() []*cursor {
	cs := make([]*cursor, len(col.leaves))
	for i, leaf := range col.leaves {
		c := &cursor{leaf: leaf, format: col.formats[i], buf: make([]parquet.Value, 256),
			flat: leaf.MaxRepetitionLevel() == 0, maxDef: byte(leaf.MaxDefinitionLevel()),
			name: strings.Join(leaf.Path(), ".")}
		c.render, c.perSec = classify(leaf.Type())
		cs[i] = c
	}
	return cs
}

// flatValue returns the current row's value of a non-repeated column and
// moves to the next row. A dictionary entry, whose text outlives the row,
// is returned as s; other text is appended to b. A null is "", as is an
// empty value.
func (c *cursor) flatValue(b []byte) (string, []byte, error) {
	for c.i == c.n && c.at == c.rows {
		if err := c.fill(); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // fewer values than rows
			}
			return "", b, fmt.Errorf("column %s: %w", c.name, err)
		}
	}
	if c.i < c.n {
		v := c.buf[c.i]
		c.i++
		if v.IsNull() {
			return "", b, nil
		}
		return "", c.format(b, v), nil
	}
	r := c.at
	c.at++
	if c.defs != nil && c.defs[r] != c.maxDef {
		return "", b, nil
	}
	k := c.next
	c.next++
	switch {
	case c.idx != nil:
		s, b := c.dict.entry(c, c.idx[k], b)
		return s, b, nil
	case c.offs != nil:
		return "", append(b, c.bytes[c.offs[k]:c.offs[k+1]]...), nil
	case c.doubles != nil:
		return "", formatFloat(b, c.doubles[k], 64), nil
	case c.render == renderTimestamp:
		return "", c.appendTimestamp(b, c.ints[k]), nil
	}
	return "", strconv.AppendInt(b, c.ints[k], 10), nil
}

// row appends the values of the current row of a repeated column: all
// values up to the next row start (repetition level 0).
func (c *cursor) row(cells []cell) ([]cell, error) {
	for len(cells) == 0 || !c.flat {
		if c.i == c.n {
			err := c.fill()
			if err == io.EOF && len(cells) > 0 {
				break // the chunk's last row
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // fewer values than rows
			}
			if err != nil {
				return cells, fmt.Errorf("column %s: %w", c.name, err)
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

// maxDictCache is the most entries of a dictionary whose rendered text is
// cached; a larger one (a hostile file's) is rendered per value.
const maxDictCache = 1 << 18

// dictText is the rendered text of a column chunk's dictionary: each entry
// is rendered once however many rows repeat it, which is what dictionary
// encoding is for.
type dictText struct {
	dict parquet.Dictionary // the dictionary rendered; nil before the first
	len  int
	// Byte arrays rendered as they are: entry i is raw[offs[i]:offs[i+1]].
	bytes bool
	raw   string
	offs  []uint32
	// Other kinds: entry i rendered on first use, when the dictionary is
	// small enough to cache.
	text []string
	done []bool
}

// use makes d render dict, copying its entries when they are byte arrays
// rendered as they are (asBytes).
func (d *dictText) use(dict parquet.Dictionary, asBytes bool) error {
	if d.dict == dict {
		return nil
	}
	d.reset()
	d.len = dict.Len()
	if asBytes {
		data := dict.Page().Data()
		if data.Kind() != encoding.ByteArray {
			return fmt.Errorf("byte array dictionary holds %s", data.Kind())
		}
		raw, offs := data.ByteArray()
		if err := checkOffsets(offs, len(raw)); err != nil {
			return fmt.Errorf("dictionary: %w", err)
		}
		if len(offs)-1 != d.len {
			return fmt.Errorf("dictionary of %d entries has %d offsets", d.len, len(offs))
		}
		d.bytes, d.raw, d.offs = true, string(raw), append(d.offs[:0], offs...)
	} else if d.len <= maxDictCache {
		d.text = slices.Grow(d.text[:0], d.len)[:d.len]
		d.done = slices.Grow(d.done[:0], d.len)[:d.len]
	}
	d.dict = dict
	return nil
}

// entry returns entry j, rendered by c: as s when cached, else appended to
// b. j is known to be in range.
func (d *dictText) entry(c *cursor, j int32, b []byte) (s string, _ []byte) {
	switch {
	case d.bytes:
		return d.raw[d.offs[j]:d.offs[j+1]], b
	case len(d.text) == 0: // too large to cache
		return "", c.format(b, d.dict.Index(j))
	case !d.done[j]:
		c.text = c.format(c.text[:0], d.dict.Index(j))
		d.text[j], d.done[j] = string(c.text), true
	}
	return d.text[j], b
}

func (d *dictText) reset() {
	clear(d.text) // drop the strings
	clear(d.done)
	d.dict, d.len, d.bytes, d.raw = nil, 0, false, ""
	d.offs, d.text, d.done = d.offs[:0], d.text[:0], d.done[:0]
}

// dayText is the text of a date as appendTime starts it: "2006-01-02T".
type dayText struct {
	day  int64 // days since the epoch
	text string
}

// appendTimestamp is the package's appendTimestamp for x in units of
// c.perSec. Line items fall on a few dozen days, so it caches the text of
// each day's date as the time package renders it and writes the time of
// day itself, which is only digits.
func (c *cursor) appendTimestamp(b []byte, x int64) []byte {
	sec, frac := x/c.perSec, x%c.perSec
	if frac < 0 {
		sec, frac = sec-1, frac+c.perSec
	}
	day, tod := sec/86400, sec%86400
	if tod < 0 {
		day, tod = day-1, tod+86400
	}
	if c.days == nil {
		c.days = make([]dayText, 64) // a month's days never share a slot
	}
	d := &c.days[uint64(day)%uint64(len(c.days))]
	if d.text == "" || d.day != day {
		const midnight = "00:00:00Z"
		t := appendTime(c.text[:0], time.Unix(day*86400, 0))
		if !bytes.HasSuffix(t, []byte("T"+midnight)) { // not a layout the time package writes
			return appendTimestamp(b, x, c.perSec)
		}
		c.text = t
		d.day, d.text = day, string(t[:len(t)-len(midnight)])
	}
	b = append(b, d.text...)
	b = append2(b, tod/3600)
	b = append2(append(b, ':'), tod/60%60)
	b = append2(append(b, ':'), tod%60)
	if nanos := frac * (1e9 / c.perSec); nanos != 0 {
		// As RFC3339Nano: nine digits less trailing zeros.
		var digits [9]byte
		for i := len(digits) - 1; i >= 0; i-- {
			digits[i] = byte('0' + nanos%10)
			nanos /= 10
		}
		b = append(append(b, '.'), bytes.TrimRight(digits[:], "0")...)
	}
	return append(b, 'Z')
}

// append2 appends n, 0 to 99, as two digits.
func append2(b []byte, n int64) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
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

// checkPages checks that every page header in a column chunk is well formed
// and claims no more than the chunk holds, nor more than maxBytes or
// maxBytes/8 values (see Limits.ParquetPageBytes); for snappy, it also
// checks the decompressed length the stream declares. A page over the
// limit is a *LimitError; any other fault, damage.
func checkPages(b []byte, codec format.CompressionCodec, maxBytes int64) error {
	overLimit := func(what string, limit int64, unit string) error {
		return &LimitError{What: what, Limit: limit, Unit: unit, Flag: "--max-parquet-page-bytes"}
	}
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
		values := int64(max(h.DataPageHeader.V.NumValues, h.DictionaryPageHeader.V.NumValues, h.DataPageHeaderV2.V.NumValues))
		body, size := s.b, int(h.CompressedPageSize)
		if size < 0 || size > len(body) || h.UncompressedPageSize < 0 || values < 0 {
			return fmt.Errorf("page at chunk byte %d claims %d bytes (%d unpacked), %d values",
				off, size, h.UncompressedPageSize, values)
		}
		if n := max(int64(size), int64(h.UncompressedPageSize)); n > maxBytes {
			return overLimit(fmt.Sprintf("a page of %s at chunk byte %d", byteSize(n), off), maxBytes, "bytes")
		}
		if values > maxBytes/8 {
			return overLimit(fmt.Sprintf("a page of %d values at chunk byte %d", values, off),
				maxBytes/8, "values, one per 8 bytes of the page limit")
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
		if codec == format.Snappy && len(body) > 0 {
			n, err := snappy.DecodedLen(body)
			if err != nil {
				return fmt.Errorf("page at chunk byte %d: bad snappy length (%v)", off, err)
			}
			if int64(n) > maxBytes {
				return overLimit(fmt.Sprintf("a page inflating to %s at chunk byte %d", byteSize(int64(n)), off), maxBytes, "bytes")
			}
		}
		if len(body) > 0 {
			n, err := inflatedSize(codec, body, maxBytes)
			if err != nil {
				return fmt.Errorf("page at chunk byte %d: %v", off, err)
			}
			if n > maxBytes {
				return overLimit(fmt.Sprintf("a page inflating past %s at chunk byte %d", byteSize(maxBytes), off), maxBytes, "bytes")
			}
		}
		off = len(b) - len(s.b) + size
	}
	return nil
}

// inflatedSize returns how many bytes a page's body inflates to under
// codec, reading at most limit+1 of them; 0 for the codecs checked
// otherwise (none, snappy). parquet-go inflates gzip, zstd and brotli
// pages until their stream ends, whatever the header claims, so a page of
// a few kilobytes could take gigabytes: these pages are inflated twice.
// AWS writes its Parquet with snappy, which costs nothing here.
func inflatedSize(codec format.CompressionCodec, body []byte, limit int64) (int64, error) {
	var r io.Reader
	switch codec {
	case format.Gzip:
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		r = zr
	case format.Zstd:
		zr, err := zstd.NewReader(bytes.NewReader(body), zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return 0, err
		}
		defer zr.Close()
		r = zr
	case format.Brotli:
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		return 0, nil
	}
	return io.Copy(io.Discard, io.LimitReader(r, limit+1))
}

var errThrift = errors.New("malformed thrift")

// ErrCompression: a column curpipe reads is compressed with a codec it does
// not decode (LZ4). Like ErrCorrupt it fails the whole object; unlike it,
// the file is sound.
var ErrCompression = errors.New("unsupported compression")

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
