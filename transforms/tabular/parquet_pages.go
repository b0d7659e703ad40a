package tabular

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// checkPages checks that every page header in a column chunk is well formed
// and claims no more than the chunk holds, nor more than maxBytes or
// maxBytes/8 values (see Limits.ParquetPageBytes); for snappy, it also
// checks the decompressed length the stream declares. A page over the
// limit is a *LimitError; any other fault, damage.
func checkPages(b []byte, codec format.CompressionCodec, maxBytes int64) error {
	overLimit := func(what string, limit int64, unit string) error {
		return &LimitError{What: what, Limit: limit, Unit: unit, Flag: "--max-parquet-page-bytes"}
	}
	for off := 0; off < len(b); {
		s := thriftScan{b: b[off:]}
		var h format.PageHeader
		err := s.structure(0)
		if err == nil {
			err = thrift.Unmarshal(new(thrift.CompactProtocol), b[off:len(b)-len(s.b)], &h)
		}
		if err != nil {
			return fmt.Errorf("page header at chunk byte %d: %w", off, err)
		}
		values := int64(max(h.DataPageHeader.V.NumValues, h.DictionaryPageHeader.V.NumValues, h.DataPageHeaderV2.V.NumValues))
		body, size := s.b, int(h.CompressedPageSize)
		if size < 0 || size > len(body) || h.UncompressedPageSize < 0 || values < 0 {
			return fmt.Errorf("page at chunk byte %d claims %d bytes (%d unpacked), %d values",
				off, size, h.UncompressedPageSize, values)
		}
		if n := max(int64(size), int64(h.UncompressedPageSize)); n > maxBytes {
			return overLimit(fmt.Sprintf("a page of %s at chunk byte %d", byteSize(n), off), maxBytes, "bytes")
		}
		if values > maxBytes/8 {
			return overLimit(fmt.Sprintf("a page of %d values at chunk byte %d", values, off),
				maxBytes/8, "values, one per 8 bytes of the page limit")
		}
		body = body[:size]
		if v2 := h.DataPageHeaderV2; v2.Valid {
			levels := int64(v2.V.RepetitionLevelsByteLength) + int64(v2.V.DefinitionLevelsByteLength)
			if levels < 0 || levels > int64(size) {
				return fmt.Errorf("page at chunk byte %d claims %d bytes of levels", off, levels)
			}
			body = body[levels:]
			if v2.V.IsCompressed.Valid && !v2.V.IsCompressed.V {
				body = nil
			}
		}
		if codec == format.Snappy && len(body) > 0 {
			n, err := snappy.DecodedLen(body)
			if err != nil {
				return fmt.Errorf("page at chunk byte %d: bad snappy length (%v)", off, err)
			}
			if int64(n) > maxBytes {
				return overLimit(fmt.Sprintf("a page inflating to %s at chunk byte %d", byteSize(int64(n)), off), maxBytes, "bytes")
			}
		}
		if len(body) > 0 {
			n, err := inflatedSize(codec, body, maxBytes)
			if err != nil {
				return fmt.Errorf("page at chunk byte %d: %v", off, err)
			}
			if n > maxBytes {
				return overLimit(fmt.Sprintf("a page inflating past %s at chunk byte %d", byteSize(maxBytes), off), maxBytes, "bytes")
			}
		}
		off = len(b) - len(s.b) + size
	}
	return nil
}

// inflatedSize returns how many bytes a page's body inflates to under
// codec, reading at most limit+1 of them; 0 for the codecs checked
// otherwise (none, snappy). parquet-go inflates gzip, zstd and brotli
// pages until their stream ends, whatever the header claims, so a page of
// a few kilobytes could take gigabytes: these pages are inflated twice.
// AWS writes its Parquet with snappy, which costs nothing here.
func inflatedSize(codec format.CompressionCodec, body []byte, limit int64) (int64, error) {
	var r io.Reader
	switch codec {
	case format.Gzip:
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		r = zr
	case format.Zstd:
		zr, err := zstd.NewReader(bytes.NewReader(body), zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return 0, err
		}
		defer zr.Close()
		r = zr
	case format.Brotli:
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		return 0, nil
	}
	return io.Copy(io.Discard, io.LimitReader(r, limit+1))
}

var errThrift = errors.New("malformed thrift")

// ErrCompression: a column curpipe reads is compressed with a codec it does
// not decode (LZ4). Like ErrCorrupt it fails the whole object; unlike it,
// the file is sound.
var ErrCompression = errors.New("unsupported compression")

// thriftScan walks thrift compact-protocol data without decoding it and
// fails when a length or count exceeds the bytes left.
type thriftScan struct {
	b       []byte
	structs int // structs seen: each costs parquet-go a few hundred bytes
}

func (s *thriftScan) skip(n uint64) error {
	if n > uint64(len(s.b)) {
		return errThrift
	}
	s.b = s.b[n:]
	return nil
}

func (s *thriftScan) varint() (uint64, error) {
	v, n := binary.Uvarint(s.b)
	if n <= 0 {
		return 0, errThrift
	}
	s.b = s.b[n:]
	return v, nil
}

func (s *thriftScan) structure(depth int) error {
	if s.structs++; depth > 32 || s.structs > maxFooterStructs {
		return errThrift
	}
	for {
		if len(s.b) == 0 {
			return errThrift
		}
		h := s.b[0]
		s.b = s.b[1:]
		if h == 0 { // stop
			return nil
		}
		if h>>4 == 0 { // the field id follows as a varint
			if _, err := s.varint(); err != nil {
				return err
			}
		}
		if err := s.value(h&15, depth); err != nil {
			return err
		}
	}
}

// value skips one value of compact type t (Parquet's thrift has no maps).
func (s *thriftScan) value(t byte, depth int) error {
	switch t {
	case 1, 2: // a boolean field: the value is the type
		return nil
	case 3:
		return s.skip(1)
	case 4, 5, 6:
		_, err := s.varint()
		return err
	case 7:
		return s.skip(8)
	case 8:
		n, err := s.varint()
		if err != nil {
			return err
		}
		return s.skip(n)
	case 9, 10: // list, set
		if len(s.b) == 0 {
			return errThrift
		}
		h := s.b[0]
		s.b = s.b[1:]
		n := uint64(h >> 4)
		if n == 15 {
			var err error
			if n, err = s.varint(); err != nil {
				return err
			}
		}
		if n > uint64(len(s.b)) { // every element takes at least a byte
			return errThrift
		}
		for range n {
			var err error
			if t := h & 15; t == 1 || t == 2 {
				err = s.skip(1)
			} else {
				err = s.value(t, depth+1)
			}
			if err != nil {
				return err
			}
		}
		return nil
	case 12:
		return s.structure(depth + 1)
	}
	return errThrift
}
