package tabular

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// ErrEmpty: the object has no bytes, or no header row.
var ErrEmpty = errors.New("empty file")

// ErrUnknown: the object is not CSV, gzip, zip or Parquet.
var ErrUnknown = errors.New("not a CSV, gzip, zip or Parquet file")

// Source is an object to read. Open uses At for the containers that need
// random access (zip, Parquet) and Stream for those read front to back
// (CSV, gzip), so remote objects are read the cheap way for each.
type Source struct {
	Name   string // the object's name or URL, for messages
	Size   int64
	At     io.ReaderAt
	Stream func() (io.ReadCloser, error)
}

// Open detects the container from the object's first bytes (not its name,
// which exports do not always get right) and returns a Reader for it.
func Open(src Source) (Reader, error) {
	if src.Size == 0 {
		return nil, &RowError{Object: src.Name, Err: ErrEmpty}
	}
	var magic [4]byte
	n, err := src.At.ReadAt(magic[:], 0)
	if n < len(magic) && err != nil && err != io.EOF {
		return nil, fmt.Errorf("read %s: %w", src.Name, err)
	}
	m := magic[:n]
	switch {
	case bytes.HasPrefix(m, []byte{0x1f, 0x8b}):
		return openGzip(src)
	case bytes.HasPrefix(m, []byte("PK\x03\x04")):
		return openZip(src)
	case bytes.Equal(m, []byte("PAR1")):
		return NewParquetReader(src.At, src.Size, src.Name)
	}
	if !looksLikeText(src) {
		return nil, &RowError{Object: src.Name, Err: ErrUnknown}
	}
	rc, err := src.Stream()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", src.Name, err)
	}
	r, err := NewCSVReader(rc, src.Name)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return &closing{Reader: r, closers: []io.Closer{rc}}, nil
}

func openGzip(src Source) (Reader, error) {
	rc, err := src.Stream()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", src.Name, err)
	}
	zr, err := gzip.NewReader(rc)
	if err != nil {
		rc.Close()
		return nil, &RowError{Object: src.Name, Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	r, err := NewCSVReader(zr, src.Name)
	if err != nil {
		zr.Close()
		rc.Close()
		return nil, err
	}
	return &closing{Reader: r, closers: []io.Closer{zr, rc}}, nil
}

// openZip reads the one CSV inside a CUR zip delivery.
func openZip(src Source) (Reader, error) {
	zr, err := zip.NewReader(src.At, src.Size)
	if err != nil {
		return nil, &RowError{Object: src.Name, Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	var entries []*zip.File
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() && !strings.HasPrefix(path.Base(f.Name), ".") {
			entries = append(entries, f)
		}
	}
	if len(entries) != 1 {
		return nil, &RowError{Object: src.Name, Err: fmt.Errorf("zip holds %d files, want exactly one CSV", len(entries))}
	}
	name := src.Name + "!" + entries[0].Name
	ec, err := entries[0].Open()
	if err != nil {
		return nil, &RowError{Object: name, Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	r, err := NewCSVReader(ec, name)
	if err != nil {
		ec.Close()
		return nil, err
	}
	return &closing{Reader: r, closers: []io.Closer{ec}}, nil
}

// looksLikeText rejects binary objects early: a CSV has no NUL bytes.
func looksLikeText(src Source) bool {
	buf := make([]byte, 512)
	n, _ := src.At.ReadAt(buf, 0)
	return bytes.IndexByte(buf[:n], 0) < 0
}

func isCorrupt(err error) bool {
	var ce flate.CorruptInputError
	return errors.As(err, &ce) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) ||
		errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat)
}

// closing closes the layers under a Reader along with it.
type closing struct {
	Reader
	closers []io.Closer
}

func (c *closing) Close() error {
	err := c.Reader.Close()
	for _, cl := range c.closers {
		if e := cl.Close(); e != nil && err == nil {
			err = e
		}
	}
	return err
}
