package tabular_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/tabular"
)

const sampleCSV = "\ufeffidentity/LineItemId,bill/BillingEntity,lineItem/UnblendedCost\r\n" +
	"a1,\"Amazon Web Services Canada, Inc.\",1.81E-8\r\n" +
	"a2,AWS,2.5893953072562468e-05\r\n"

var sampleRows = [][]string{
	{"a1", "Amazon Web Services Canada, Inc.", "1.81E-8"},
	{"a2", "AWS", "2.5893953072562468e-05"},
}

func gzipBytes(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipEntry is a file to put in a zip; a name ending in "/" is a directory.
type zipEntry struct {
	name, body string
	store      bool // no compression, so that tests can damage the data
}

func zipBytes(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.store {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// streamState records what became of the streams a Source opened.
type streamState struct{ opened, closed int }

// tracked is a Stream whose Close is recorded.
type tracked struct {
	io.Reader
	st *streamState
}

func (t tracked) Close() error { t.st.closed++; return nil }

// source makes a Source over data. With st nil it leaves Stream nil, so
// that Open reads At.
func source(data []byte, st *streamState) tabular.Source {
	src := tabular.Source{Name: "obj", Size: int64(len(data)), At: bytes.NewReader(data)}
	if st != nil {
		src.Stream = func() (io.ReadCloser, error) {
			st.opened++
			return tracked{bytes.NewReader(data), st}, nil
		}
	}
	return src
}

// readAllRows reads every row of r, stopping at the first error.
func readAllRows(r tabular.Reader) ([][]string, error) {
	var rows [][]string
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		// The strings may point into the reader's buffer: copy them.
		kept := make([]string, len(row))
		for i, v := range row {
			kept[i] = strings.Clone(v)
		}
		rows = append(rows, kept)
	}
}

func TestOpenContainers(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"plain CSV", []byte(sampleCSV)},
		{"gzip", gzipBytes(t, sampleCSV)},
		{"gzip of two members", append(gzipBytes(t, sampleCSV[:90]), gzipBytes(t, sampleCSV[90:])...)},
		{"zip", zipBytes(t, zipEntry{name: "koku-1.csv", body: sampleCSV})},
		{"zip stored", zipBytes(t, zipEntry{name: "koku-1.csv", body: sampleCSV, store: true})},
		{"zip with a folder and macOS litter", zipBytes(t, zipEntry{name: "out/"},
			zipEntry{name: "__MACOSX/out/._koku-1.csv", body: "\x00\x05\x16\x07"},
			zipEntry{name: "out/koku-1.csv", body: sampleCSV})},
	}
	for _, tc := range tests {
		for _, stream := range []bool{true, false} {
			name := tc.name
			if !stream {
				name += " without Stream"
			}
			t.Run(name, func(t *testing.T) {
				var st *streamState
				if stream {
					st = new(streamState)
				}
				r, err := tabular.Open(source(tc.data, st))
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if h := r.Header(); !slices.Equal(h, []string{"identity/LineItemId", "bill/BillingEntity", "lineItem/UnblendedCost"}) {
					t.Errorf("Header = %q", h)
				}
				rows, err := readAllRows(r)
				if err != nil || !slices.EqualFunc(rows, sampleRows, slices.Equal) {
					t.Errorf("rows = %q, %v; want %q", rows, err, sampleRows)
				}
				if r.Pos() != 3 {
					t.Errorf("Pos = %d, want 3", r.Pos())
				}
				if err := r.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
				if st != nil && st.opened != st.closed {
					t.Errorf("Close left streams open: %+v", *st)
				}
			})
		}
	}
}

func TestOpenErrors(t *testing.T) {
	gz := gzipBytes(t, strings.Repeat(sampleCSV, 200))
	badCRC := slices.Clone(gz)
	badCRC[len(badCRC)-8] ^= 0xff // the CRC-32 in the gzip trailer
	badSize := slices.Clone(gz)
	badSize[len(badSize)-1] ^= 0xff // ISIZE
	zipped := zipBytes(t, zipEntry{name: "a.csv", body: sampleCSV, store: true})
	zipBadCRC := bytes.Replace(zipped, []byte("a2,AWS"), []byte("a2,AWZ"), 1)
	junk := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}

	tests := []struct {
		name string
		data []byte
		err  error  // a sentinel the error must wrap
		text string // or, when err is nil, what its message must say
	}{
		{"empty object", nil, tabular.ErrEmpty, ""},
		{"empty CSV inside gzip", gzipBytes(t, ""), tabular.ErrEmpty, ""},
		{"empty CSV inside zip", zipBytes(t, zipEntry{name: "a.csv"}), tabular.ErrEmpty, ""},
		{"zip of no files", zipBytes(t), nil, "zip holds 0 files"},
		{"zip of a folder only", zipBytes(t, zipEntry{name: "out/"}), nil, "zip holds 0 files"},
		{"zip of two files", zipBytes(t, zipEntry{name: "a.csv", body: sampleCSV}, zipEntry{name: "b.csv", body: sampleCSV}),
			nil, "zip holds 2 files"},
		{"random bytes", junk, tabular.ErrUnknown, ""},
		{"NUL bytes", []byte("a,b\n1,\x002\n"), tabular.ErrUnknown, ""},
		{"an ELF binary", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"), tabular.ErrUnknown, ""},
		{"a PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), tabular.ErrUnknown, ""},
		{"gzip cut in its header", gz[:5], tabular.ErrCorrupt, ""},
		{"gzip cut in half", gz[:len(gz)/2], tabular.ErrCorrupt, ""},
		{"gzip without its trailer", gz[:len(gz)-8], tabular.ErrCorrupt, ""},
		{"gzip with a bad CRC", badCRC, tabular.ErrCorrupt, ""},
		{"gzip with a bad length", badSize, tabular.ErrCorrupt, ""},
		{"gzip followed by junk", append(slices.Clone(gz), "junk"...), tabular.ErrCorrupt, ""},
		{"zip with a bad CRC", zipBadCRC, tabular.ErrCorrupt, ""},
		{"zip cut short", zipped[:len(zipped)-30], tabular.ErrCorrupt, ""},
		{"UTF-16 with its mark", []byte("\xff\xfea\x00,\x00b\x00\n\x00"), tabular.ErrUnknown, ""},
		{"a selected column twice", []byte("identity/LineItemId,lineItem/UnblendedCost,lineItem/UnblendedCost\na,1,2\n"), tabular.ErrHeader, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var st streamState
			r, err := tabular.Open(source(tc.data, &st))
			if err == nil {
				if err = r.Select(r.Header()); err == nil {
					_, err = readAllRows(r)
				}
				r.Close()
			}
			if err == nil {
				t.Fatal("no error")
			}
			if st.opened != st.closed {
				t.Errorf("streams left open: %+v", st)
			}
			var re *tabular.RowError
			if !errors.As(err, &re) || re.Object == "" || !strings.HasPrefix(re.Object, "obj") {
				t.Errorf("error %#v is not a *RowError naming the object", err)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("error = %v, want %v", err, tc.err)
			}
			if tc.err == nil && !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error = %v, want it to say %q", err, tc.text)
			}
		})
	}
}

// Parquet is recognized by its magic number and handed to the Parquet
// reader, whatever that makes of it; it is not unknown.
func TestOpenDetectParquet(t *testing.T) {
	_, err := tabular.Open(source([]byte("PAR1 not really parquet"), nil))
	if errors.Is(err, tabular.ErrUnknown) {
		t.Errorf("Open of a PAR1 object: %v", err)
	}
}

// Text in a legacy 8-bit charset is not binary: it gets through to the
// header, where a billing check can say what is wrong with it.
func TestOpenDetectLatin1(t *testing.T) {
	r, err := tabular.Open(source([]byte("caf\xe9,b\n1,2\n"), new(streamState)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	if h := r.Header(); len(h) != 2 || h[0] != "caf\xe9" {
		t.Errorf("Header = %q", h)
	}
}

type failingAt struct{ err error }

func (f failingAt) ReadAt([]byte, int64) (int, error) { return 0, f.err }

func TestOpenReadAtFails(t *testing.T) {
	boom := errors.New("403 Forbidden")
	_, err := tabular.Open(tabular.Source{Name: "obj", Size: 100, At: failingAt{boom}})
	if !errors.Is(err, boom) {
		t.Errorf("Open = %v, want %v", err, boom)
	}
}

func TestOpenStreamFails(t *testing.T) {
	boom := errors.New("503 Slow Down")
	for _, data := range [][]byte{[]byte(sampleCSV), gzipBytes(t, sampleCSV)} {
		src := source(data, nil)
		src.Stream = func() (io.ReadCloser, error) { return nil, boom }
		if _, err := tabular.Open(src); !errors.Is(err, boom) {
			t.Errorf("Open = %v, want %v", err, boom)
		}
	}
}
