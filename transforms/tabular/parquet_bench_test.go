package tabular

import (
	"bytes"
	"io"
	"testing"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/transforms/cur"
)

// benchCUR1Rows is the size of the generated CUR 1.0 Athena file: about
// 10 MB of snappy Parquet with every CUR 1.0 column.
const benchCUR1Rows = 50_000

// BenchmarkParquetCUR1 reads a generated CUR 1.0 Athena Parquet file
// (dictionary-encoded strings, DOUBLE costs, millisecond timestamps, all
// optional) selecting the columns curpipe's parse selects. MB/s is of the
// Parquet file.
func BenchmarkParquetCUR1(b *testing.B) {
	var buf bytes.Buffer
	cfg := gen.DefaultConfig()
	cfg.Format = gen.CUR1Parquet
	info, err := gen.WriteFile(&buf, cfg, benchCUR1Rows)
	if err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewParquetReader(bytes.NewReader(data), int64(len(data)), "bench.parquet")
		if err != nil {
			b.Fatal(err)
		}
		schema, err := cur.Detect(r.Header())
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Select(schema.Columns()); err != nil {
			b.Fatal(err)
		}
		var rows int64
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			rows++
		}
		r.Close()
		if rows != info.Rows {
			b.Fatalf("read %d rows, generated %d", rows, info.Rows)
		}
	}
	b.ReportMetric(float64(info.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
