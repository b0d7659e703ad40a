package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/gzip"
)

// outcome is everything a Reader shows of one input: the header or the
// constructor's error, then one entry per call of Next up to io.EOF.
type outcome struct {
	header []string
	err    string // of the constructor
	steps  []string
	width  int
}

// sentinels are the errors a caller may test for with errors.Is.
var sentinels = []error{ErrEmpty, ErrHeader, ErrFieldCount, ErrCorrupt, csv.ErrQuote, csv.ErrBareQuote, io.ErrUnexpectedEOF}

// describe renders an error with what a caller can learn of it: the
// message, the sentinels it wraps, and its *RowError position.
func describe(err error) string {
	s := fmt.Sprintf("error %q", err)
	for _, e := range sentinels {
		if errors.Is(err, e) {
			s += fmt.Sprintf(" is %q", e)
		}
	}
	if re, ok := errors.AsType[*RowError](err); ok {
		s += fmt.Sprintf(" at %d", re.Pos)
	}
	return s
}

// run reads all of src with the reader that open makes, selecting sel
// unless it is nil.
func run(open func(io.Reader, string) (Reader, error), src io.Reader, sel []string) outcome {
	r, err := open(src, "t.csv")
	if err != nil {
		return outcome{err: describe(err)}
	}
	defer r.Close()
	o := outcome{header: slices.Clone(r.Header())}
	if sel != nil {
		if err := r.Select(sel); err != nil {
			o.err = describe(err)
			return o
		}
	}
	for len(o.steps) < 100000 {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			o.steps = append(o.steps, fmt.Sprintf("%d: %s", r.Pos(), describe(err)))
			if _, ok := errors.AsType[*RowError](err); !ok || errors.Is(err, ErrCorrupt) {
				break // a source error repeats; one is enough
			}
			continue
		}
		o.steps = append(o.steps, fmt.Sprintf("%d: %q", r.Pos(), row))
	}
	o.width = r.(interface{ Width() int }).Width()
	return o
}

// diffOutcomes says how two outcomes differ, or returns "".
func diffOutcomes(want, got outcome) string {
	if want.err != got.err {
		return fmt.Sprintf("constructor: want %s, got %s", want.err, got.err)
	}
	if !slices.Equal(want.header, got.header) {
		return fmt.Sprintf("header: want %q, got %q", want.header, got.header)
	}
	for i := range max(len(want.steps), len(got.steps)) {
		w, g := "io.EOF", "io.EOF"
		if i < len(want.steps) {
			w = want.steps[i]
		}
		if i < len(got.steps) {
			g = got.steps[i]
		}
		if w != g {
			return fmt.Sprintf("Next #%d:\nwant %s\ngot  %s", i+1, w, g)
		}
	}
	if want.width != got.width {
		return fmt.Sprintf("Width: want %d, got %d", want.width, got.width)
	}
	return ""
}

// withBufSize runs f with the scanner's buffer at n bytes.
func withBufSize(n int, f func()) {
	defer func(old int) { fastBufSize = old }(fastBufSize)
	fastBufSize = n
	f()
}

// bufSizes puts the buffer's end at every offset of short inputs.
var bufSizes = []int{1, 2, 3, 4, 5, 6, 7, 8, 11, 16, 17, 31, 64, 1 << 20}

// checkSame fails t unless NewFastCSVReader reads in exactly as
// NewCSVReader does, at every buffer size and with small reads too.
func checkSame(t *testing.T, in []byte, sel []string) {
	t.Helper()
	want := run(NewCSVReader, bytes.NewReader(in), sel)
	for _, n := range bufSizes {
		withBufSize(n, func() {
			if d := diffOutcomes(want, run(NewFastCSVReader, bytes.NewReader(in), sel)); d != "" {
				t.Errorf("buffer of %d: %s", n, d)
			}
		})
	}
	if d := diffOutcomes(want, run(NewFastCSVReader, iotest.OneByteReader(bytes.NewReader(in)), sel)); d != "" {
		t.Errorf("one byte at a time: %s", d)
	}
}

// fastCases are inputs where CSV is easy to get wrong. Each is read
// without Select and with the selections in fastSelections.
var fastCases = []struct{ name, in string }{
	{"plain", "a,b,c\n1,2,3\n4,5,6\n"},
	{"no newline at the end", "a,b\n1,2"},
	{"header only", "a,b\n"},
	{"header only, no newline", "a,b"},
	{"empty", ""},
	{"blank lines only", "\n\r\n\n"},
	{"BOM alone", "\ufeff"},
	{"BOM and a CR", "\ufeff\r"},
	{"BOM", "\ufeffa,b\r\n1,2\r\n"},
	{"BOM before a quoted name", "\ufeff\"a\",b\n1,2\n"},
	{"half a BOM", "\xef\xbba,b\n1,2\n"},
	{"CRLF", "a,b\r\n1,2\r\n3,4\r\n"},
	{"CRLF without the last", "a,b\r\n1,2\r\n3,4"},
	{"a final CR", "a,b\n1,2\r"},
	{"two final CRs", "a,b\n1,2\r\r"},
	{"CR CR LF", "a,b\r\r\n1,2\r\r\n"},
	{"lone CRs are data", "a\rb,c\n1\r2,\r\n"},
	{"a record starting with CR", "a,b\n\r1,2\n\r\n"},
	{"empty fields", "a,b,c\n,,\n\"\",\"\",\"\"\n,\"\",\r\n"},
	{"quoted commas", "entity,cost\n\"Amazon Web Services Canada, Inc.\",1.81E-8\n"},
	{"quoted newlines and quotes", "a,b\n\"two\nlines\",\"say \"\"hi\"\"\"\r\n\"x\r\ny\",2\n3,4\n"},
	{"quoted CR alone and before the quote", "a,b\n\"x\ry\",\"z\r\"\n\"\r\r\n\",1\n"},
	{"a quoted field of blank lines", "a,b\n\"\n\n\r\n\",1\n2,3\n"},
	{"doubled quotes only", "a,b\n\"\"\"\"\"\",\"\"\"\"\n"},
	{"a quoted header", "\"a,1\",\"b\"\"\",\"c\nd\"\n1,2,3\n"},
	{"blank lines are skipped", "a,b\n\n1,2\n\r\n3,4\n\n"},
	{"blank lines before the header", "\n\r\n\na,b\n1,2\n"},
	{"a line of spaces is a row", "a\n \n1\n"},
	{"a bare quote", "a,b\n1,x\"y\n3,4\n"},
	{"a bare quote in the first field", "a,b\nx\"y,1\n3,4\n"},
	{"a bare quote in the last field", "a,b\n1,y\"\r\n3,4\r\n"},
	{"a bare quote then a quoted newline", "a,b\nx\"y,\"1\n2\"\n3,4\n"},
	{"a bare quote after a quoted newline", "a,b\n\"1\n2\",x\"y\n3,4\n"},
	{"text after a closing quote", "a,b\n\"x\"y,1\n3,4\n"},
	{"CR after a closing quote", "a,b\n\"x\"\r,1\n3,4\n"},
	{"text after a closing quote on a later line", "a,b\n\"x\ny\"z,1\n3,4\n"},
	{"a space after a closing quote", "a,b\n1,\"x\" \n3,4\n"},
	{"an unclosed quote runs to the end", "a,b\n1,2\n3,\"open\nmore\nlines\n"},
	{"an unclosed quote over CRLF", "a,b\r\n1,2\r\n3,\"open\r\nmore\r\n"},
	{"an unclosed quote at the very end", "a,b\n1,\""},
	{"an unclosed quote with a final CR", "a,b\n1,\"x\r"},
	{"an unclosed quote after a blank line", "a,b\n1,\"x\n\n"},
	{"an unclosed quote with doubled quotes", "a,b\n1,\"x\"\"y\"\"\n"},
	{"an unclosed quote in the header", "\"a,b\nc\n"},
	{"a bare quote in the header", "a\"b,c\n1,2\n"},
	{"a header after blank lines with a bare quote", "\n\na\"b\n"},
	{"rows of other widths, and the reader goes on", "a,b\n1,2\n1,2,3\n4\n5,6\n"},
	{"a header wider than every row", "a,b,c,d\n1,2,3\n4,5,6\n7,8\n"},
	{"a header narrower than the rows", "a,b,cd\n1,2,3,4\n5,6,7,8\n"},
	{"a header narrower, then a row that fits", "a,b\n1,2,3\n4,5\n6,7,8\n"},
	{"errors before the first good row", "a,b\n\"x\"y\n1,2,3\n4,5\n"},
	{"blank and repeated names", ",a,a\n1,2,3\n"},
	{"non-ASCII and NUL bytes", "é,\x00\n\xff\xfe,\"ü,\x00\"\n"},
	// koku's test_cur.csv: 131 names over rows of 130 fields.
	{"koku-like ragged header", kokuLike()},
}

// fastSelections are the Select arguments each case is read with too.
var fastSelections = [][]string{
	{"b"},
	{"c", "zzz", "a", "c"},
	{"", "a"},
	{},
	{"lineItem/UnblendedCost", "a,1", "c\nd", "b\""},
}

// kokuLike is a header of 131 names over rows of 130 fields, with the
// quoted commas of real rows.
func kokuLike() string {
	var b strings.Builder
	for i := range 131 {
		if i > 0 {
			b.WriteByte(',')
		}
		if i == 7 {
			b.WriteString("lineItem/UnblendedCost")
			continue
		}
		fmt.Fprintf(&b, "col%d", i)
	}
	b.WriteString("\r\n")
	for r := range 3 {
		for i := range 130 {
			if i > 0 {
				b.WriteByte(',')
			}
			switch i % 5 {
			case 0:
				b.WriteString("\"Amazon Web Services, Inc.\"")
			case 1:
				fmt.Fprintf(&b, "%d.5E-8", r)
			case 2: // blank
			default:
				fmt.Fprintf(&b, "v%d", i)
			}
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

func TestFastCSVMatchesCSV(t *testing.T) {
	for _, tc := range fastCases {
		t.Run(tc.name, func(t *testing.T) {
			checkSame(t, []byte(tc.in), nil)
			for _, sel := range fastSelections {
				checkSame(t, []byte(tc.in), sel)
			}
		})
	}
}

// The comparison above would pass for two readers wrong alike: pin a few
// outcomes down.
func TestFastCSVOutcomes(t *testing.T) {
	o := run(NewFastCSVReader, strings.NewReader("a,b\n\"two\r\nlines\",\"say \"\"hi\"\"\"\r\n\r\n3,4"), nil)
	want := []string{`2: ["two\nlines" "say \"hi\""]`, `5: ["3" "4"]`}
	if !slices.Equal(o.steps, want) {
		t.Errorf("steps = %q, want %q", o.steps, want)
	}
	o = run(NewFastCSVReader, strings.NewReader("a,b\n1,2\n3,\"open\nmore\nlines\n"), nil)
	if len(o.steps) != 2 || !strings.Contains(o.steps[1], `t.csv:3: line 5, column 7: extraneous or missing \" in quoted-field`) {
		t.Errorf("steps = %q", o.steps)
	}
}

// Source errors come out as NewCSVReader's do: not a *RowError, unless the
// source was cut short, which is ErrCorrupt.
func TestFastCSVSourceErrors(t *testing.T) {
	boom := errors.New("connection reset")
	for _, tc := range []struct {
		name string
		src  func() io.Reader
	}{
		{"after rows", func() io.Reader {
			return io.MultiReader(strings.NewReader("a,b\n1,2\n"), iotest.ErrReader(boom))
		}},
		{"inside a row", func() io.Reader {
			return io.MultiReader(strings.NewReader("a,b\n1,2\n3,"), iotest.ErrReader(boom))
		}},
		{"in the header", func() io.Reader { return iotest.ErrReader(boom) }},
		{"truncated", func() io.Reader {
			return io.MultiReader(strings.NewReader("a,b\n1,2\n3,"), iotest.ErrReader(io.ErrUnexpectedEOF))
		}},
		{"data with the error", func() io.Reader {
			return iotest.DataErrReader(strings.NewReader("a,b\n1,2\n3,4\n"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := run(NewCSVReader, tc.src(), nil)
			for _, n := range bufSizes {
				withBufSize(n, func() {
					if d := diffOutcomes(want, run(NewFastCSVReader, tc.src(), nil)); d != "" {
						t.Errorf("buffer of %d: %s", n, d)
					}
				})
			}
		})
	}
}

// TestFastCSVSamples reads the public samples fully with both readers,
// every column and a selection of some.
func TestFastCSVSamples(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/samples/*/input/*.csv")
	gz, _ := filepath.Glob("../../testdata/samples/*/input/*/*/*/*.csv.gz")
	files = append(files, gz...)
	if len(files) < 6 || len(gz) == 0 {
		t.Fatalf("found only %q", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(f, ".gz") {
				zr, err := gzip.NewReader(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				if data, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			all := run(NewCSVReader, bytes.NewReader(data), nil)
			if all.err != "" || len(all.steps) == 0 {
				t.Fatalf("NewCSVReader: %s, %d rows", all.err, len(all.steps))
			}
			var sel []string
			for i, h := range all.header {
				if i%5 == 2 {
					sel = append(sel, h)
				}
			}
			sel = append(sel, "no such column")
			for _, s := range [][]string{nil, sel} {
				want := run(NewCSVReader, bytes.NewReader(data), s)
				for _, n := range []int{1 << 20, 4096, 1} {
					withBufSize(n, func() {
						if d := diffOutcomes(want, run(NewFastCSVReader, bytes.NewReader(data), s)); d != "" {
							t.Errorf("buffer of %d, %d columns: %s", n, len(s), d)
						}
					})
				}
			}
		})
	}
}

func TestFastCSVSelectAfterNext(t *testing.T) {
	r, err := NewFastCSVReader(strings.NewReader("a,b\n1,2\n3,4\n"), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	if row, err := r.Next(); err != nil || !slices.Equal(row, []string{"1", "2"}) {
		t.Fatalf("Next = %q, %v", row, err)
	}
	if err := r.Select([]string{"b"}); err == nil {
		t.Error("Select after Next succeeded")
	}
}

// TestFastCSVAllocs: no allocation per row once the buffers have grown,
// quoted fields with doubled quotes and line breaks included.
func TestFastCSVAllocs(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("id,name,note,cost,blank,tail\r\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "%d,\"Amazon Web Services, Inc.\",\"say \"\"hi\"\"\r\nthere\",%d.25E-8,,x\r\n", i, i%9)
	}
	r, err := NewFastCSVReader(bytes.NewReader(b.Bytes()), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Select([]string{"cost", "note", "name", "absent"}); err != nil {
		t.Fatal(err)
	}
	var row []string
	allocs := testing.AllocsPerRun(2000, func() {
		if row, err = r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per row, want 0", allocs)
	}
	if want := []string{"2.25E-8", "say \"hi\"\nthere", "Amazon Web Services, Inc.", ""}; !slices.Equal(row, want) {
		t.Errorf("row = %q, want %q", row, want)
	}
}
