package curated_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/curpipe/curpipe/transforms/curated"
)

// memFS is an in-memory destination for Partitioned.
type memFS struct {
	files   map[string]*memFile
	openErr error
}

type memFile struct {
	bytes.Buffer
	closed bool
}

func (f *memFile) Close() error {
	if f.closed {
		return errors.New("closed twice")
	}
	f.closed = true
	return nil
}

func (m *memFS) open(path string) (io.WriteCloser, error) {
	if m.openErr != nil {
		return nil, m.openErr
	}
	if m.files == nil {
		m.files = map[string]*memFile{}
	}
	if _, ok := m.files[path]; ok {
		return nil, errors.New("opened twice: " + path)
	}
	f := &memFile{}
	m.files[path] = f
	return f, nil
}

func partitionedWrite(t *testing.T, fs *memFS, period func(*curated.Record) string,
	recs []*curated.Record) []curated.File {
	t.Helper()
	p := curated.NewPartitioned(fs.open, "r-1", period)
	for _, r := range recs {
		if err := p.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	files, err := p.Close()
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestPartitioned(t *testing.T) {
	recs := []*curated.Record{
		record("2023-01-02T10:00:00Z", "1", 2),
		record("2023-01-01T23:59:59Z", "2", 3),
		record("2023-01-02T00:00:00+01:00", "3", 4), // 2023-01-01 in UTC
		record("2023-02-01T00:00:00Z", "4", 5),
		record("2023-01-02T11:00:00Z", "5", 6),
	}
	tests := []struct {
		name   string
		period func(*curated.Record) string
		want   []curated.File
		lines  map[string][]string // source lines per file, in order
	}{
		{"period from usage start", nil, []curated.File{
			{"billing_period=2023-01/usage_date=2023-01-01/r-1.parquet", 2},
			{"billing_period=2023-01/usage_date=2023-01-02/r-1.parquet", 2},
			{"billing_period=2023-02/usage_date=2023-02-01/r-1.parquet", 1},
		}, map[string][]string{
			"billing_period=2023-01/usage_date=2023-01-01/r-1.parquet": {"3", "4"},
			"billing_period=2023-01/usage_date=2023-01-02/r-1.parquet": {"2", "6"},
			"billing_period=2023-02/usage_date=2023-02-01/r-1.parquet": {"5"},
		}},
		{"period from the report", func(*curated.Record) string { return "2023-01" }, []curated.File{
			{"billing_period=2023-01/usage_date=2023-01-01/r-1.parquet", 2},
			{"billing_period=2023-01/usage_date=2023-01-02/r-1.parquet", 2},
			{"billing_period=2023-01/usage_date=2023-02-01/r-1.parquet", 1},
		}, nil},
		{"empty period falls back", func(*curated.Record) string { return "" }, []curated.File{
			{"billing_period=2023-01/usage_date=2023-01-01/r-1.parquet", 2},
			{"billing_period=2023-01/usage_date=2023-01-02/r-1.parquet", 2},
			{"billing_period=2023-02/usage_date=2023-02-01/r-1.parquet", 1},
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := &memFS{}
			files := partitionedWrite(t, fs, tc.period, recs)
			if !reflect.DeepEqual(files, tc.want) {
				t.Errorf("files %v, want %v", files, tc.want)
			}
			if len(fs.files) != len(tc.want) {
				t.Errorf("%d files opened, want %d", len(fs.files), len(tc.want))
			}
			for path, f := range fs.files {
				if !f.closed {
					t.Errorf("%s not closed", path)
				}
				var lines []string
				for _, row := range readBack(t, f.Bytes()) {
					lines = append(lines, row[20])
				}
				if want, ok := tc.lines[path]; ok && !reflect.DeepEqual(lines, want) {
					t.Errorf("%s holds lines %v, want %v", path, lines, want)
				}
			}
		})
	}
}

func TestPartitionedErrors(t *testing.T) {
	good := record("2023-01-01T00:00:00Z", "1", 2)
	tests := []struct {
		name   string
		base   string
		period string
		fs     *memFS
		want   string
	}{
		{"month not padded", "r", "2023-1", &memFS{}, `billing period "2023-1" is not YYYY-MM`},
		{"path escape", "r", "../../x", &memFS{}, `billing period "../../x" is not YYYY-MM`},
		{"base with slash", "a/b", "", &memFS{}, `bad file base name "a/b"`},
		{"empty base", "", "", &memFS{}, `bad file base name ""`},
		{"open fails", "r", "", &memFS{openErr: errors.New("denied")}, "open billing_period=2023-01/usage_date=2023-01-01/r.parquet: denied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := curated.NewPartitioned(tc.fs.open, tc.base, func(*curated.Record) string { return tc.period })
			if err := p.Write(good); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Write: %v, want %q", err, tc.want)
			}
			if files, err := p.Close(); err != nil || len(files) != 0 {
				t.Errorf("Close: %v, %v; want no files", files, err)
			}
		})
	}
	// A rejected record names its partition and leaves the others usable.
	fs := &memFS{}
	p := curated.NewPartitioned(fs.open, "r", nil)
	bad := record("2023-01-01T00:00:00Z", "1", 3)
	bad.UnblendedCost = d("1e-29")
	if err := p.Write(bad); err == nil || !strings.Contains(err.Error(),
		"billing_period=2023-01/usage_date=2023-01-01/r.parquet: unblended_cost") {
		t.Errorf("Write: %v", err)
	}
	if err := p.Write(good); err != nil {
		t.Fatal(err)
	}
	if files, err := p.Close(); err != nil || len(files) != 1 || files[0].Rows != 1 {
		t.Errorf("Close: %v, %v; want one file of one row", files, err)
	}
}

// TestPartitionedSameDay: Records of one day reach one file however they
// name its billing period, and a zero usage start is rejected even after a
// Record of its day (0001-01-01) was written.
func TestPartitionedSameDay(t *testing.T) {
	periods := []string{"", "2023-01", "", "2023-01"}
	fs := &memFS{}
	i := 0
	p := curated.NewPartitioned(fs.open, "r", func(*curated.Record) string { return periods[i%len(periods)] })
	for ; i < 8; i++ {
		if err := p.Write(record("2023-01-01T00:00:00Z", "1", int64(i+2))); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Write(record("0001-01-01T00:00:01Z", "1", 10)); err != nil {
		t.Fatal(err)
	}
	zero := record("2023-01-01T00:00:00Z", "1", 11)
	zero.UsageStart = time.Time{}
	if err, want := p.Write(zero), "curated: "+zero.SourceObject+":11: usage_start is zero"; err == nil || err.Error() != want {
		t.Errorf("Write of a zero usage start: %v, want %s", err, want)
	}
	files, err := p.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := []curated.File{
		{"billing_period=0001-01/usage_date=0001-01-01/r.parquet", 1},
		{"billing_period=2023-01/usage_date=2023-01-01/r.parquet", 8},
	}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
}

// TestPartitionedDeterministic: the same records in the same order give
// byte-identical files.
func TestPartitionedDeterministic(t *testing.T) {
	var recs []*curated.Record
	for i := range 2000 {
		recs = append(recs, record([]string{"2023-01-01T00:00:00Z", "2023-01-02T05:00:00Z",
			"2023-01-31T23:00:00Z"}[i%3], "0.0000001", int64(i+2)))
	}
	a, b := &memFS{}, &memFS{}
	partitionedWrite(t, a, nil, recs)
	partitionedWrite(t, b, nil, recs)
	if len(a.files) != 3 {
		t.Fatalf("%d files, want 3", len(a.files))
	}
	for path, f := range a.files {
		if g, ok := b.files[path]; !ok || !bytes.Equal(f.Bytes(), g.Bytes()) {
			t.Errorf("%s differs between two writes", path)
		}
	}
}

func TestPartitionedAbort(t *testing.T) {
	fs := &memFS{}
	p := curated.NewPartitioned(fs.open, "r", nil)
	for _, start := range []string{"2023-01-01T00:00:00Z", "2023-01-02T00:00:00Z"} {
		if err := p.Write(record(start, "1", 2)); err != nil {
			t.Fatal(err)
		}
	}
	p.Abort()
	if len(fs.files) != 2 {
		t.Fatalf("%d files opened, want 2", len(fs.files))
	}
	for path, f := range fs.files {
		if !f.closed {
			t.Errorf("%s not closed by Abort", path)
		}
		if bytes.HasSuffix(f.Bytes(), []byte("PAR1")) {
			t.Errorf("%s was finished by Abort", path)
		}
	}
	if err := p.Write(record("2023-01-01T00:00:00Z", "1", 2)); err == nil {
		t.Error("Write after Abort: no error")
	}
	if _, err := p.Close(); err == nil {
		t.Error("Close after Abort: no error")
	}
	p.Abort() // a second Abort is harmless
}

// TestPartitionedBoundsMemory writes rows of 31 days in turn, as a file in
// no order of day delivers them: the rows held in memory never pass the
// limit, the early row groups make several per file, and every row reads
// back where it belongs.
func TestPartitionedBoundsMemory(t *testing.T) {
	const days, perDay, limit = 31, 200, 1000
	fs := &memFS{}
	p := curated.NewPartitioned(fs.open, "r-1", nil)
	curated.SetBufferLimit(p, limit)
	want := map[string][]string{}
	for i := range days * perDay {
		day := fmt.Sprintf("2024-01-%02dT05:00:00Z", 1+i%days)
		r := record(day, fmt.Sprintf("0.%04d", i), int64(i+2))
		if err := p.Write(r); err != nil {
			t.Fatal(err)
		}
		if n := curated.BufferedRows(p); n > limit {
			t.Fatalf("after row %d: %d rows held, limit %d", i, n, limit)
		}
		path := fmt.Sprintf("billing_period=2024-01/usage_date=%s/r-1.parquet", day[:10])
		want[path] = append(want[path], r.UnblendedCost.String())
	}
	files, err := p.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != days {
		t.Fatalf("%d files, want %d", len(files), days)
	}
	for _, f := range files {
		data := fs.files[f.Path].Bytes()
		pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if g := len(pf.RowGroups()); g < 2 {
			t.Errorf("%s: %d row group, want the limit to have cut several", f.Path, g)
		}
		var got []string
		for _, row := range readBack(t, data) {
			got = append(got, row[14])
		}
		if !reflect.DeepEqual(got, want[f.Path]) {
			t.Errorf("%s: costs %v, want %v", f.Path, got, want[f.Path])
		}
	}
}
