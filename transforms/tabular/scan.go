package tabular

import (
	"fmt"
	"io"
	"math"
	"strings"
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
