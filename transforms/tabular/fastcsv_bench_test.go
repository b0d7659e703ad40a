package tabular_test

import (
	"bytes"
	"io"
	"runtime"
	"sync"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/transforms/cur"
	"github.com/curpipe/curpipe/transforms/tabular"
)

// fastBenchRows makes a report of about 53 MB of CSV, 11 MB gzip.
const fastBenchRows = 50000

// fastBench is a generated CUR 1.0 report (136 columns), gzip and plain,
// and the 24 columns cur.Detect picks from it. Made once: generating it
// takes longer than reading it.
var fastBench = sync.OnceValues(func() (fastBenchData, error) {
	var gz bytes.Buffer
	info, err := gen.WriteFile(&gz, gen.DefaultConfig(), fastBenchRows)
	if err != nil {
		return fastBenchData{}, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.Bytes()))
	if err != nil {
		return fastBenchData{}, err
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		return fastBenchData{}, err
	}
	r, err := tabular.NewCSVReader(bytes.NewReader(plain), "bench.csv")
	if err != nil {
		return fastBenchData{}, err
	}
	schema, err := cur.Detect(r.Header())
	if err != nil {
		return fastBenchData{}, err
	}
	return fastBenchData{gz: gz.Bytes(), plain: plain, rows: info.Rows, cols: schema.Columns()}, nil
})

type fastBenchData struct {
	gz, plain []byte
	rows      int64
	cols      []string
}

// BenchmarkFastCSV compares NewFastCSVReader with NewCSVReader on the
// generated report, from plain CSV in memory and through klauspost gzip;
// gzip/inflate is the floor, inflating alone. MB/s is of uncompressed CSV.
// allocs/row counts every allocation, each file's set-up included.
func BenchmarkFastCSV(b *testing.B) {
	d, err := fastBench()
	if err != nil {
		b.Fatal(err)
	}
	readers := []struct {
		name string
		open func(io.Reader, string) (tabular.Reader, error)
	}{{"csv", tabular.NewCSVReader}, {"fast", tabular.NewFastCSVReader}}
	for _, rd := range readers {
		b.Run("plain/"+rd.name, func(b *testing.B) {
			benchRead(b, d, func() io.Reader { return bytes.NewReader(d.plain) }, rd.open)
		})
	}
	b.Run("gzip/inflate", func(b *testing.B) {
		b.SetBytes(int64(len(d.plain)))
		for b.Loop() {
			zr, err := gzip.NewReader(bytes.NewReader(d.gz))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, zr); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, rd := range readers {
		b.Run("gzip/"+rd.name, func(b *testing.B) {
			benchRead(b, d, func() io.Reader {
				zr, err := gzip.NewReader(bytes.NewReader(d.gz))
				if err != nil {
					b.Fatal(err)
				}
				return zr
			}, rd.open)
		})
	}
}

func benchRead(b *testing.B, d fastBenchData, src func() io.Reader, open func(io.Reader, string) (tabular.Reader, error)) {
	b.SetBytes(int64(len(d.plain)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		r, err := open(src(), "bench.csv")
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Select(d.cols); err != nil {
			b.Fatal(err)
		}
		n := int64(0)
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
		if n != d.rows {
			b.Fatalf("read %d rows, want %d", n, d.rows)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(d.rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(d.rows*int64(b.N)), "allocs/row")
}
