//go:build !(cgo && isal)

package inflate

import (
	"bufio"
	"io"

	"github.com/klauspost/compress/gzip"
)

// Implementation names the decompressor this build uses.
const Implementation = "klauspost"

// NewReader returns a reader of the gzip stream r, read as described in
// the package doc. It reads the first member's header before returning.
// The caller must call Close, which does not close r.
func NewReader(r io.Reader) (io.ReadCloser, error) {
	c := &countingReader{r: r}
	// A large bufio.Reader means few reads from the source; klauspost's
	// flate has a fast path for *bufio.Reader and would otherwise wrap the
	// source in one of 4 KiB.
	zr, err := gzip.NewReader(bufio.NewReaderSize(c, bufSize))
	if err != nil {
		return nil, classify(err, c.n)
	}
	return &fallbackReader{zr: zr, src: c}, nil
}

// fallbackReader is klauspost's gzip.Reader with its errors classified.
type fallbackReader struct {
	zr     *gzip.Reader
	src    *countingReader
	closed bool
}

func (f *fallbackReader) Read(p []byte) (int, error) {
	if f.closed {
		return 0, errClosed
	}
	n, err := f.zr.Read(p)
	if err != nil {
		err = classify(err, f.src.n)
	}
	return n, err
}

// WriteTo keeps klauspost's WriteTo, which io.Copy prefers and which
// avoids a copy through the caller's buffer.
func (f *fallbackReader) WriteTo(w io.Writer) (int64, error) {
	if f.closed {
		return 0, errClosed
	}
	n, err := f.zr.WriteTo(w)
	if err != nil {
		err = classify(err, f.src.n)
	}
	return n, err
}

func (f *fallbackReader) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	return f.zr.Close()
}

// countingReader counts the bytes read from the source, for CorruptError.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
