package inflate_test

import (
	"bytes"
	stdgzip "compress/gzip"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/curpipe/curpipe/transforms/inflate"
)

// benchFileEnv names a gzip file to benchmark on, such as one written by
// `go run ./cmd/curgen --out DIR --size 100MB`; without it the benchmarks
// generate about 100 MB of CUR-like CSV and gzip it at level 6.
const benchFileEnv = "INFLATE_BENCH_FILE"

var bench struct {
	once sync.Once
	z    []byte // the gzip file
	size int64  // its uncompressed size
	err  error
}

func benchData(b *testing.B) ([]byte, int64) {
	bench.once.Do(func() {
		if name := os.Getenv(benchFileEnv); name != "" {
			bench.z, bench.err = os.ReadFile(name)
		} else {
			bench.z = gz(b, member{data: curCSV(100e6, 99), level: 6})
		}
		if bench.err == nil {
			var zr *gzip.Reader
			if zr, bench.err = gzip.NewReader(bytes.NewReader(bench.z)); bench.err == nil {
				bench.size, bench.err = io.Copy(io.Discard, zr)
			}
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.z, bench.size
}

// readers are the decompressors compared, by name.
var readers = []struct {
	name string
	open func(io.Reader) (io.ReadCloser, error)
}{
	{"inflate=" + inflate.Implementation, inflate.NewReader},
	{"inflate-parallel=" + inflate.Implementation, inflate.NewParallelReader},
	{"klauspost", func(r io.Reader) (io.ReadCloser, error) { return gzip.NewReader(r) }},
	{"compress-gzip", func(r io.Reader) (io.ReadCloser, error) { return stdgzip.NewReader(r) }},
}

// BenchmarkInflate reads the file to nothing with 256 KiB reads, the size
// of the CSV reader's buffer; MB/s is of uncompressed bytes.
func BenchmarkInflate(b *testing.B) {
	z, size := benchData(b)
	b.Logf("%d compressed bytes, %d uncompressed", len(z), size)
	for _, r := range readers {
		b.Run(r.name, func(b *testing.B) {
			b.SetBytes(size)
			buf := make([]byte, 256<<10)
			for b.Loop() {
				consume(b, r.open, z, size, buf, func([]byte) {})
			}
		})
	}
}

// BenchmarkInflateScan adds a consumer that looks at every byte, as a CSV
// scanner does, to measure what overlapping the two on two cores gains.
func BenchmarkInflateScan(b *testing.B) {
	z, size := benchData(b)
	for _, r := range readers[:2] {
		b.Run(r.name, func(b *testing.B) {
			b.SetBytes(size)
			buf := make([]byte, 256<<10)
			var counts [256]int
			for b.Loop() {
				consume(b, r.open, z, size, buf, func(p []byte) {
					for _, c := range p {
						counts[c]++
					}
				})
			}
			if counts['\n'] == 0 {
				b.Fatal("no lines")
			}
		})
	}
}

func consume(b *testing.B, open func(io.Reader) (io.ReadCloser, error), z []byte, size int64, buf []byte, use func([]byte)) {
	zr, err := open(bytes.NewReader(z))
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for {
		m, err := zr.Read(buf)
		use(buf[:m])
		n += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := zr.Close(); err != nil {
		b.Fatal(err)
	}
	if n != size {
		b.Fatalf("read %d bytes, want %d", n, size)
	}
}
