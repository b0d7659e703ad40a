package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// limitsRow is a row of the files FuzzParquetLimits starts from, with a
// column of each way curpipe reads one: in place (dictionary indexes,
// byte arrays, doubles, int64s, timestamps), through parquet-go's values
// (decimals, optional and boolean columns), and as JSON (maps, lists).
type limitsRow struct {
	ID     string            `parquet:"id,dict"`
	Note   string            `parquet:"note"`
	Cost   float64           `parquet:"cost"`
	Usage  int64             `parquet:"usage,delta"`
	Start  int64             `parquet:"start,timestamp(millisecond)"`
	Price  int64             `parquet:"price,decimal(4:18)"`
	Amount *float64          `parquet:"amount,optional"`
	Flag   bool              `parquet:"flag"`
	Tags   map[string]string `parquet:"tags"`
	Values []int64           `parquet:"values,list"`
}

// limitsSeeds returns small valid files of limitsRow: several row groups
// of several pages, with each codec curpipe reads and both page versions.
func limitsSeeds(tb testing.TB) [][]byte {
	rows := make([]limitsRow, 40)
	for i := range rows {
		amount := float64(i) / 4
		// Notes grow from row to row, so that the limits stop some
		// files after a few row groups.
		note := fmt.Sprintf("note %d:", i) + strings.Repeat(fmt.Sprintf(" %x", i*i*7919), i/3)
		rows[i] = limitsRow{ID: fmt.Sprintf("id-%d", i%7), Note: note,
			Cost: float64(i) * 0.0125, Usage: int64(i * i), Start: 1_672_531_200_000 + int64(i)*3_600_000,
			Price: int64(i*12345 - 50_000), Flag: i%3 == 0, Tags: map[string]string{"team": fmt.Sprint("t", i%4)},
			Values: make([]int64, i%4)}
		if i%5 != 0 {
			rows[i].Amount = &amount
		}
	}
	var seeds [][]byte
	for _, opts := range [][]parquet.WriterOption{
		{parquet.MaxRowsPerRowGroup(8), parquet.PageBufferSize(256)},
		{parquet.MaxRowsPerRowGroup(16), parquet.PageBufferSize(512), parquet.Compression(&parquet.Snappy), parquet.DataPageVersion(2)},
		{parquet.MaxRowsPerRowGroup(25), parquet.Compression(&parquet.Zstd)},
		{parquet.Compression(&parquet.Gzip), parquet.DataPageVersion(1)},
	} {
		var buf bytes.Buffer
		w := parquet.NewGenericWriter[limitsRow](&buf, opts...)
		if _, err := w.Write(rows); err != nil {
			tb.Fatal(err)
		}
		if err := w.Close(); err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, buf.Bytes())
	}
	return seeds
}

// readLimited opens data under lim, selects an absent column and the
// columns of the header that mask picks (bit i%8 for column i), and reads
// at most maxRows rows, one row group at a time when chunked. It returns
// the rows and the error that ended them, nil at the end of the file or
// at maxRows.
func readLimited(data []byte, lim Limits, mask uint8, chunked bool) ([][]string, error) {
	const maxRows = 1000 // a damaged footer may claim billions of rows
	r, err := Open(Source{Name: "f.parquet", Size: int64(len(data)), At: bytes.NewReader(data), Limits: lim})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	sel := []string{"absent"}
	for i, name := range r.Header() {
		if mask>>(i%8)&1 != 0 {
			sel = append(sel, name)
		}
	}
	if err := r.Select(sel); err != nil {
		return nil, err
	}
	var rows [][]string
	// drain reads rd to its end, or to maxRows rows in all.
	drain := func(rd Reader) error {
		for len(rows) < maxRows {
			f, err := rd.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			rows = append(rows, slices.Clone(f))
		}
		return nil
	}
	ch, ok := Chunks(r)
	if !chunked || !ok {
		return rows, drain(r)
	}
	for len(rows) < maxRows {
		c, err := ch.NextChunk(1)
		if err == io.EOF {
			break
		}
		if err != nil {
			return rows, err
		}
		err = drain(c)
		c.Close()
		if err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// FuzzParquetLimits: under any Parquet limits, a reader yields the rows it
// yields without them, or a prefix of them and then a *RowError wrapping
// a *LimitError; it never yields other rows, nor fails otherwise where the
// reader without limits does not. The limits are at most 64 KiB, so that
// the seeds' few kilobytes pass some and fail others, and the fuzzer's
// changes to the files reach the page headers as well as the footer.
func FuzzParquetLimits(f *testing.F) {
	for i, seed := range limitsSeeds(f) {
		// No limit reached; then pages, a column chunk, row groups.
		f.Add(seed, uint16(0xffff), uint16(0xffff), uint16(0xffff), uint8(0xff), i%2 == 0)
		f.Add(seed, uint16(300), uint16(0xffff), uint16(0xffff), uint8(0x5a), i%2 == 1)
		f.Add(seed, uint16(0xffff), uint16(800), uint16(0xffff), uint8(0x03), i%2 == 0)
		f.Add(seed, uint16(0xffff), uint16(0xffff), uint16(2000), uint8(0xff), i%2 == 1)
	}
	f.Fuzz(func(t *testing.T, data []byte, page, chunk, group uint16, mask uint8, chunked bool) {
		want, wantErr := readLimited(data, Limits{}, mask, chunked)
		lim := Limits{ParquetPageBytes: int64(page) + 1, ParquetColumnChunkBytes: int64(chunk) + 1,
			ParquetRowGroupBytes: int64(group) + 1}
		got, err := readLimited(data, lim, mask, chunked)
		var le *LimitError
		var re *RowError
		switch {
		case errors.Is(err, ErrLimit):
			if !errors.As(err, &le) || !errors.As(err, &re) {
				t.Fatalf("error %v is not a *RowError wrapping a *LimitError", err)
			}
			if len(got) > len(want) {
				t.Fatalf("%d rows before the limit, %d without it (%v)", len(got), len(want), wantErr)
			}
			want = want[:len(got)]
		case (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error():
			t.Fatalf("error %v, without limits %v", err, wantErr)
		}
		if len(got) != len(want) {
			t.Fatalf("%d rows, without limits %d", len(got), len(want))
		}
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Fatalf("row %d: %q, without limits %q", i, got[i], want[i])
			}
		}
	})
}

// TestPageBombs: a page whose header claims a few bytes but whose gzip,
// zstd or brotli body inflates past the page limit fails with the limit
// (parquet-go would inflate it whole, whatever the header says); within
// the limit it passes; a body that is not what its codec says is damage.
func TestPageBombs(t *testing.T) {
	huge := bytes.Repeat([]byte{0}, 1<<20)
	compressed := map[format.CompressionCodec][]byte{}
	for codec, w := range map[format.CompressionCodec]func(io.Writer) io.WriteCloser{
		format.Gzip:   func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		format.Zstd:   func(w io.Writer) io.WriteCloser { zw, _ := zstd.NewWriter(w); return zw },
		format.Brotli: func(w io.Writer) io.WriteCloser { return brotli.NewWriter(w) },
	} {
		var b bytes.Buffer
		zw := w(&b)
		zw.Write(huge)
		zw.Close()
		compressed[codec] = b.Bytes()
	}
	page := func(body []byte) []byte {
		h := format.PageHeader{Type: format.DataPage, UncompressedPageSize: 100, CompressedPageSize: int32(len(body))}
		h.DataPageHeader.Valid, h.DataPageHeader.V.NumValues = true, 1
		b, err := thrift.Marshal(new(thrift.CompactProtocol), &h)
		if err != nil {
			t.Fatal(err)
		}
		return append(b, body...)
	}
	for codec, body := range compressed {
		t.Run(codec.String(), func(t *testing.T) {
			var le *LimitError
			if err := checkPages(page(body), codec, 64<<10); !errors.As(err, &le) || le.Flag != "--max-parquet-page-bytes" {
				t.Errorf("%d bytes inflating to 1 MiB under a 64 KiB limit: %v, want the page limit", len(body), err)
			}
			if err := checkPages(page(body), codec, 1<<20); err != nil {
				t.Errorf("inflating to exactly the limit: %v", err)
			}
			if err := checkPages(page([]byte("not compressed at all")), codec, 1<<20); err == nil || errors.As(err, &le) {
				t.Errorf("a body that is not %s: %v, want damage", codec, err)
			}
		})
	}
}
