package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"
)

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
