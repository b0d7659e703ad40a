package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
)

// runChunked reads src as run does with NewFastCSVReader, but once the
// first row is read, in chunks of size bytes, each read to its end before
// the next is cut.
func runChunked(src io.Reader, sel []string, size int) outcome {
	r, err := NewFastCSVReader(src, "t.csv")
	if err != nil {
		return outcome{err: describe(err)}
	}
	defer r.Close()
	o := outcome{header: slices.Clone(r.Header())}
	if sel == nil {
		sel = r.Header()
	}
	if err := r.Select(sel); err != nil {
		o.err = describe(err)
		return o
	}
	ch, _ := Chunks(r)
	// read appends rd's rows to o.steps, and reports whether to go on.
	read := func(rd Reader) bool {
		for len(o.steps) < 100000 {
			row, err := rd.Next()
			if err == io.EOF {
				return true
			}
			if err != nil {
				o.steps = append(o.steps, fmt.Sprintf("%d: %s", rd.Pos(), describe(err)))
				if _, ok := errors.AsType[*RowError](err); !ok || errors.Is(err, ErrCorrupt) {
					return false
				}
			} else {
				o.steps = append(o.steps, fmt.Sprintf("%d: %q", rd.Pos(), row))
			}
			if rd == r && ch.Width() >= 0 {
				return true
			}
		}
		return false
	}
	if !read(r) || ch.Width() < 0 {
		o.width = ch.Width()
		return o
	}
	for {
		c, err := ch.NextChunk(size)
		if err == io.EOF {
			break
		}
		if err != nil {
			o.steps = append(o.steps, fmt.Sprintf("chunk: %s", describe(err)))
			break
		}
		ok := read(c)
		c.Close()
		if !ok {
			break
		}
	}
	o.width = ch.Width()
	return o
}

// checkChunks fails t unless reading in in chunks, at several buffer and
// chunk sizes, yields what NewCSVReader does.
func checkChunks(t *testing.T, in []byte, sel []string) {
	t.Helper()
	want := run(NewCSVReader, bytes.NewReader(in), sel)
	if sel == nil {
		want = run(NewCSVReader, bytes.NewReader(in), want.header)
	}
	for _, n := range bufSizes {
		for _, size := range []int{1, 2, 5, 16, 1 << 20} {
			withBufSize(n, func() {
				if d := diffOutcomes(want, runChunked(bytes.NewReader(in), sel, size)); d != "" {
					t.Errorf("buffer of %d, chunks of %d: %s", n, size, d)
				}
			})
		}
	}
}

func TestChunks(t *testing.T) {
	for _, tc := range fastCases {
		t.Run(tc.name, func(t *testing.T) {
			checkChunks(t, []byte(tc.in), nil)
		})
	}
}

func TestChunksBeforeFirstRow(t *testing.T) {
	r, err := NewFastCSVReader(strings.NewReader("a,b\n1,2\n"), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	ch, ok := Chunks(r)
	if !ok {
		t.Fatal("a CSV reader is no Chunker")
	}
	if _, err := ch.NextChunk(1 << 20); err == nil {
		t.Error("NextChunk before the first row succeeded")
	}
}

// TestChunksConcurrent reads the chunks of a long input on several
// goroutines, as billing does, while more are cut and their buffers are
// recycled: in cut order, the rows are the sequential reader's.
func TestChunksConcurrent(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,text,cost\n")
	for i := range 20000 {
		switch i % 7 {
		case 0:
			fmt.Fprintf(&b, "%d,\"a, quoted\n field\",1.5\n", i)
		case 3:
			fmt.Fprintf(&b, "%d,bare\"quote,2\n", i) // a bad row
		default:
			fmt.Fprintf(&b, "%d,plain %d,%d.25\r\n", i, i, i)
		}
	}
	in := []byte(b.String())
	sel := []string{"cost", "id", "text"}
	want := run(NewCSVReader, bytes.NewReader(in), sel)

	withBufSize(4096, func() {
		r, err := NewFastCSVReader(bytes.NewReader(in), "t.csv")
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Select(sel); err != nil {
			t.Fatal(err)
		}
		got := outcome{header: slices.Clone(r.Header())}
		row, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		got.steps = append(got.steps, fmt.Sprintf("%d: %q", r.Pos(), row))
		ch, _ := Chunks(r)
		var results []*[]string
		var wg sync.WaitGroup
		for {
			c, err := ch.NextChunk(1000)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			steps := new([]string)
			results = append(results, steps)
			wg.Go(func() {
				defer c.Close()
				for {
					row, err := c.Next()
					if err == io.EOF {
						return
					}
					if err != nil {
						*steps = append(*steps, fmt.Sprintf("%d: %s", c.Pos(), describe(err)))
						continue
					}
					*steps = append(*steps, fmt.Sprintf("%d: %q", c.Pos(), row))
				}
			})
		}
		wg.Wait()
		for _, s := range results {
			got.steps = append(got.steps, *s...)
		}
		got.width = ch.Width()
		if len(results) < 100 {
			t.Errorf("%d chunks, want many", len(results))
		}
		if d := diffOutcomes(want, got); d != "" {
			t.Error(d)
		}
	})
}

// FuzzChunks reads random input in chunks of a random size, with the
// scanner's buffer at a random size, and compares what it yields with
// NewCSVReader's rows.
func FuzzChunks(f *testing.F) {
	for _, tc := range fastCases {
		f.Add([]byte(tc.in), uint8(len(tc.in)), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, bufSize, chunkSize uint8) {
		n := 4096
		if bufSize%65 != 0 {
			n = int(bufSize % 65)
		}
		want := run(NewCSVReader, bytes.NewReader(data), nil)
		if want.err != "" {
			return
		}
		want = run(NewCSVReader, bytes.NewReader(data), want.header)
		withBufSize(n, func() {
			got := runChunked(bytes.NewReader(data), nil, int(chunkSize)+1)
			if d := diffOutcomes(want, got); d != "" {
				t.Fatalf("buffer of %d, chunks of %d: %s", n, int(chunkSize)+1, d)
			}
		})
	})
}
