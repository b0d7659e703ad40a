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

	"github.com/curpipe/curpipe/transforms/inflate"
)

// ErrEmpty: the object has no bytes, or no header row.
var ErrEmpty = errors.New("empty file")

// ErrUnknown: the object is not CSV, gzip, zip or Parquet.
var ErrUnknown = errors.New("not a CSV, gzip, zip or Parquet file")

// Source is an object to read. Open uses At for the containers that need
// random access (zip, Parquet) and Stream for those read front to back
// (CSV, gzip), so remote objects are read the cheap way for each.
type Source struct {
	Name string // the object's name or URL, for messages
	Size int64
	At   io.ReaderAt
	// Stream opens the object for reading front to back. When nil, Open
	// reads At sequentially instead.
	Stream func() (io.ReadCloser, error)
	// Limits bound what the object can make its reader hold; zero fields
	// take DefaultLimits'.
	Limits Limits
}

// sniffLen is how much of an object Open looks at to tell text from binary.
const sniffLen = 512

// Open detects the container from the object's first bytes (not its name,
// which exports do not always get right) and returns a Reader for it.
func Open(src Source) (Reader, error) {
	if src.Size == 0 {
		return nil, &RowError{Object: src.Name, Err: ErrEmpty}
	}
	src.Limits = src.Limits.orDefault()
	if src.Stream == nil {
		src.Stream = func() (io.ReadCloser, error) {
			return io.NopCloser(io.NewSectionReader(src.At, 0, src.Size)), nil
		}
	}
	// One read serves both the magic numbers and the text check, which
	// matters when every ReadAt is a ranged request to an object store.
	head := make([]byte, sniffLen)
	if src.Size > 0 && src.Size < sniffLen {
		head = head[:src.Size]
	}
	n, err := src.At.ReadAt(head, 0)
	if n < len(head) && err != nil && err != io.EOF {
		return nil, fmt.Errorf("read %s: %w", src.Name, err)
	}
	m := head[:n]
	switch {
	case bytes.HasPrefix(m, []byte{0x1f, 0x8b}):
		return openGzip(src)
	// A zip starts with a local file header, or, when it holds no files,
	// with the end of central directory record.
	case bytes.HasPrefix(m, []byte("PK\x03\x04")), bytes.HasPrefix(m, []byte("PK\x05\x06")):
		return openZip(src)
	case bytes.HasPrefix(m, []byte("PAR1")):
		return newParquetReader(src.At, src.Size, src.Name, src.Limits)
	}
	if bytes.HasPrefix(m, []byte{0xff, 0xfe}) || bytes.HasPrefix(m, []byte{0xfe, 0xff}) {
		return nil, &RowError{Object: src.Name, Err: fmt.Errorf("%w: UTF-16 text; billing exports are UTF-8", ErrUnknown)}
	}
	if !looksLikeText(m) {
		return nil, &RowError{Object: src.Name, Err: ErrUnknown}
	}
	rc, err := src.Stream()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", src.Name, err)
	}
	r, err := newFastCSV(rc, src.Name, src.Limits)
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
	// Inflating runs ahead in its own goroutine, so that it and the CSV
	// scan use both cores; with the isal build tag it is ISA-L's inflater.
	zr, err := inflate.NewParallelReader(rc)
	if err != nil {
		rc.Close()
		return nil, &RowError{Object: src.Name, Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	r, err := newFastCSV(inflated(zr, src.Limits.inflateLimit(src.Size), src.Limits.InflateRatio), src.Name, src.Limits)
	if err != nil {
		zr.Close()
		rc.Close()
		return nil, err
	}
	return &closing{Reader: r, closers: []io.Closer{zr, rc}}, nil
}

// inflated bounds an inflating reader to max bytes.
func inflated(r io.Reader, max, ratio int64) io.Reader {
	return &boundedReader{r: r, left: max, err: &LimitError{
		What:  fmt.Sprintf("the inflated data (%s)", byteSize(max)),
		Limit: ratio, Unit: fmt.Sprintf("times its compressed size, at least %s", byteSize(inflateFloor)), Flag: "--max-inflate-ratio"}}
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
	e := entries[0]
	name := src.Name + "!" + e.Name
	if e.Flags&0x1 != 0 {
		return nil, &RowError{Object: name, Err: fmt.Errorf("%w: the zip entry is encrypted", ErrCorrupt)}
	}
	lim := src.Limits
	if e.UncompressedSize64 > uint64(lim.ZipEntryBytes) {
		return nil, &RowError{Object: name, Err: &LimitError{What: fmt.Sprintf("the zip entry's %d bytes", e.UncompressedSize64),
			Limit: lim.ZipEntryBytes, Unit: "bytes", Flag: "--max-zip-entry-bytes"}}
	}
	ec, err := e.Open()
	if err != nil {
		return nil, &RowError{Object: name, Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	// The sizes a zip declares are not to be trusted: count what inflates.
	bound := min(lim.ZipEntryBytes, lim.inflateLimit(int64(min(e.CompressedSize64, 1<<62))))
	r, err := newFastCSV(inflated(ec, bound, lim.InflateRatio), name, lim)
	if err != nil {
		ec.Close()
		return nil, err
	}
	return &closing{Reader: r, closers: []io.Closer{ec}}, nil
}

// looksLikeText rejects binary objects early: CSV text has no control
// bytes other than tab, CR and LF, while 512 random bytes hold some 56.
// Bytes of 0x80 and up are allowed, so that text in a legacy 8-bit charset
// still gets to the header check and its clearer message.
func looksLikeText(head []byte) bool {
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
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
