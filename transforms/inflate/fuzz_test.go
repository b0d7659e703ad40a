package inflate_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/curpipe/curpipe/transforms/inflate"
)

// FuzzReader wants inflate.NewReader and klauspost's gzip reader to agree
// on every input: the same bytes, or both an error. The first byte picks
// the read size and whether the source gives one byte at a time, so that
// buffer boundaries fall everywhere.
func FuzzReader(f *testing.F) {
	a := curCSV(2000, 70)
	seeds := [][]byte{
		gz(f, member{data: a}),
		gz(f, member{data: a, level: 1}, member{data: []byte("x"), name: "b.csv"}),
		gz(f, member{data: randomBytes(300, 71), level: 0}),
		gz(f, member{}),
		withHeaderCRC(gz(f, member{data: []byte("hello"), extra: []byte{1, 2, 3}}), 15),
		append(gz(f, member{data: a[:100]}), "garbage"...),
		[]byte("not gzip at all"),
		{},
	}
	for _, s := range seeds {
		f.Add(byte(0), s)
		f.Add(byte(0x83), s)
	}
	f.Fuzz(func(t *testing.T, mode byte, data []byte) {
		want, werr := klauspost(data)
		var src io.Reader = bytes.NewReader(data)
		if mode&0x80 != 0 {
			src = iotest.OneByteReader(src)
		}
		bufLen := []int{1 << 20, 7, 4096, 64 << 10}[mode&3]
		got, err := readAll(src, bufLen, inflate.NewReader)
		switch {
		case (err == nil) != (werr == nil):
			t.Fatalf("inflate: %d bytes, %v; klauspost: %d bytes, %v", len(got), err, len(want), werr)
		case err == nil && !bytes.Equal(got, want):
			t.Fatalf("outputs differ: %d bytes and %d bytes, first difference at %d", len(got), len(want), firstDiff(got, want))
		case err != nil && !known(err):
			t.Fatalf("unclassified error %v (klauspost: %v)", err, werr)
		}
	})
}

// known reports whether err is one of the errors the package doc lists.
func known(err error) bool {
	return err == io.EOF || err == io.ErrUnexpectedEOF || errors.Is(err, inflate.ErrCorrupt)
}
