package tabular_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/transforms/cur"
	"github.com/curpipe/curpipe/transforms/tabular"
)

// benchRows is the size of the generated report the benchmarks read: about
// 53 MB of CSV (136 columns), 11 MB gzip.
const benchRows = 50000

// BenchmarkScanCSVGzip reads a generated CUR 1.0 csv.gz from memory,
// selecting the columns cur.Detect picks (24 of 136). MB/s is of
// uncompressed CSV. The inflate sub-benchmark is the floor: the same bytes
// inflated to io.Discard.
func BenchmarkScanCSVGzip(b *testing.B) {
	var gz bytes.Buffer
	info, err := gen.WriteFile(&gz, gen.DefaultConfig(), benchRows)
	if err != nil {
		b.Fatal(err)
	}
	data := gz.Bytes()
	open := func() tabular.Reader {
		rd, err := tabular.Open(tabular.Source{Name: "bench.csv.gz", Size: int64(len(data)), At: bytes.NewReader(data)})
		if err != nil {
			b.Fatal(err)
		}
		return rd
	}
	rd := open()
	schema, err := cur.Detect(rd.Header())
	if err != nil {
		b.Fatal(err)
	}
	rd.Close()
	cols := schema.Columns()
	selected := 0
	for _, c := range cols {
		if c != "" {
			selected++
		}
	}

	b.Run("inflate", func(b *testing.B) {
		b.SetBytes(info.CSVBytes)
		for b.Loop() {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, zr); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("select", func(b *testing.B) {
		b.SetBytes(info.CSVBytes)
		b.ReportAllocs()
		for b.Loop() {
			rd := open()
			if err := rd.Select(cols); err != nil {
				b.Fatal(err)
			}
			n := int64(0)
			for {
				_, err := rd.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			rd.Close()
			if n != info.Rows {
				b.Fatalf("read %d rows, want %d", n, info.Rows)
			}
		}
		b.ReportMetric(float64(info.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(selected), "columns")
	})
}
