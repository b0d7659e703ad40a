package tabular

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/parquet-go/parquet-go"
)

// cell is one rendered value of a leaf column.
type cell struct {
	s      string
	null   bool
	def    int   // definition level
	lo, hi int32 // where s is in its cursor's rowText, until s is set
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
	// rowText holds the text of the values row returned last, which the
	// cells' strings point into: one buffer per column, where a string
	// per map key and value cost CUR 2.0's product map dozens of
	// allocations a row.
	rowText []byte
	data    []byte // the column chunk, reused from row group to row group
	pages   parquet.Pages
	page    parquet.Page
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
// values up to the next row start (repetition level 0). The cells' text
// is valid until the next call.
func (c *cursor) row(cells []cell) ([]cell, error) {
	first := len(cells)
	c.rowText = c.rowText[:0]
	defer func() {
		// The strings are made once the row is complete, since appending
		// may move rowText.
		for i := first; i < len(cells); i++ {
			if x := &cells[i]; x.hi > x.lo {
				x.s = unsafe.String(&c.rowText[x.lo], int(x.hi-x.lo))
			}
		}
	}()
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
			lo := len(c.rowText)
			c.rowText = c.format(c.rowText, v)
			x.lo, x.hi = int32(lo), int32(len(c.rowText))
		}
		cells = append(cells, x)
	}
	return cells, nil
}
