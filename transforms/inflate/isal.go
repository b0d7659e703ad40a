//go:build cgo && isal

package inflate

/*
#cgo LDFLAGS: -lisal
#include <stdlib.h>
#include <isa-l/igzip_lib.h>

// new_state allocates an inflate state set to inflate raw deflate data and
// check the gzip trailer after it; the Go side parses the headers.
static struct inflate_state *new_state(void) {
	struct inflate_state *s = malloc(sizeof *s);
	if (s != NULL) {
		isal_inflate_init(s);
		s->crc_flag = ISAL_GZIP_NO_HDR_VER;
	}
	return s;
}

// step runs isal_inflate over one input and one output window. Both are Go
// memory, which C may hold only for the length of a call, so the pointers
// are set here and cleared before returning. ISA-L keeps the history it
// needs in the state, not in earlier output windows.
static int step(struct inflate_state *s, uint8_t *in, uint32_t in_len,
		uint8_t *out, uint32_t out_len) {
	s->next_in = in;
	s->avail_in = in_len;
	s->next_out = out;
	s->avail_out = out_len;
	int ret = isal_inflate(s);
	s->next_in = NULL;
	s->next_out = NULL;
	return ret;
}
*/
import "C"

import (
	"errors"
	"io"
	"unsafe"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// Implementation names the decompressor this build uses.
const Implementation = "isa-l"

const (
	// directMin is the smallest read inflated straight into the caller's
	// buffer. ISA-L first decodes about 32 KiB into its own window on each
	// call, so smaller reads gain nothing and pay a cgo call each.
	directMin = 64 << 10
	// maxStep bounds one call's output; avail_out is a uint32.
	maxStep = 1 << 30
	// maxEmptyReads is how many (0, nil) reads from the source are
	// tolerated in a row, as in bufio.
	maxEmptyReads = 100
)

// NewReader returns a reader of the gzip stream r, read as described in
// the package doc. It reads the first member's header before returning.
// The caller must call Close, which frees the C state and does not close r.
func NewReader(r io.Reader) (io.ReadCloser, error) {
	st := C.new_state()
	if st == nil {
		return nil, errors.New("inflate: cannot allocate the ISA-L state")
	}
	z := &isalReader{src: r, st: st, in: make([]byte, bufSize)}
	if err := z.readHeader(); err != nil {
		z.Close()
		return nil, err
	}
	return z, nil
}

// isalReader inflates with ISA-L. Compressed bytes go from src to in, and
// inflated bytes straight to the caller's buffer, or through out when the
// caller's buffer is small.
type isalReader struct {
	src    io.Reader
	srcErr error // sticky error from src; io.EOF once it is exhausted
	read   int64 // bytes read from src

	st       *C.struct_inflate_state // C memory; nil after Close
	inMember bool                    // a header has been read, its trailer not yet

	in           []byte
	inPos, inEnd int // in[inPos:inEnd] is not yet given to ISA-L

	out            []byte // allocated on the first small read
	outPos, outEnd int    // out[outPos:outEnd] is not yet returned

	err error // sticky: returned once out is drained
}

func (z *isalReader) Read(p []byte) (int, error) {
	if z.outPos < z.outEnd {
		n := copy(p, z.out[z.outPos:z.outEnd])
		z.outPos += n
		return n, nil
	}
	if z.err != nil {
		return 0, z.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(p) >= directMin {
		n, err := z.inflate(p)
		z.err = err
		return n, err
	}
	if z.out == nil {
		z.out = make([]byte, bufSize)
	}
	n, err := z.inflate(z.out)
	z.err = err
	z.outEnd = n
	z.outPos = copy(p, z.out[:n])
	if z.outPos < n {
		return z.outPos, nil // the error waits until out is drained
	}
	return n, err
}

// WriteTo writes the rest of the stream to w in 256 KiB pieces: io.Copy
// prefers it, and would otherwise read in pieces of 8 or 32 KiB.
func (z *isalReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	if z.out == nil {
		z.out = make([]byte, bufSize)
	}
	for {
		if z.outPos < z.outEnd {
			n, err := w.Write(z.out[z.outPos:z.outEnd])
			z.outPos += n
			total += int64(n)
			if err == nil && z.outPos < z.outEnd {
				err = io.ErrShortWrite
			}
			if err != nil {
				return total, err
			}
			continue
		}
		if z.err == io.EOF {
			return total, nil
		}
		if z.err != nil {
			return total, z.err
		}
		z.outPos = 0
		z.outEnd, z.err = z.inflate(z.out)
	}
}

// inflate fills dst with at least one byte, or returns an error: io.EOF
// when the last member has ended.
func (z *isalReader) inflate(dst []byte) (int, error) {
	if len(dst) > maxStep {
		dst = dst[:maxStep]
	}
	for {
		if !z.inMember {
			if err := z.readHeader(); err != nil {
				return 0, err
			}
		}
		if z.inPos == z.inEnd {
			if err := z.fill(); err != nil && err != io.EOF {
				return 0, err
			}
			// At io.EOF, ISA-L may still hold bits to decode: call it anyway.
		}
		in := z.in[z.inPos:z.inEnd]
		if len(in) == 0 {
			in = z.in[:0] // a pointer inside the array, not past its end
		}
		ret := C.step(z.st, ptr(in), C.uint32_t(len(in)), ptr(dst), C.uint32_t(len(dst)))
		used := len(in) - int(z.st.avail_in)
		n := len(dst) - int(z.st.avail_out)
		z.inPos += used
		if ret < 0 {
			return n, z.fault(ret)
		}
		if z.st.block_state == C.ISAL_BLOCK_FINISH {
			// The trailer matched; the next call reads the next header.
			z.inMember = false
		}
		if n > 0 {
			return n, nil
		}
		if used == 0 && z.inMember {
			if z.inPos < z.inEnd {
				// ISA-L always consumes input it has room for; never spin.
				return 0, &CorruptError{Offset: z.offset(), Err: flate.CorruptInputError(z.offset())}
			}
			if z.srcErr == io.EOF {
				return 0, io.ErrUnexpectedEOF
			}
		}
	}
}

// fault turns an ISA-L error code into the error klauspost would give.
func (z *isalReader) fault(ret C.int) error {
	off := z.offset()
	switch ret {
	case C.ISAL_INCORRECT_CHECKSUM:
		return &CorruptError{Offset: off, Err: gzip.ErrChecksum}
	case C.ISAL_INVALID_WRAPPER, C.ISAL_UNSUPPORTED_METHOD:
		return &CorruptError{Offset: off, Err: gzip.ErrHeader}
	default: // ISAL_INVALID_BLOCK, _SYMBOL, _LOOKBACK
		return &CorruptError{Offset: off, Err: flate.CorruptInputError(off)}
	}
}

// offset is the number of compressed bytes handed to ISA-L or parsed.
func (z *isalReader) offset() int64 { return z.read - int64(z.inEnd-z.inPos) }

// fill reads from src into the empty input buffer. It returns nil once it
// has bytes, and the source's error (io.EOF at the end) when it has none.
func (z *isalReader) fill() error {
	for i := 0; i < maxEmptyReads; i++ {
		if z.srcErr != nil {
			return z.srcErr
		}
		n, err := z.src.Read(z.in)
		z.inPos, z.inEnd = 0, n
		z.read += int64(n)
		z.srcErr = err
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}

// Close frees the C state. It does not close the source.
func (z *isalReader) Close() error {
	if z.st != nil {
		C.free(unsafe.Pointer(z.st))
		z.st = nil
	}
	z.err = errClosed
	z.outPos, z.outEnd = 0, 0
	return nil
}

// ptr is the address of b's first element for C; b must have a capacity.
func ptr(b []byte) *C.uint8_t { return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b))) }
