package tabular

import (
	"errors"
	"fmt"
	"io"
)

// Limits bound what an input can make a reader hold or do. A file that
// exceeds one fails with a *LimitError (wrapped in a *RowError that says
// where), which names the limit and the flag that changes it; the reader
// never grows past the limits, whatever the file holds.
type Limits struct {
	// HeaderBytes bounds the header line (CUR 1.0 headers grow with the
	// cost allocation tags: thousands of columns are seen).
	HeaderBytes int
	// RecordBytes bounds one CSV record, quoted line breaks included.
	RecordBytes int
	// FieldBytes bounds one field that curpipe reads.
	FieldBytes int
	// Fields bounds the columns of the header.
	Fields int
	// InflateRatio bounds the bytes a gzip or zip file inflates to, per
	// byte of its compressed size (a floor of 64 MiB allows small files
	// more). CUR's CSV compresses 5 to 30 times.
	InflateRatio int64
	// ZipEntryBytes bounds the inflated size of the CSV inside a zip.
	ZipEntryBytes int64
	// ParquetColumnChunkBytes bounds one selected column chunk of a
	// Parquet row group (compressed), which is read whole.
	ParquetColumnChunkBytes int64
	// ParquetRowGroupBytes bounds a row group's selected column chunks
	// together; row groups are read a few at a time.
	ParquetRowGroupBytes int64
	// ParquetPageBytes bounds a page of a selected Parquet column as its
	// header claims it, compressed and uncompressed (and, for snappy, as
	// its data says it inflates), since parquet-go allocates what a header
	// says before it decodes. It bounds the values a page claims to
	// ParquetPageBytes/8 too: what decoding allocates per value (levels,
	// a dictionary index or byte array offset, an INT64 or DOUBLE) then
	// takes about as much as the page may.
	ParquetPageBytes int64
}

// inflateFloor is what any compressed file may inflate to, whatever
// InflateRatio says of its size. A variable so that tests can lower it.
var inflateFloor int64 = 64 << 20

// DefaultLimits are generous for any billing export AWS writes and keep
// a reader's memory in the tens of megabytes.
var DefaultLimits = Limits{
	HeaderBytes:   4 << 20,
	RecordBytes:   8 << 20,
	FieldBytes:    1 << 20,
	Fields:        100_000,
	InflateRatio:  200,
	ZipEntryBytes: 64 << 30,
	// AWS writes row groups of some 100 MB, all columns together.
	ParquetColumnChunkBytes: 128 << 20,
	ParquetRowGroupBytes:    256 << 20,
	// Writers cut pages at about 1 MB and 20,000 values.
	ParquetPageBytes: 128 << 20,
}

// orDefault fills the limits left zero (or below) with the defaults.
func (l Limits) orDefault() Limits {
	d := DefaultLimits
	orInt(&l.HeaderBytes, d.HeaderBytes)
	orInt(&l.RecordBytes, d.RecordBytes)
	orInt(&l.FieldBytes, d.FieldBytes)
	orInt(&l.Fields, d.Fields)
	orInt(&l.InflateRatio, d.InflateRatio)
	orInt(&l.ZipEntryBytes, d.ZipEntryBytes)
	orInt(&l.ParquetColumnChunkBytes, d.ParquetColumnChunkBytes)
	orInt(&l.ParquetRowGroupBytes, d.ParquetRowGroupBytes)
	orInt(&l.ParquetPageBytes, d.ParquetPageBytes)
	return l
}

func orInt[T int | int64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// ErrLimit is what every *LimitError matches with errors.Is.
var ErrLimit = errors.New("over a limit")

// LimitError reports an input past one of the Limits.
type LimitError struct {
	What  string // "a record", "the header line", ...
	Limit int64  // the limit, in the unit Unit says
	Unit  string // "bytes", "fields", "times its compressed size"
	Flag  string // the command-line flag that sets it
}

func (e *LimitError) Error() string {
	limit := fmt.Sprint(e.Limit)
	if e.Unit == "bytes" {
		limit = byteSize(e.Limit)
	} else {
		limit += " " + e.Unit
	}
	return fmt.Sprintf("%s is over the limit of %s (%s)", e.What, limit, e.Flag)
}

// Is makes every LimitError match ErrLimit.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// byteSize prints n bytes in the largest binary unit that divides it.
func byteSize(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// inflateLimit is the most a compressed object of size bytes may inflate
// to under l.
func (l Limits) inflateLimit(size int64) int64 {
	if size > (1<<62)/l.InflateRatio {
		return 1 << 62
	}
	return max(size*l.InflateRatio, inflateFloor)
}

// boundedReader fails a read that would take the inflated stream past max.
type boundedReader struct {
	r    io.Reader
	left int64
	err  *LimitError
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a stream that ends exactly at the bound
		// from one that goes on.
		var one [1]byte
		n, err := io.ReadFull(b.r, one[:])
		switch {
		case n > 0:
			return 0, b.err
		case err == io.ErrUnexpectedEOF:
			return 0, io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
