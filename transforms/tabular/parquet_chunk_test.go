package tabular

import (
	"bytes"
	"io"
	"reflect"
	"sync"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestParquetChunks reads a file of several row groups one chunk per row
// group, the chunks on goroutines at once: in chunk order, the rows and
// positions are the sequential reader's.
func TestParquetChunks(t *testing.T) {
	s := func(v string) *string { return &v }
	var all []cur2Row
	for i := range 1000 {
		all = append(all, cur2Row{BillPayerAccountID: string(rune('a' + i%26)), UnblendedCost: float64(i) / 8,
			Product: map[string]*string{"region": s("r" + string(rune('0'+i%10)))}, Values: []int64{int64(i)}})
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[cur2Row](&buf, parquet.MaxRowsPerRowGroup(300), parquet.PageBufferSize(512))
	if _, err := w.Write(all); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	sel := []string{"line_item_unblended_cost", "absent", "product", "bill_payer_account_id", "values.list.element"}
	wantRows, wantPos := readAll(t, data, sel)

	r, err := NewParquetReader(bytes.NewReader(data), int64(len(data)), "test.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Select(sel); err != nil {
		t.Fatal(err)
	}
	ch, ok := Chunks(r)
	if !ok {
		t.Fatal("a Parquet reader is no Chunker")
	}
	if ch.Width() != len(r.Header()) {
		t.Errorf("Width() = %d, want %d", ch.Width(), len(r.Header()))
	}
	type result struct {
		rows [][]string
		pos  []int64
		err  error
	}
	var results []*result
	var wg sync.WaitGroup
	for {
		c, err := ch.NextChunk(1)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		res := &result{}
		results = append(results, res)
		wg.Go(func() {
			defer c.Close()
			for {
				f, err := c.Next()
				if err == io.EOF {
					return
				}
				if err != nil {
					res.err = err
					return
				}
				res.rows = append(res.rows, append([]string(nil), f...))
				res.pos = append(res.pos, c.Pos())
			}
		})
	}
	wg.Wait()
	if len(results) != 4 {
		t.Errorf("%d chunks, want one per row group: 4", len(results))
	}
	var gotRows [][]string
	var gotPos []int64
	for _, res := range results {
		if res.err != nil {
			t.Fatal(res.err)
		}
		gotRows, gotPos = append(gotRows, res.rows...), append(gotPos, res.pos...)
	}
	if !reflect.DeepEqual(gotRows, wantRows) || !reflect.DeepEqual(gotPos, wantPos) {
		t.Errorf("chunked rows differ from sequential ones: %d rows, want %d", len(gotRows), len(wantRows))
	}
	if _, err := ch.NextChunk(1); err != io.EOF {
		t.Errorf("NextChunk after the last = %v, want io.EOF", err)
	}
}

func TestParquetNextChunkAfterNext(t *testing.T) {
	data := flatFile(t, parquet.Group{"a": parquet.String()}, 2, []map[string]any{{"a": str("x")}, {"a": str("y")}, {"a": str("z")}})
	r, err := NewParquetReader(bytes.NewReader(data), int64(len(data)), "test.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	ch, _ := Chunks(r)
	if _, err := ch.NextChunk(1); err == nil {
		t.Error("NextChunk in the middle of a row group succeeded")
	}
}
