package inflate_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"

	"github.com/curpipe/curpipe/transforms/inflate"
)

func TestEmptyInput(t *testing.T) {
	if _, err := inflate.NewReader(bytes.NewReader(nil)); err != io.EOF {
		t.Errorf("NewReader(empty) = %v, want io.EOF as gzip.NewReader", err)
	}
}

// TestTruncated cuts a two-member stream at every offset: each cut inside
// a member must give io.ErrUnexpectedEOF, never silently short data.
func TestTruncated(t *testing.T) {
	m1 := gz(t, member{data: curCSV(20<<10, 20), name: "a.csv"})
	m2 := gz(t, member{data: randomBytes(3000, 21)}) // stored blocks
	z := append(append([]byte(nil), m1...), m2...)
	for cut := 1; cut < len(z); cut++ {
		if cut == len(m1) {
			continue // a whole first member: valid, as for gzip -dc
		}
		for _, bufLen := range []int{1 << 20, 100} {
			got, err := ours(z[:cut], bufLen)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("cut at %d of %d, %d-byte reads: %d bytes, error %v; want io.ErrUnexpectedEOF",
					cut, len(z), bufLen, len(got), err)
			}
		}
	}
}

// TestFlippedBytes damages one byte at a time: the reader must fail, or
// give the original data (a flip in the last byte's padding bits is
// harmless), and never give other data.
func TestFlippedBytes(t *testing.T) {
	want := curCSV(8<<10, 30)
	z := gz(t, member{data: want, level: 9})
	failed := 0
	for i := 10; i < len(z); i++ {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := append([]byte(nil), z...)
			bad[i] ^= mask
			got, err := ours(bad, 4096)
			switch {
			case err == nil && !bytes.Equal(got, want):
				t.Fatalf("flip %#x at %d: no error but wrong data", mask, i)
			case err != nil && !errors.Is(err, inflate.ErrCorrupt) && !errors.Is(err, io.ErrUnexpectedEOF):
				t.Fatalf("flip %#x at %d: %v, want ErrCorrupt or io.ErrUnexpectedEOF", mask, i, err)
			case err != nil:
				failed++
			}
		}
	}
	t.Logf("%d of %d damaged streams failed", failed, 3*(len(z)-10))
	if failed < 3*(len(z)-10)-6 {
		t.Errorf("only %d of %d damaged streams failed", failed, 3*(len(z)-10))
	}
}

func TestTrailer(t *testing.T) {
	z := gz(t, member{data: curCSV(100<<10, 40)}, member{data: []byte("second")})
	first := len(gz(t, member{data: curCSV(100<<10, 40)}))
	for i := first - 8; i < first; i++ { // CRC-32, then ISIZE
		bad := append([]byte(nil), z...)
		bad[i] ^= 0x10
		_, err := ours(bad, 64<<10)
		if !errors.Is(err, gzip.ErrChecksum) || !errors.Is(err, inflate.ErrCorrupt) {
			t.Errorf("trailer byte %d damaged: %v, want ErrChecksum and ErrCorrupt", i-first+8, err)
		}
	}
}

func TestBadHeader(t *testing.T) {
	good := gz(t, member{data: []byte("hello")})
	tests := []struct {
		name string
		edit func([]byte) []byte
	}{
		{"magic", func(b []byte) []byte { b[1] = 0x8c; return b }},
		{"method", func(b []byte) []byte { b[2] = 7; return b }},
		{"reserved flag", func(b []byte) []byte { b[3] |= 0x20; return b }},
		{"header CRC", func(b []byte) []byte { b = withHeaderCRC(b, 10); b[10] ^= 1; return b }},
		{"long name", func(b []byte) []byte {
			h := append(append([]byte(nil), b[:10]...), bytes.Repeat([]byte("n"), 600)...)
			h[3] |= 1 << 3
			return append(append(h, 0), b[10:]...)
		}},
		{"plain text", func([]byte) []byte { return []byte("identity/LineItemId,bill/PayerAccountId\n") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inflate.NewReader(bytes.NewReader(tt.edit(append([]byte(nil), good...))))
			if !errors.Is(err, gzip.ErrHeader) || !errors.Is(err, inflate.ErrCorrupt) {
				t.Errorf("NewReader: %v, want ErrHeader and ErrCorrupt", err)
			}
		})
	}
}

func TestTrailingGarbage(t *testing.T) {
	good := gz(t, member{data: []byte("hello")})
	tests := []struct {
		name    string
		garbage []byte
		want    error
	}{
		{"10 zeros", make([]byte, 10), gzip.ErrHeader},
		{"short", []byte{0x1f, 0x8b, 8}, io.ErrUnexpectedEOF},
		{"text", []byte("trailing bytes, not gzip"), gzip.ErrHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ours(append(append([]byte(nil), good...), tt.garbage...), 4096)
			if string(got) != "hello" || !errors.Is(err, tt.want) {
				t.Errorf("got %q, %v; want \"hello\", %v", got, err, tt.want)
			}
		})
	}
}

// TestBadDeflate wants flate.CorruptInputError, which transforms/tabular
// tests for, on a stream with an invalid block type.
func TestBadDeflate(t *testing.T) {
	z := gz(t, member{data: []byte("hello")})
	z[10] = 0x07 // BFINAL=1, BTYPE=11: reserved
	_, err := ours(z, 4096)
	var ce flate.CorruptInputError
	if !errors.As(err, &ce) || !errors.Is(err, inflate.ErrCorrupt) {
		t.Errorf("got %v, want a flate.CorruptInputError and ErrCorrupt", err)
	}
}

func TestSourceError(t *testing.T) {
	boom := errors.New("connection reset")
	z := gz(t, member{data: curCSV(mib, 50)})
	src := io.MultiReader(bytes.NewReader(z[:len(z)/2]), iotest.ErrReader(boom))
	if _, err := readAll(src, 64<<10, inflate.NewReader); !errors.Is(err, boom) {
		t.Errorf("got %v, want the source's error", err)
	}
}

func TestClose(t *testing.T) {
	z := gz(t, member{data: curCSV(4*mib, 60)})
	for name, open := range map[string]func(io.Reader) (io.ReadCloser, error){
		inflate.Implementation: inflate.NewReader, "parallel": inflate.NewParallelReader,
	} {
		zr, err := open(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := zr.Read(make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
		if err := zr.Close(); err != nil {
			t.Errorf("%s: Close: %v", name, err)
		}
		if err := zr.Close(); err != nil {
			t.Errorf("%s: second Close: %v", name, err)
		}
		if n, err := zr.Read(make([]byte, 100)); n != 0 || err == nil {
			t.Errorf("%s: Read after Close = %d, %v; want an error", name, n, err)
		}
	}
}

// TestParallelErrors wants the parallel reader to pass on the errors of
// the reader under it, after the data before them.
func TestParallelErrors(t *testing.T) {
	want := curCSV(3*mib, 80)
	z := gz(t, member{data: want})
	got, err := readAll(bytes.NewReader(z[:len(z)-3]), 64<<10, inflate.NewParallelReader)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !bytes.Equal(got, want) {
		t.Errorf("truncated trailer: %d bytes, %v; want all %d bytes, then io.ErrUnexpectedEOF", len(got), err, len(want))
	}
	bad := append([]byte(nil), z...)
	bad[len(bad)-6] ^= 1
	if _, err := readAll(bytes.NewReader(bad), 4096, inflate.NewParallelReader); !errors.Is(err, gzip.ErrChecksum) {
		t.Errorf("bad CRC: %v, want ErrChecksum", err)
	}
}

// TestCopyErrors wants io.Copy, through WriteTo, to report what Read does.
func TestCopyErrors(t *testing.T) {
	z := gz(t, member{data: curCSV(mib, 90)})
	if _, err := copyAll(z[:len(z)/2]); err != io.ErrUnexpectedEOF {
		t.Errorf("truncated: %v, want io.ErrUnexpectedEOF", err)
	}
	bad := append([]byte(nil), z...)
	bad[len(bad)-2] ^= 1
	if _, err := copyAll(bad); !errors.Is(err, gzip.ErrChecksum) {
		t.Errorf("bad size: %v, want ErrChecksum", err)
	}
}
