//go:build cgo && isal

package inflate

// #include <isa-l/igzip_lib.h>
import "C"

import (
	"encoding/binary"
	"hash/crc32"
	"io"

	"github.com/klauspost/compress/gzip"
)

// Header flags (RFC 1952, section 2.3.1).
const (
	flagHdrCrc  = 1 << 1
	flagExtra   = 1 << 2
	flagName    = 1 << 3
	flagComment = 1 << 4
)

// maxString is the longest name or comment, with its NUL, that klauspost
// accepts; longer ones are ErrHeader there, and so here, so that both
// implementations agree on every input.
const maxString = 512

// readHeader parses a member header in Go, with klauspost's rules and
// errors, and readies the ISA-L state for the member's deflate data.
// It returns io.EOF when the input ends before the header starts.
func (z *isalReader) readHeader() error {
	var b [10]byte
	if err := z.readFull(b[:]); err != nil {
		return err
	}
	if b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 { // magic, deflate
		return z.badHeader()
	}
	flg := b[3]
	digest := crc32.ChecksumIEEE(b[:])
	if flg&flagExtra != 0 {
		if err := z.readFull(b[:2]); err != nil {
			return noEOF(err)
		}
		digest = crc32.Update(digest, crc32.IEEETable, b[:2])
		var err error
		if digest, err = z.skip(int(binary.LittleEndian.Uint16(b[:2])), digest); err != nil {
			return noEOF(err)
		}
	}
	for _, f := range []byte{flagName, flagComment} {
		if flg&f == 0 {
			continue
		}
		var err error
		if digest, err = z.skipString(digest); err != nil {
			return noEOF(err)
		}
	}
	if flg&flagHdrCrc != 0 {
		if err := z.readFull(b[:2]); err != nil {
			return noEOF(err)
		}
		if binary.LittleEndian.Uint16(b[:2]) != uint16(digest) {
			return z.badHeader()
		}
	}
	if flg>>5 != 0 { // reserved bits
		return z.badHeader()
	}
	C.isal_inflate_reset(z.st)
	z.inMember = true
	return nil
}

func (z *isalReader) badHeader() error {
	return &CorruptError{Offset: z.offset(), Err: gzip.ErrHeader}
}

// readFull fills b from the input, as io.ReadFull does from a reader.
func (z *isalReader) readFull(b []byte) error {
	got := 0
	for got < len(b) {
		if z.inPos == z.inEnd {
			if err := z.fill(); err != nil {
				if err == io.EOF && got > 0 {
					return io.ErrUnexpectedEOF
				}
				return err
			}
		}
		n := copy(b[got:], z.in[z.inPos:z.inEnd])
		z.inPos += n
		got += n
	}
	return nil
}

// skip passes over n bytes of input, adding them to the header digest.
func (z *isalReader) skip(n int, digest uint32) (uint32, error) {
	for n > 0 {
		if z.inPos == z.inEnd {
			if err := z.fill(); err != nil {
				return digest, err
			}
		}
		m := min(n, z.inEnd-z.inPos)
		digest = crc32.Update(digest, crc32.IEEETable, z.in[z.inPos:z.inPos+m])
		z.inPos += m
		n -= m
	}
	return digest, nil
}

// skipString passes over a NUL-terminated string, adding it to the digest.
func (z *isalReader) skipString(digest uint32) (uint32, error) {
	for i := 0; i < maxString; i++ {
		if z.inPos == z.inEnd {
			if err := z.fill(); err != nil {
				return digest, err
			}
		}
		c := z.in[z.inPos]
		digest = crc32.Update(digest, crc32.IEEETable, z.in[z.inPos:z.inPos+1])
		z.inPos++
		if c == 0 {
			return digest, nil
		}
	}
	return digest, z.badHeader()
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
