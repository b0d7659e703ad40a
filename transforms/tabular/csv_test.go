package tabular_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/curpipe/curpipe/transforms/tabular"
)

// step is one call of Next: a row at a line, or an error.
type step struct {
	row  []string
	pos  int64
	err  error  // a sentinel the error must wrap
	text string // what the message must contain
}

// drainCSV reads r to io.EOF and records every call of Next.
func drainCSV(t *testing.T, r tabular.Reader) []step {
	t.Helper()
	var steps []step
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("Next never returned io.EOF")
		}
		row, err := r.Next()
		if err == io.EOF {
			return steps
		}
		if err != nil {
			steps = append(steps, step{pos: r.Pos(), err: err})
			continue
		}
		steps = append(steps, step{row: slices.Clone(row), pos: r.Pos()})
	}
}

func TestCSVReader(t *testing.T) {
	bom := "\ufeff"
	tests := []struct {
		name   string
		in     string
		sel    []string // nil: no Select, all columns
		header []string
		steps  []step
		width  int // the data rows' width; 0: len(header)
	}{{
		name:   "header and rows",
		in:     "a,b,c\n1,2,3\n4,5,6\n",
		header: []string{"a", "b", "c"},
		steps:  []step{{row: []string{"1", "2", "3"}, pos: 2}, {row: []string{"4", "5", "6"}, pos: 3}},
	}, {
		name:   "no newline at the end",
		in:     "a,b\n1,2",
		header: []string{"a", "b"},
		steps:  []step{{row: []string{"1", "2"}, pos: 2}},
	}, {
		name:   "header only",
		in:     "a,b\n",
		header: []string{"a", "b"},
		width:  -1,
	}, {
		name:   "UTF-8 BOM",
		in:     bom + "a,b\n1,2\n",
		header: []string{"a", "b"},
		steps:  []step{{row: []string{"1", "2"}, pos: 2}},
	}, {
		name:   "UTF-8 BOM before a quoted name",
		in:     bom + "\"a\",b\n1,2\n",
		header: []string{"a", "b"},
		steps:  []step{{row: []string{"1", "2"}, pos: 2}},
	}, {
		name:   "CRLF",
		in:     "a,b\r\n1,2\r\n3,4\r\n",
		header: []string{"a", "b"},
		steps:  []step{{row: []string{"1", "2"}, pos: 2}, {row: []string{"3", "4"}, pos: 3}},
	}, {
		name:   "quoted commas",
		in:     "entity,cost\n\"Amazon Web Services Canada, Inc.\",1.81E-8\n",
		header: []string{"entity", "cost"},
		steps:  []step{{row: []string{"Amazon Web Services Canada, Inc.", "1.81E-8"}, pos: 2}},
	}, {
		name:   "quoted newlines and quotes",
		in:     "a,b\n\"two\nlines\",\"say \"\"hi\"\"\"\r\n\"x\r\ny\",2\n3,4\n",
		header: []string{"a", "b"},
		steps: []step{
			{row: []string{"two\nlines", `say "hi"`}, pos: 2},
			{row: []string{"x\ny", "2"}, pos: 4},
			{row: []string{"3", "4"}, pos: 6},
		},
	}, {
		name:   "blank lines are skipped",
		in:     "a,b\n\n1,2\n\r\n3,4\n\n",
		header: []string{"a", "b"},
		steps:  []step{{row: []string{"1", "2"}, pos: 3}, {row: []string{"3", "4"}, pos: 5}},
	}, {
		name:   "Select reorders and fills absent columns",
		in:     "a,b,c\n1,2,3\n",
		sel:    []string{"c", "zzz", "a", "c"},
		header: []string{"a", "b", "c"},
		steps:  []step{{row: []string{"3", "", "1", "3"}, pos: 2}},
	}, {
		name:   "Select of a blank name selects nothing, even a blank column",
		in:     "a,,c\n1,2,3\n",
		sel:    []string{"", "c"},
		header: []string{"a", "", "c"},
		steps:  []step{{row: []string{"", "3"}, pos: 2}},
	}, {
		name:   "Select of nothing",
		in:     "a,b\n1,2\n",
		sel:    []string{},
		header: []string{"a", "b"},
		steps:  []step{{row: []string{}, pos: 2}},
	}, {
		// Selecting a duplicated name fails (TestOpenErrors): which column
		// holds the figures cannot be told.
		name:   "a duplicated name not selected is no matter",
		in:     "a,b,a\n1,2,3\n",
		sel:    []string{"b"},
		header: []string{"a", "b", "a"},
		steps:  []step{{row: []string{"2"}, pos: 2}},
	}, {
		name:   "without Select, every field, blank and repeated names too",
		in:     ",a,a\n1,2,3\n",
		header: []string{"", "a", "a"},
		steps:  []step{{row: []string{"1", "2", "3"}, pos: 2}},
	}, {
		name:   "a row with a different field count, and the reader goes on",
		in:     "a,b\n1,2\n1,2,3\n4\n5,6\n",
		header: []string{"a", "b"},
		steps: []step{
			{row: []string{"1", "2"}, pos: 2},
			{pos: 3, err: tabular.ErrFieldCount, text: "t.csv:3: wrong number of fields: 3 fields, the file's rows have 2"},
			{pos: 4, err: tabular.ErrFieldCount, text: "t.csv:4: "},
			{row: []string{"5", "6"}, pos: 5},
		},
	}, {
		// koku's test_cur.csv: 131 names over rows of 130 fields.
		name:   "a header wider than every row",
		in:     "a,b,c,d\n1,2,3\n4,5,6\n",
		sel:    []string{"d", "a", "c"},
		header: []string{"a", "b", "c", "d"},
		steps:  []step{{row: []string{"", "1", "3"}, pos: 2}, {row: []string{"", "4", "6"}, pos: 3}},
		width:  3,
	}, {
		// A glued name ("c,d" written "cd") would shift every later column.
		name:   "a header narrower than the rows",
		in:     "a,b,cd\n1,2,3,4\n",
		header: []string{"a", "b", "cd"},
		steps:  []step{{pos: 2, err: tabular.ErrHeader, text: "t.csv:2: header does not match the rows: the header has 3 names but the rows have 4 fields"}},
		width:  -1,
	}, {
		name:   "a bare quote, and the reader goes on",
		in:     "a,b\n1,x\"y\n3,4\n",
		header: []string{"a", "b"},
		steps: []step{
			{pos: 2, err: csv.ErrBareQuote, text: "t.csv:2: column 4: "},
			{row: []string{"3", "4"}, pos: 3},
		},
	}, {
		// No field has a position yet when the first one fails.
		name:   "a bare quote in the first field",
		in:     "a,b\nx\"y,1\n3,4\n",
		header: []string{"a", "b"},
		steps: []step{
			{pos: 2, err: csv.ErrBareQuote, text: "t.csv:2: column 2: "},
			{row: []string{"3", "4"}, pos: 3},
		},
	}, {
		name:   "text after a closing quote",
		in:     "a,b\n\"x\"y,1\n3,4\n",
		header: []string{"a", "b"},
		steps: []step{
			{pos: 2, err: csv.ErrQuote, text: "t.csv:2: column 3: "},
			{row: []string{"3", "4"}, pos: 3},
		},
	}, {
		name:   "an unclosed quote runs to the end",
		in:     "a,b\n1,2\n3,\"open\nmore\nlines\n",
		header: []string{"a", "b"},
		steps: []step{
			{row: []string{"1", "2"}, pos: 2},
			{pos: 3, err: csv.ErrQuote, text: "t.csv:3: line 5, column 7: "},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tabular.NewCSVReader(strings.NewReader(tc.in), "t.csv")
			if err != nil {
				t.Fatalf("NewCSVReader: %v", err)
			}
			defer r.Close()
			if got := r.Header(); !slices.Equal(got, tc.header) {
				t.Errorf("Header = %q, want %q", got, tc.header)
			}
			if tc.sel != nil {
				if err := r.Select(tc.sel); err != nil {
					t.Fatalf("Select: %v", err)
				}
			}
			checkSteps(t, drainCSV(t, r), tc.steps)
			width := tc.width
			if width == 0 {
				width = len(tc.header)
			}
			if w := r.(interface{ Width() int }).Width(); w != width {
				t.Errorf("Width = %d, want %d", w, width)
			}
		})
	}
}

func checkSteps(t *testing.T, got, want []step) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		if i >= len(got) || i >= len(want) {
			t.Errorf("Next #%d: got %+v, want %+v", i+1, at(got, i), at(want, i))
			continue
		}
		g, w := got[i], want[i]
		if g.pos != w.pos {
			t.Errorf("Next #%d: Pos = %d, want %d", i+1, g.pos, w.pos)
		}
		if w.err == nil {
			if g.err != nil || !slices.Equal(g.row, w.row) {
				t.Errorf("Next #%d = %q, %v; want %q", i+1, g.row, g.err, w.row)
			}
			continue
		}
		var re *tabular.RowError
		if !errors.Is(g.err, w.err) || !errors.As(g.err, &re) || re.Pos != w.pos || re.Object != "t.csv" {
			t.Errorf("Next #%d error = %#v, want a *RowError at %d wrapping %v", i+1, g.err, w.pos, w.err)
		} else if !strings.Contains(g.err.Error(), w.text) {
			t.Errorf("Next #%d error %q lacks %q", i+1, g.err, w.text)
		}
	}
}

func at(s []step, i int) any {
	if i < len(s) {
		return s[i]
	}
	return "nothing"
}

func TestCSVHeaderErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		err  error
		pos  int64
	}{
		{"empty object", "", tabular.ErrEmpty, 0},
		{"blank lines only", "\n\r\n\n", tabular.ErrEmpty, 0},
		{"a BOM alone", "\ufeff", tabular.ErrEmpty, 0},
		{"a bare quote in the header", "a\"b,c\n1,2\n", csv.ErrBareQuote, 1},
		{"an unclosed quote in the header", "\"a,b\nc\n", csv.ErrQuote, 1},
		{"a header after blank lines", "\n\na\"b\n", csv.ErrBareQuote, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tabular.NewCSVReader(strings.NewReader(tc.in), "t.csv")
			var re *tabular.RowError
			if !errors.Is(err, tc.err) || !errors.As(err, &re) || re.Pos != tc.pos {
				t.Fatalf("NewCSVReader = %v, %#v; want a *RowError at %d wrapping %v", r, err, tc.pos, tc.err)
			}
		})
	}
}

func TestCSVSelectAfterNext(t *testing.T) {
	r, err := tabular.NewCSVReader(strings.NewReader("a,b\n1,2\n3,4\n"), "t.csv")
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

// An error of the source is neither a skippable row nor a damaged file:
// it must not arrive as a *RowError, or a caller would count the rows it
// lost as one bad row and go on.
func TestCSVSourceError(t *testing.T) {
	boom := errors.New("connection reset")
	src := io.MultiReader(strings.NewReader("a,b\n1,2\n"), iotest.ErrReader(boom))
	r, err := tabular.NewCSVReader(src, "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	if row, err := r.Next(); err != nil || !slices.Equal(row, []string{"1", "2"}) {
		t.Fatalf("Next = %q, %v", row, err)
	}
	_, err = r.Next()
	var re *tabular.RowError
	if !errors.Is(err, boom) || errors.As(err, &re) || errors.Is(err, tabular.ErrCorrupt) {
		t.Fatalf("Next error = %#v, want %v, not in a *RowError", err, boom)
	}
	if !strings.Contains(err.Error(), "t.csv") {
		t.Errorf("message %q does not name the object", err)
	}

	// The same while reading the header.
	_, err = tabular.NewCSVReader(iotest.ErrReader(boom), "t.csv")
	if !errors.Is(err, boom) || errors.As(err, &re) {
		t.Fatalf("NewCSVReader error = %#v, want %v, not in a *RowError", err, boom)
	}
}

// A source that ends early (a truncated gzip member, say) is ErrCorrupt.
func TestCSVUnexpectedEOF(t *testing.T) {
	src := io.MultiReader(strings.NewReader("a,b\n1,2\n3,"), iotest.ErrReader(io.ErrUnexpectedEOF))
	r, err := tabular.NewCSVReader(src, "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	var got error
	for got == nil {
		_, got = r.Next()
	}
	var re *tabular.RowError
	if !errors.Is(got, tabular.ErrCorrupt) || !errors.As(got, &re) {
		t.Fatalf("error = %#v, want ErrCorrupt in a *RowError", got)
	}
}

// FuzzCSV feeds random bytes to NewCSVReader. It must never panic nor loop,
// every error of Next must be a positioned *RowError (a bytes.Reader has
// no other), and wherever encoding/csv reads the input whole with equal
// field counts, the reader must yield exactly encoding/csv's records.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "\ufeffa,b\r\n1,2\r\n", "a,b\n\"x, y\",\"1\n2\"\n", "a,b,c\n1,2\n", "a,b\n1,2,3\n4,5\n",
		"a,b\n1,x\"y\n", "a,b\nx\"y,1\n", "a\n\"open", "\n\n", "", "\ufeff", "a,\"\"\"\"\n\"\",\n",
		"a\rb\n1\r2\n", "a,b\n1,2\n\n3,4",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The reader strips a BOM, which encoding/csv keeps as data.
		want, wantErr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()

		r, err := tabular.NewCSVReader(bytes.NewReader(data), "f.csv")
		if err != nil {
			var re *tabular.RowError
			if !errors.As(err, &re) {
				t.Fatalf("NewCSVReader error %#v is not a *RowError", err)
			}
			if wantErr == nil && len(want) > 0 {
				t.Fatalf("NewCSVReader: %v; encoding/csv read %q", err, want)
			}
			if errors.Is(err, tabular.ErrEmpty) != (wantErr == nil && len(want) == 0) {
				t.Fatalf("NewCSVReader: %v; encoding/csv read %q, %v", err, want, wantErr)
			}
			return
		}
		got := [][]string{slices.Clone(r.Header())}
		rowErrs := 0
		last := int64(1)
		for n := 0; ; n++ {
			if n > len(data)+1 {
				t.Fatal("Next never returned io.EOF")
			}
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			if r.Pos() <= last {
				t.Fatalf("Pos went from %d to %d", last, r.Pos())
			}
			last = r.Pos()
			if err != nil {
				var re *tabular.RowError
				if !errors.As(err, &re) || re.Pos != r.Pos() {
					t.Fatalf("Next error %#v is not a *RowError at Pos %d", err, r.Pos())
				}
				rowErrs++
				continue
			}
			got = append(got, slices.Clone(row))
		}
		if wantErr != nil {
			return
		}
		if rowErrs > 0 || !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("read %q with %d row errors; encoding/csv read %q", got, rowErrs, want)
		}
	})
}

// cureCSV generates a CUR-like CSV: cols columns, rows rows, every row with
// quoted commas, costs in both notations.
func cureCSV(cols, rows int) []byte {
	var b bytes.Buffer
	for c := range cols {
		if c > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "category%d/Column%d", c%7, c)
	}
	b.WriteString("\r\n")
	for r := range rows {
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			switch c % 10 {
			case 0:
				fmt.Fprintf(&b, "%d", 100000000000+r)
			case 1:
				b.WriteString(`"Amazon Web Services Canada, Inc."`)
			case 2:
				fmt.Fprintf(&b, "2023-11-%02dT%02d:00:00Z", 1+r%30, r%24)
			case 3:
				fmt.Fprintf(&b, "%d.%010d", r%7, r*7919%10000000000)
			case 4:
				fmt.Fprintf(&b, "%d.81E-8", 1+r%9)
			case 5:
				b.WriteString(`"$0.0104 per On Demand Linux t3.micro Instance Hour, us-east-1"`)
			case 6, 7:
				// blank, as most CUR columns are on most rows
			default:
				fmt.Fprintf(&b, "value-%d", r%100)
			}
		}
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// BenchmarkCSV reads a CUR-like file of 100 columns and 10,000 rows and
// selects 20 columns, as the parser does.
func BenchmarkCSV(b *testing.B) {
	const cols = 100
	data := cureCSV(cols, 10000)
	var names []string
	for c := 0; c < cols; c += cols / 20 {
		names = append(names, fmt.Sprintf("category%d/Column%d", c%7, c))
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := tabular.NewCSVReader(bytes.NewReader(data), "bench.csv")
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Select(names); err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 10000 {
			b.Fatalf("read %d rows", n)
		}
	}
}
