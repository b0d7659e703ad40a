package tabular

import (
	"bytes"
	"fmt"
	"io"
)

// Chunker is implemented by readers whose rows can be read in parallel.
// Cutting CSV text into runs of whole records takes a quick walk from
// line end to line end that splits no fields; scanning the fields of the
// records is the costly part, and each run can be scanned on its own.
type Chunker interface {
	// Width returns the field count of the file's data rows, or -1 until
	// Next has returned the first row (or its error). NextChunk needs it.
	Width() int
	// NextChunk cuts the next run of whole records, of about size bytes
	// (more when one record is longer), from the unread input and returns
	// a Reader of their rows: the same header, selection and row width as
	// this reader, positions in the whole file, and the rows, positions
	// and errors that Next would have returned for them. The chunk's
	// Reader holds its own bytes and may be read on another goroutine
	// while this one cuts more; closing it recycles its buffer.
	//
	// NextChunk returns io.EOF after the last chunk, and errors reading
	// the input as Next does. Once it has been called, Next must not be.
	NextChunk(size int) (Reader, error)
}

// Chunks returns r as a Chunker, if its rows can be read in chunks.
func Chunks(r Reader) (Chunker, bool) {
	if c, ok := r.(*closing); ok {
		r = c.Reader
	}
	ch, ok := r.(Chunker)
	return ch, ok
}

// freeBufs is how many closed chunks' buffers a reader keeps for its next
// cuts: as many as are in flight when every core scans one and as many
// again wait, so that a file is read in a few buffers, not one per
// chunk (a sync.Pool empties at each collection, and a megabyte a chunk
// would make collections frequent).
const freeBufs = 16

func (c *fastCSV) NextChunk(size int) (Reader, error) {
	if c.width < 0 {
		return nil, fmt.Errorf("%s: NextChunk before the first row", c.object)
	}
	if c.sel == nil {
		return nil, fmt.Errorf("%s: NextChunk before Select", c.object)
	}
	c.started = true
	for {
		// Walk the records the buffer holds whole, up to size bytes. fill
		// reads until the buffer is full, so where chunks are cut depends
		// on the input alone, not on how its reads came.
		buf := c.buf[:c.w]
		p, lines := c.r, int64(0)
		for p-c.r < size && p < len(buf) {
			end, nl, more := recordEnd(buf, p, c.eof)
			if more {
				break
			}
			p, lines = end, lines+int64(nl)
		}
		switch {
		case p > c.r:
			return c.cut(p, lines), nil
		case c.r == c.w && c.eof:
			return nil, io.EOF
		case c.rerr != nil:
			return nil, csvError(c.object, c.lines+1, c.rerr)
		}
		c.fill() // no whole record yet: read on, growing for a long one
	}
}

// cut hands buf[r:end], which holds lines '\n', over to a chunk reader
// and goes on in a fresh buffer holding the rest.
func (c *fastCSV) cut(end int, lines int64) Reader {
	if c.free == nil {
		c.free = make(chan []byte, freeBufs)
	}
	ch := &fastCSV{
		object: c.object, buf: c.buf[c.r:end], w: end - c.r, eof: true, lines: c.lines,
		header: c.header, width: c.width, sel: c.sel, need: c.need, next: c.next,
		vals: make([]string, len(c.header)), out: make([]string, len(c.sel)), started: true,
		recycle: c.buf, free: c.free, limits: c.limits, limit: c.limit,
	}
	ch.buf = ch.buf[:ch.w:ch.w]
	c.lines += lines
	// After a long record the buffer goes back to its usual size: a file
	// with one record of the limit's size must not make every chunk after
	// it that large.
	want := max(fastBufSize, min(2*(c.w-end), c.limit+2))
	var nb []byte
	select {
	case b := <-c.free:
		if cap(b) >= want {
			nb = b[:want]
		}
	default:
	}
	if nb == nil {
		nb = make([]byte, want)
	}
	c.w = copy(nb, c.buf[end:c.w])
	c.buf, c.r = nb, 0
	return ch
}

// recordEnd returns the end of the record starting at buf[p]: the index
// past the '\n' that ends it, or len(buf) at the end of the input; and
// how many '\n' it holds, that one included. It reports more when buf
// ends before the record does and more input may follow (eof unset). It
// splits no fields, yet ends a record where fastCSV.record does,
// erroneous records included: a bare quote or text after a closing quote
// ends it at its line's end, an unclosed quote at the end of the input.
func recordEnd(buf []byte, p int, eof bool) (end, nl int, more bool) {
	start := p
	eol := bytes.IndexByte(buf[p:], '\n') + p
	if eol < p {
		if !eof {
			return 0, 0, true
		}
		eol = len(buf)
	}
	for q := nextQuote(buf, p, eol); q < eol; {
		if q > start && buf[q-1] != ',' {
			break // a bare quote: the record is in error to its line's end
		}
		k, _, more := closeQuote(buf, q+1, eof)
		if more {
			return 0, 0, true
		} else if k < 0 { // unclosed: the rest of the input
			return len(buf), bytes.Count(buf[start:], []byte{'\n'}), false
		}
		if k > eol { // the field spans lines
			nl += bytes.Count(buf[eol:k], []byte{'\n'})
			if eol = bytes.IndexByte(buf[k:], '\n') + k; eol < k {
				if !eof {
					return 0, 0, true
				}
				eol = len(buf)
			}
		}
		if k+1 >= eol || buf[k+1] != ',' {
			break // the record ends, or is in error to its line's end
		}
		q = nextQuote(buf, k+2, eol)
	}
	if eol == len(buf) {
		return eol, nl, false
	}
	return eol + 1, nl + 1, false
}
