package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
)

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
