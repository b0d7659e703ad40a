package tabular

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unsafe"

	"github.com/parquet-go/parquet-go"
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
