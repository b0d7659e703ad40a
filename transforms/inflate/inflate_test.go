package inflate_test

import (
	"bytes"
	"io"
	"os"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/gzip"

	"github.com/curpipe/curpipe/transforms/inflate"
)

const mib = 1 << 20

// sources are the ways the compressed bytes reach the reader.
var sources = []struct {
	name string
	wrap func(io.Reader) io.Reader
	max  int // largest compressed input to try it on
}{
	{"whole", func(r io.Reader) io.Reader { return r }, 1 << 30},
	{"half", iotest.HalfReader, 1 << 30},
	{"data+EOF", iotest.DataErrReader, 1 << 30},
	{"one-byte", iotest.OneByteReader, 64 << 10},
}

// checkStream reads the gzip stream z in every way and wants want.
func checkStream(t *testing.T, z, want []byte) {
	t.Helper()
	ref, err := klauspost(z)
	if err != nil || !bytes.Equal(ref, want) {
		t.Fatalf("klauspost: %d bytes, %v; the test data is wrong", len(ref), err)
	}
	copied, err := copyAll(z)
	if err != nil || !bytes.Equal(copied, want) {
		t.Fatalf("io.Copy: %d bytes, %v; want %d bytes", len(copied), err, len(want))
	}
	opens := map[string]func(io.Reader) (io.ReadCloser, error){
		inflate.Implementation: inflate.NewReader,
		"parallel":             inflate.NewParallelReader,
	}
	for on, open := range opens {
		for _, src := range sources {
			if len(z) > src.max {
				continue
			}
			for _, bufLen := range []int{1, 4096, 64<<10 - 1, 64 << 10, mib} {
				if bufLen == 1 && len(want) > 2*mib {
					continue
				}
				got, err := readAll(src.wrap(bytes.NewReader(z)), bufLen, open)
				if err != nil {
					t.Fatalf("%s, %s source, %d-byte reads: %v", on, src.name, bufLen, err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s, %s source, %d-byte reads: got %d bytes, want %d, first difference at %d",
						on, src.name, bufLen, len(got), len(want), firstDiff(got, want))
				}
			}
		}
	}
}

// copyAll reads z with io.Copy, which uses WriteTo where there is one.
func copyAll(z []byte) ([]byte, error) {
	zr, err := inflate.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var out bytes.Buffer
	_, err = io.Copy(&out, zr)
	return out.Bytes(), err
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		data  func() []byte
		level int
		long  bool
	}{
		{name: "empty", data: func() []byte { return nil }},
		{name: "one byte", data: func() []byte { return []byte{'x'} }},
		{name: "random 1 MiB", data: func() []byte { return randomBytes(mib, 1) }},
		{name: "random 1 MiB level 1", data: func() []byte { return randomBytes(mib, 2) }, level: 1},
		{name: "CUR 1 MiB", data: func() []byte { return curCSV(mib, 3) }},
		{name: "CUR 1 MiB level 1", data: func() []byte { return curCSV(mib, 4) }, level: 1},
		{name: "CUR 1 MiB level 9", data: func() []byte { return curCSV(mib, 5) }, level: 9},
		{name: "CUR 1 MiB stored", data: func() []byte { return curCSV(mib, 6) }, level: gzip.NoCompression},
		{name: "CUR 1 MiB huffman only", data: func() []byte { return curCSV(mib, 7) }, level: gzip.HuffmanOnly},
		{name: "zeros 3 MiB", data: func() []byte { return make([]byte, 3*mib) }, level: 9},
		{name: "CUR 50 MiB", data: func() []byte { return curCSV(50*mib, 8) }, long: true},
		{name: "CUR 50 MiB level 1", data: func() []byte { return curCSV(50*mib, 9) }, level: 1, long: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.long && testing.Short() && os.Getenv("CI") != "true" {
				t.Skip("long; not with -short")
			}
			want := tt.data()
			checkStream(t, gz(t, member{data: want, level: tt.level}), want)
		})
	}
}

func TestMultiMember(t *testing.T) {
	a, b, c := curCSV(300<<10, 10), randomBytes(70<<10, 11), curCSV(5*mib, 12)
	one := gz(t, member{data: a[:1000]})
	tests := []struct {
		name    string
		members []member
	}{
		{"two", []member{{data: a}, {data: b}}},
		{"empty members", []member{{}, {data: a}, {}, {}, {data: b}, {}}},
		{"levels 1 and 9", []member{{data: c, level: 1}, {data: a, level: 9}, {data: c, level: 1}}},
		{"header fields", []member{{data: a, name: "cur-00001.csv", extra: []byte("xy")}, {data: b}}},
		{"many small", func() []member {
			var ms []member
			for i := range 200 {
				ms = append(ms, member{data: a[:i*37]})
			}
			return ms
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []byte
			for _, m := range tt.members {
				want = append(want, m.data...)
			}
			checkStream(t, gz(t, tt.members...), want)
		})
	}
	t.Run("header CRC", func(t *testing.T) {
		z := append(withHeaderCRC(one, 10), withHeaderCRC(gz(t, member{data: b, name: "n"}), 12)...)
		checkStream(t, z, append(append([]byte(nil), a[:1000]...), b...))
	})
}

// TestImplementation logs which decompressor the build tags chose, so
// that CI logs show both paths ran.
func TestImplementation(t *testing.T) {
	t.Logf("inflate.Implementation = %q", inflate.Implementation)
	if inflate.Implementation != "isa-l" && inflate.Implementation != "klauspost" {
		t.Errorf("unknown Implementation %q", inflate.Implementation)
	}
}
