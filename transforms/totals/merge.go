package totals

import (
	"container/heap"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// DetailReader reads the rows of a daily_detail.csv one at a time, so
// that a file is never held whole.
type DetailReader struct {
	cr   *csv.Reader
	name string
}

// NewDetailReader returns a reader of r's rows. It reads and checks the
// header at once; name is used in its errors.
func NewDetailReader(r io.Reader, name string) (*DetailReader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(DetailHeader)
	cr.ReuseRecord = true
	h, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: read header: empty file", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: read header: %w", name, err)
	}
	if !slices.Equal(h, DetailHeader) {
		return nil, fmt.Errorf("%s: header %v, want %v", name, h, DetailHeader)
	}
	return &DetailReader{cr: cr, name: name}, nil
}

// Next returns the next row, or io.EOF after the last. The row's strings
// are its own.
func (d *DetailReader) Next() (Row, error) {
	rec, err := d.cr.Read()
	if err == io.EOF {
		return Row{}, io.EOF
	}
	if err != nil {
		return Row{}, fmt.Errorf("%s: %w", d.name, err)
	}
	s, bad, err := parseSums(rec[6:])
	if err != nil {
		line, _ := d.cr.FieldPos(6 + bad)
		return Row{}, fmt.Errorf("%s: line %d, %s: %w", d.name, line, DetailHeader[6+bad], err)
	}
	dims := Dims{Day: rec[0], Provider: rec[1], Payer: rec[2], Account: rec[3], Service: rec[4], Currency: rec[5]}
	return Row{Dims: dims.clone(), Sums: s}, nil
}

// ErrUnsorted is returned by MergeDetail for an input whose rows are not
// in ascending order of their dimensions.
var ErrUnsorted = errors.New("rows not in ascending order")

// MergeDetail merges daily_detail.csv rows from readers whose rows are
// each sorted by their dimensions, as curpipe writes them, into one
// sorted sequence in which rows of equal dimensions are summed. It calls
// emit with each merged row in order and holds one row per reader, so
// the memory it takes does not grow with the inputs. An input out of
// order fails with ErrUnsorted rather than yield a wrong merge.
func MergeDetail(readers []*DetailReader, emit func(Row) error) error {
	h := make(mergeHeap, 0, len(readers))
	for i, r := range readers {
		row, err := r.Next()
		if err == io.EOF {
			continue
		}
		if err != nil {
			return err
		}
		h = append(h, mergeHead{row: row, src: i})
	}
	heap.Init(&h)
	var cur Row
	have := false
	for len(h) > 0 {
		top := &h[0]
		row, src := top.row, top.src
		next, err := readers[src].Next()
		switch {
		case err == io.EOF:
			heap.Pop(&h)
		case err != nil:
			return err
		case next.Dims.Compare(row.Dims) <= 0:
			return fmt.Errorf("%s: %v after %v: %w", readers[src].name, next.Dims, row.Dims, ErrUnsorted)
		default:
			top.row = next
			heap.Fix(&h, 0)
		}
		if have && cur.Dims == row.Dims {
			cur.Sums = cur.Sums.Add(row.Sums)
			continue
		}
		if have {
			if err := emit(cur); err != nil {
				return err
			}
		}
		cur, have = row, true
	}
	if have {
		return emit(cur)
	}
	return nil
}

// mergeHead is the next row of one of MergeDetail's inputs.
type mergeHead struct {
	row Row
	src int
}

// mergeHeap orders the inputs' next rows, by dimensions and then by
// input, so that equal rows are summed in the inputs' order.
type mergeHeap []mergeHead

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if c := h[i].row.Dims.Compare(h[j].row.Dims); c != 0 {
		return c < 0
	}
	return h[i].src < h[j].src
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(mergeHead)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// DetailRowWriter writes daily_detail.csv rows one at a time, header
// first, buffering its writes.
type DetailRowWriter struct {
	w      io.Writer
	buf    []byte
	fields []string
}

// NewDetailRowWriter returns a writer of rows to w. If header is true it
// writes the header line first.
func NewDetailRowWriter(w io.Writer, header bool) *DetailRowWriter {
	d := &DetailRowWriter{w: w, buf: make([]byte, 0, 64<<10)}
	if header {
		d.buf = append(append(d.buf, strings.Join(DetailHeader, ",")...), '\n')
	}
	return d
}

// Write appends r.
func (d *DetailRowWriter) Write(r Row) error {
	d.fields = append(d.fields[:0], r.Day, r.Provider, r.Payer, r.Account, r.Service, r.Currency)
	d.buf = appendRow(d.buf, d.fields, &r)
	if len(d.buf) >= 60<<10 {
		return d.Flush()
	}
	return nil
}

// Flush writes what is buffered.
func (d *DetailRowWriter) Flush() error {
	_, err := d.w.Write(d.buf)
	d.buf = d.buf[:0]
	return err
}
