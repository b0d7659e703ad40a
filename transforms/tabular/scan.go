package tabular

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"strings"
	"unsafe"
)

// fastBufSize is the scanner's initial buffer. A variable so that tests
// can shrink it and put every byte of their inputs on a buffer boundary.
var fastBufSize = 1 << 20

// fastCSV is a CSV scanner that splits rows in its own buffer and makes
// strings of the selected fields only. It accepts what encoding/csv with
// default settings accepts and yields csvReader's rows, lines and errors.
type fastCSV struct {
	object string
	src    io.Reader
	buf    []byte // the unconsumed input is buf[r:w]
	r, w   int
	eof    bool  // src is exhausted (and a final '\r' dropped)
	rerr   error // a read error of src, returned from then on
	lines  int64 // '\n' consumed before buf[r]

	header  []string
	width   int
	sel     []int    // header index per selected column, -1 when absent
	need    []uint64 // bit j: header index j is selected; a zero word after
	next    []int32  // per header index: the next selected one (see setSel)
	vals    []string // per header index: the field, when needed
	all     bool     // keep every field, growing vals (the header)
	arena   []byte   // unquoted copies of quoted fields, reset per row
	out     []string
	line    int64 // Pos
	recLine int64 // line of the record last scanned
	started bool
	recycle []byte      // a chunk's whole buffer, given back to free on Close
	free    chan []byte // buffers of closed chunks, for cut

	limits    Limits
	limit     int // bytes the record being read may take: the header's, then a record's
	longField int // 1 + the index of a needed field over limits.FieldBytes; 0 when none
}

// NewFastCSVReader returns a Reader over CSV text with the contract of
// NewCSVReader (the same header handling, rows, positions and errors) that
// does not allocate per row.
//
// Unlike NewCSVReader's, the strings returned by Next point into the
// reader's buffers and change on the following call of Next: a caller that
// keeps one (a map key, a field of a retained struct) must copy it first,
// with strings.Clone. Header's strings are stable.
func NewFastCSVReader(r io.Reader, object string) (Reader, error) {
	return newFastCSV(r, object, DefaultLimits)
}

// newFastCSV is NewFastCSVReader within the given limits.
func newFastCSV(r io.Reader, object string, lim Limits) (Reader, error) {
	lim = lim.orDefault()
	c := &fastCSV{object: object, src: r, buf: make([]byte, max(min(fastBufSize, lim.HeaderBytes+2), 1)), width: -1, all: true,
		limits: lim, limit: lim.HeaderBytes}
	for c.w < 3 && !c.eof && c.rerr == nil {
		c.fill()
	}
	if c.w >= 3 && string(c.buf[:3]) == "\xef\xbb\xbf" {
		c.r = 3
	}
	nf, err := c.scan()
	if err == io.EOF {
		return nil, &RowError{Object: object, Err: ErrEmpty}
	} else if err != nil {
		return nil, err
	}
	if nf > lim.Fields {
		return nil, &RowError{Object: object, Pos: 1, Err: &LimitError{What: fmt.Sprintf("the header's %d columns", nf),
			Limit: int64(lim.Fields), Unit: "columns", Flag: "--max-fields"}}
	}
	c.header = make([]string, nf)
	for i, v := range c.vals[:nf] {
		c.header[i] = strings.Clone(v)
	}
	c.all, c.vals, c.limit = false, nil, lim.RecordBytes
	return c, nil
}

func (c *fastCSV) Header() []string { return c.header }

// Width returns the field count of the file's data rows, or -1 before the
// first row, as csvReader's does.
func (c *fastCSV) Width() int { return c.width }

func (c *fastCSV) Select(names []string) error {
	if c.started {
		return fmt.Errorf("%s: Select after Next", c.object)
	}
	if err := ambiguous(c.object, c.header, names); err != nil {
		return err
	}
	c.setSel(selectIndexes(c.header, names))
	return nil
}

func (c *fastCSV) setSel(sel []int) {
	c.sel, c.out = sel, make([]string, len(sel))
	c.need = make([]uint64, len(c.header)/64+2)
	c.vals = make([]string, len(c.header))
	for _, j := range sel {
		if j >= 0 {
			c.need[j/64] |= 1 << (j % 64)
		}
	}
	// next[j]: the first selected field at j or after, MaxInt32 past the
	// last.
	c.next = make([]int32, len(c.header)+1)
	n := int32(math.MaxInt32)
	for j := len(c.header); j >= 0; j-- {
		if c.needs(j) {
			n = int32(j)
		}
		c.next[j] = n
	}
}

func (c *fastCSV) Next() ([]string, error) {
	if c.sel == nil { // every field in file order, as csvReader's
		sel := make([]int, len(c.header))
		for i := range sel {
			sel[i] = i
		}
		c.setSel(sel)
	}
	c.started = true
	nf, err := c.scan()
	if err != nil {
		return nil, err
	}
	c.line = c.recLine
	if c.longField > 0 {
		return nil, &RowError{Object: c.object, Pos: c.line, Err: &LimitError{
			What:  fmt.Sprintf("field %q", c.header[min(c.longField-1, len(c.header)-1)]),
			Limit: int64(c.limits.FieldBytes), Unit: "bytes", Flag: "--max-field-bytes"}}
	}
	if c.width < 0 { // csvReader's judgement of the header, and its words
		if nf > len(c.header) {
			return nil, &RowError{Object: c.object, Pos: c.line,
				Err: fmt.Errorf("%w: the header has %d names but the rows have %d fields; a name is missing or glued to another, so columns cannot be matched",
					ErrHeader, len(c.header), nf)}
		}
		c.width = nf
	}
	if nf != c.width {
		return nil, &RowError{Object: c.object, Pos: c.line,
			Err: fmt.Errorf("%w: %d fields, the file's rows have %d", ErrFieldCount, nf, c.width)}
	}
	for i, j := range c.sel {
		if j >= 0 && j < nf {
			c.out[i] = c.vals[j]
		} else {
			c.out[i] = ""
		}
	}
	return c.out, nil
}

func (c *fastCSV) Pos() int64 { return c.line }

func (c *fastCSV) Close() error {
	if c.recycle != nil {
		select {
		case c.free <- c.recycle[:cap(c.recycle)]:
		default: // enough are kept
		}
		c.recycle, c.buf, c.r, c.w = nil, nil, 0, 0
	}
	return nil
}

// scan reads the next record into vals and returns its field count. Its
// errors are csvReader's: io.EOF, a *RowError, or a read error.
func (c *fastCSV) scan() (int, error) {
	for {
		start := c.r
		nf, perr, more := c.record()
		switch {
		case perr != nil:
			c.line = int64(perr.StartLine)
			return 0, csvError(c.object, c.line, perr)
		case nf < 0:
			return 0, io.EOF
		case !more:
			// fill bounds the records the buffer grows for; one that fit
			// in the buffer as it was is measured here.
			if c.r-start > c.limit && recordLen(c.buf[start:c.r]) > c.limit {
				return 0, csvError(c.object, c.recLine, c.overLimit())
			}
			return nf, nil
		case c.rerr != nil:
			if errors.Is(c.rerr, ErrLimit) {
				return 0, csvError(c.object, c.lines+1, c.rerr) // where the record starts
			}
			c.line++ // csvReader's guess: the line after the last row, or 1
			return 0, csvError(c.object, c.line, c.rerr)
		}
		c.fill()
	}
}

// record scans the record at buf[r:w] as encoding/csv would, storing the
// needed fields in vals. It reports more when the buffer ends before the
// record does and more input may follow: the record is scanned again from
// its start after fill. A record, or after an error its line, is consumed.
// nf is -1 at the end of the input.
//
// encoding/csv reads lines, turns "\r\n" into "\n" and drops a '\r' that
// ends the input (fill does that); the columns below count as it does.
func (c *fastCSV) record() (nf int, perr *csv.ParseError, more bool) {
	buf := c.buf[:c.w]
	w, p := len(buf), c.r
	for { // blank lines are no records, and need not wait for one
		if p < w && buf[p] == '\n' {
			p++
		} else if p+1 < w && buf[p] == '\r' && buf[p+1] == '\n' {
			p += 2
		} else {
			break
		}
		c.r, c.lines = p, c.lines+1
	}
	if p == w || (p+1 == w && buf[p] == '\r') {
		if !c.eof {
			return 0, nil, true // "\r" may begin a blank line
		} else if p == w {
			return -1, nil, false
		}
	}
	c.arena = c.arena[:0]
	c.longField = 0
	c.recLine = c.lines + 1
	start, lineStart := p, p
	nl := int64(0) // '\n' inside the record so far
	eol := bytes.IndexByte(buf[p:], '\n') + p
	if eol < p {
		if !c.eof {
			return 0, nil, true
		}
		eol = w
	}
	q := nextQuote(buf, p, eol)
	fail := func(at int, err error) (int, *csv.ParseError, bool) {
		c.consume(eol, nl)
		return 0, &csv.ParseError{StartLine: int(c.recLine), Line: int(c.recLine + nl), Column: at - lineStart + 1, Err: err}, false
	}
	for {
		if p < q { // unquoted fields, up to the next quote
			p, nf = c.split(buf, p, q, nf)
		}
		if p == q && q < eol { // a quoted field
			i, esc, more := c.closeQuote(buf, p+1)
			if more {
				return 0, nil, true
			} else if i < 0 {
				return 0, c.unclosed(start), false
			}
			if i > eol { // the field spans lines: find the line it ends on
				nl += int64(bytes.Count(buf[eol:i], []byte{'\n'}))
				lineStart = bytes.LastIndexByte(buf[:i], '\n') + 1
				if eol = bytes.IndexByte(buf[i:], '\n') + i; eol < i {
					if !c.eof {
						return 0, nil, true
					}
					eol = w
				}
				esc = true // a "\r\n" inside becomes "\n"
			}
			c.store(nf, buf[p+1:i], esc)
			nf++
			switch p = i + 1; {
			case p == eol || (p+1 == eol && buf[p] == '\r' && eol < w):
				c.consume(eol, nl)
				return nf, nil, false
			case buf[p] != ',':
				return fail(i, csv.ErrQuote)
			}
			p++
			q = nextQuote(buf, p, eol)
			continue
		}
		if q < eol { // a quote inside an unquoted field
			return fail(q, csv.ErrBareQuote)
		}
		e := eol // the last field ends the line, less a '\r' of its "\r\n"
		if e > p && e < w && buf[e-1] == '\r' {
			e--
		}
		c.store(nf, buf[p:e], false)
		c.consume(eol, nl)
		return nf + 1, nil, false
	}
}

// closeQuote returns the index of the quote closing a field whose text
// starts at i, or -1, and whether the text holds doubled quotes. It
// reports more when the buffer ends too soon to tell.
func (c *fastCSV) closeQuote(buf []byte, i int) (k int, esc, more bool) {
	return closeQuote(buf, i, c.eof)
}

// closeQuote is fastCSV.closeQuote for a buffer that ends the input when
// eof is set.
func closeQuote(buf []byte, i int, eof bool) (k int, esc, more bool) {
	for {
		k = bytes.IndexByte(buf[i:], '"') + i
		switch {
		case k < i:
			return -1, esc, !eof
		case k+1 == len(buf):
			return k, esc, !eof
		case buf[k+1] != '"':
			return k, esc, false
		}
		esc, i = true, k+2
	}
}

// split stores the fields of buf[p:q], which holds no quote, that end at
// a comma, and returns the start of the rest and the new field count.
// CUR fields average 8 bytes, many blank: finding the commas of 8 bytes at
// once beats a call of bytes.IndexByte per field.
func (c *fastCSV) split(buf []byte, p, q, nf int) (int, int) {
	i := p
	for ; i+8 <= q; i += 8 {
		m := commas(binary.LittleEndian.Uint64(buf[i:]))
		if m == 0 {
			continue
		}
		// Most words end no needed field: skip their commas in one step,
		// sparing a mispredicted branch per comma.
		if k := bits.OnesCount64(m); !c.all && c.skips(nf, k) {
			nf += k
			p = i + (63-bits.LeadingZeros64(m))>>3 + 1
			continue
		}
		for ; m != 0; m &= m - 1 {
			e := i + bits.TrailingZeros64(m)>>3
			if c.needs(nf) {
				c.vals[nf] = bstr(buf[p:e]) // store, inlined
				if e-p > c.limits.FieldBytes && c.longField == 0 {
					c.longField = nf + 1
				}
			} else if c.all {
				c.store(nf, buf[p:e], false)
			}
			nf, p = nf+1, e+1
		}
	}
	for ; i < q; i++ {
		if buf[i] == ',' {
			c.store(nf, buf[p:i], false)
			nf, p = nf+1, i+1
		}
	}
	return p, nf
}

// commas returns the high bit of each byte of x that is a comma.
func commas(x uint64) uint64 {
	const lo7, comma = 0x7f7f7f7f7f7f7f7f, 0x2c2c2c2c2c2c2c2c
	v := x ^ comma        // zero bytes where commas were
	t := (v & lo7) + lo7  // high bit set where the low 7 bits are not zero
	return ^(t | v | lo7) // high bit set where the byte is zero
}

// needs reports whether field nf is selected.
func (c *fastCSV) needs(nf int) bool {
	w := nf >> 6
	return w < len(c.need) && c.need[w]>>(nf&63)&1 != 0
}

// skips reports whether none of fields nf to nf+k-1 is selected: one
// lookup and a compare, where the word is done with.
func (c *fastCSV) skips(nf, k int) bool {
	if nf >= len(c.next) {
		return true // past the header's width: nothing is selected
	}
	return int(c.next[nf]) >= nf+k
}

// nextQuote returns the index of the first '"' in buf[p:eol], or eol.
func nextQuote(buf []byte, p, eol int) int {
	if i := bytes.IndexByte(buf[p:eol], '"'); i >= 0 {
		return p + i
	}
	return eol
}

// consume moves past the line ending at eol, the record's nl-th.
func (c *fastCSV) consume(eol int, nl int64) {
	c.r, c.lines = eol, c.recLine-1+nl
	if eol < c.w {
		c.r, c.lines = eol+1, c.lines+1
	}
}

// unclosed reports a quote left open at the end of the input where
// encoding/csv does: just past the text of the last line.
func (c *fastCSV) unclosed(start int) *csv.ParseError {
	buf := c.buf[start:c.w]
	end := len(buf)
	if buf[end-1] == '\n' {
		end-- // the last line is the one this '\n' ends
	}
	ls := bytes.LastIndexByte(buf[:end], '\n') + 1
	col := len(buf) - ls + 1
	if end < len(buf) && end > ls && buf[end-1] == '\r' {
		col-- // "\r\n" counts as one byte
	}
	c.r = c.w
	return &csv.ParseError{StartLine: int(c.recLine), Line: int(c.recLine) + bytes.Count(buf[:ls], []byte{'\n'}),
		Column: col, Err: csv.ErrQuote}
}

// store keeps field nf when it is needed: an unquoted field as a string
// over the buffer itself, a quoted one with doubled quotes or line breaks
// unquoted into the arena first.
func (c *fastCSV) store(nf int, f []byte, esc bool) {
	if c.all {
		c.vals = append(c.vals[:nf], "")
	} else if !c.needs(nf) {
		return
	}
	if len(f) > c.limits.FieldBytes && c.longField == 0 {
		c.longField = nf + 1
	}
	if esc {
		n := len(c.arena)
		c.arena = unescape(c.arena, f)
		f = c.arena[n:]
	}
	c.vals[nf] = bstr(f)
}

// bstr returns a string over b's bytes, without copying them.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// unescape appends f with `""` turned into `"` and "\r\n" into "\n".
func unescape(dst, f []byte) []byte {
	for {
		i := bytes.IndexAny(f, "\"\r")
		switch {
		case i < 0:
			return append(dst, f...)
		case f[i] == '"': // always doubled inside quotes
			dst, f = append(append(dst, f[:i]...), '"'), f[i+2:]
		case i+1 < len(f) && f[i+1] == '\n':
			dst, f = append(append(dst, f[:i]...), '\n'), f[i+2:]
		default:
			dst, f = append(dst, f[:i+1]...), f[i+1:]
		}
	}
}

// recordLen is the length of the record in b, which may start with blank
// lines and end with its line end.
func recordLen(b []byte) int {
	b = bytes.TrimLeft(b, "\r\n")
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return len(bytes.TrimSuffix(b, []byte{'\r'}))
}

// overLimit is the error of a record, or header, longer than its limit.
func (c *fastCSV) overLimit() *LimitError {
	if c.all {
		return &LimitError{What: "the header line", Limit: int64(c.limits.HeaderBytes), Unit: "bytes", Flag: "--max-header-bytes"}
	}
	return &LimitError{What: "a record", Limit: int64(c.limits.RecordBytes), Unit: "bytes", Flag: "--max-record-bytes"}
}

// fill reads more input after buf[r:w], moving that to the front of buf,
// or into a buffer twice as large when it fills more than half of buf.
func (c *fastCSV) fill() {
	if c.eof || c.rerr != nil {
		return
	}
	if n := c.w - c.r; n > len(c.buf)/2 {
		// Only an unfinished record asks for more: it is n bytes at least,
		// its line end not counted. Room for the limit and a "\r\n" tells.
		if n > c.limit {
			c.rerr = c.overLimit()
			return
		}
		nb := make([]byte, min(2*len(c.buf), c.limit+2))
		copy(nb, c.buf[c.r:c.w])
		c.buf, c.r, c.w = nb, 0, n
	} else if c.r > 0 {
		copy(c.buf, c.buf[c.r:c.w])
		c.r, c.w = 0, n
	}
	// Read until full: a record cut short is scanned again from its start,
	// which small reads (a gzip reader's) would make quadratic.
	for empty := 0; c.w < len(c.buf) && c.rerr == nil; {
		n, err := c.src.Read(c.buf[c.w:])
		c.w += n
		switch {
		case err == io.EOF:
			c.eof = true
			if c.w > c.r && c.buf[c.w-1] == '\r' {
				c.w-- // as encoding/csv drops it
			}
			return
		case err != nil:
			c.rerr = err
		case n == 0:
			if empty++; empty == 100 {
				c.rerr = io.ErrNoProgress
			}
		}
	}
}
