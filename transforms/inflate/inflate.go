// Package inflate decompresses gzip streams as fast as the machine allows.
//
// NewReader returns a streaming gzip reader with the behaviour of
// github.com/klauspost/compress/gzip in multistream mode (the mode of
// `gzip -dc`): concatenated members are read one after another, and each
// member's CRC-32 and ISIZE trailer is checked. Two implementations sit
// behind it, chosen at build time and named by Implementation:
//
//   - "isa-l": Intel's ISA-L inflate (igzip) through cgo, some 4x faster
//     than the pure-Go decoders. Built with cgo and the `isal` build tag,
//     which needs the library and its headers (Debian: libisal-dev):
//     go build -tags isal ./...
//   - "klauspost": github.com/klauspost/compress/gzip, pure Go. Used
//     otherwise, so a build never fails for want of the library.
//
// Both give the same output and the same errors for the same input:
//
//   - io.EOF from NewReader when the input is empty, as gzip.NewReader;
//   - io.ErrUnexpectedEOF, unwrapped, when the input ends inside a member;
//   - a *CorruptError when the input is not gzip or is damaged. It matches
//     ErrCorrupt with errors.Is, and also whatever klauspost would have
//     returned: gzip.ErrHeader (bad header, or trailing bytes that are not a
//     member), gzip.ErrChecksum (CRC-32 or size mismatch) or, with errors.As,
//     flate.CorruptInputError (bad deflate data);
//   - errors from the underlying reader, as they were.
//
// A truncation that falls exactly between two members cannot be told from a
// shorter file, by this package or by gzip itself.
//
// NewParallelReader runs the decompressor on its own goroutine, so that a
// consumer such as a CSV parser can use a second core.
//
// Readers are not safe for concurrent use, and Close must be called: the
// ISA-L reader holds C memory (about 90 KB) that no finalizer frees.
package inflate

import (
	"errors"
	"fmt"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// ErrCorrupt is matched by every error that reports damaged or non-gzip
// input, whichever implementation found it.
var ErrCorrupt = errors.New("corrupt gzip input")

// errClosed is returned by reads after Close.
var errClosed = errors.New("inflate: read after Close")

// bufSize is the size of the input buffer and of the output buffer used
// for small reads: large enough that a cgo call and a read from the source
// are paid per 256 KiB rather than per 4 KiB.
const bufSize = 256 << 10

// CorruptError reports input that is not a valid gzip stream.
type CorruptError struct {
	// Offset is how far into the compressed input the reader had got when
	// it found the fault: the fault lies at or before it.
	Offset int64
	// Err is gzip.ErrHeader, gzip.ErrChecksum or a flate.CorruptInputError.
	Err error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("inflate: %v near compressed byte %d: %v", ErrCorrupt, e.Offset, e.Err)
}

// Unwrap gives both ErrCorrupt and the klauspost error, so that either
// can be tested for with errors.Is or errors.As.
func (e *CorruptError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }

// classify wraps the errors klauspost uses for damaged input in a
// CorruptError and returns the rest unchanged.
func classify(err error, off int64) error {
	var ce flate.CorruptInputError
	if errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, &ce) {
		return &CorruptError{Offset: off, Err: err}
	}
	return err
}
