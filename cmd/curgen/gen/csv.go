package gen

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
)

// timeStyle is how a CSV file writes its timestamps.
type timeStyle uint8

// The styles seen in CUR files; ParseTime must read all three.
const (
	timeMillis timeStyle = iota // 2024-03-01T00:00:00.000Z, as most CUR files
	timeZ                       // 2024-03-01T00:00:00Z, as the CUR documentation
	timeSpace                   // 2024-03-01 00:00:00, as tools that drop the zone
)

var timeLayouts = [...]string{"2006-01-02T15:04:05.000Z", "2006-01-02T15:04:05Z", "2006-01-02 15:04:05"}

// csvFlush is the size at which a CSV writer hands its buffer on.
const csvFlush = 256 << 10

// csvWriter writes CUR 1.0 CSV: fields quoted only when they must be (as
// AWS does), CRLF line endings, every number in a notation drawn at random.
type csvWriter struct {
	w     io.Writer
	buf   []byte
	n     int64 // bytes written, uncompressed
	times string
	// notes draws each number's notation. It is not the rows' source, so
	// that the rows are the same whatever the format.
	notes *rand.Rand
}

func newCSVWriter(w io.Writer, times timeStyle, notes *rand.Rand) *csvWriter {
	return &csvWriter{w: w, buf: make([]byte, 0, csvFlush+8<<10), times: timeLayouts[times], notes: notes}
}

func (c *csvWriter) writeHeader() error {
	for i, col := range cur1Columns {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		c.buf = append(c.buf, col.full()...)
	}
	c.buf = append(c.buf, '\r', '\n')
	return c.maybeFlush()
}

func (c *csvWriter) write(it *item) error {
	b := c.buf
	for i, col := range cur1Columns {
		if i > 0 {
			b = append(b, ',')
		}
		switch col.kind {
		case kindString:
			b = appendField(b, col.str(it))
		case kindNumber:
			if a := col.num(it); a.set {
				b = appendNumber(b, a.f, c.notation())
			}
		case kindTime:
			if t := col.tim(it); !t.IsZero() {
				b = t.AppendFormat(b, c.times)
			}
		}
	}
	c.buf = append(b, '\r', '\n')
	return c.maybeFlush()
}

// notation draws a number's notation: mostly Java's, as CUR writes, some
// Python's, as tools that rewrite CUR do, a few plain.
func (c *csvWriter) notation() notation {
	switch n := c.notes.IntN(10); {
	case n < 6:
		return javaNotation
	case n < 9:
		return pythonNotation
	}
	return plainNotation
}

func (c *csvWriter) maybeFlush() error {
	if len(c.buf) < csvFlush {
		return nil
	}
	return c.flush()
}

func (c *csvWriter) flush() error {
	n, err := c.w.Write(c.buf)
	c.n += int64(n)
	c.buf = c.buf[:0]
	return err
}

// appendField appends s, quoted when it holds a comma, quote or newline.
func appendField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// asyncWriter hands full buffers to a goroutine that writes them on, so
// that drawing rows and compressing them run on two cores.
type asyncWriter struct {
	w    io.Writer
	buf  []byte
	full chan []byte
	free chan []byte
	done chan struct{}
	mu   sync.Mutex
	err  error // the first error of w
}

func newAsyncWriter(w io.Writer, size int) *asyncWriter {
	const buffers = 3
	a := &asyncWriter{w: w, full: make(chan []byte, buffers), free: make(chan []byte, buffers), done: make(chan struct{})}
	for i := 0; i < buffers-1; i++ {
		a.free <- make([]byte, 0, size)
	}
	a.buf = make([]byte, 0, size)
	go a.run()
	return a
}

func (a *asyncWriter) run() {
	defer close(a.done)
	for b := range a.full {
		if a.failed() == nil {
			if _, err := a.w.Write(b); err != nil {
				a.mu.Lock()
				a.err = err
				a.mu.Unlock()
			}
		}
		a.free <- b[:0]
	}
}

func (a *asyncWriter) failed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// Write copies p; an error of the underlying writer shows at a later call.
func (a *asyncWriter) Write(p []byte) (int, error) {
	if err := a.failed(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		k := copy(a.buf[len(a.buf):cap(a.buf)], p)
		a.buf, p = a.buf[:len(a.buf)+k], p[k:]
		if len(a.buf) == cap(a.buf) {
			a.full <- a.buf
			a.buf = <-a.free
		}
	}
	return n, nil
}

// Close writes what is buffered, waits for the goroutine, and returns the
// first error of the underlying writer. It does not close that writer.
func (a *asyncWriter) Close() error {
	if len(a.buf) > 0 {
		a.full <- a.buf
		a.buf = nil
	}
	close(a.full)
	<-a.done
	if err := a.failed(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
