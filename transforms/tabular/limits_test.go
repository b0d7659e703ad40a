package tabular_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/tabular"
)

// small are limits a test can reach with inputs of a few kilobytes.
var small = tabular.Limits{HeaderBytes: 1 << 10, RecordBytes: 4 << 10, FieldBytes: 100, Fields: 50,
	InflateRatio: 10, ZipEntryBytes: 1 << 20}

// TestOpenLimits: every input past a limit fails with a *LimitError,
// wrapped in a *RowError that says where, naming the limit's flag; just
// under the limit it reads.
func TestOpenLimits(t *testing.T) {
	defer tabular.SetInflateFloor(8 << 10)()
	row := "a1,AWS,1.5\n"
	header := "identity/LineItemId,bill/BillingEntity,lineItem/UnblendedCost\n"
	manyRows := header + strings.Repeat(row, 5000) // 55 kB, compresses some 200 times
	tests := []struct {
		name string
		data []byte
		flag string // the flag the error names; "" when the input reads
		line int64  // where the error says it is
	}{
		{"header at the limit", []byte(strings.Repeat("h", 1024) + "\r\n" + "x\n"), "", 0},
		{"header over the limit", []byte(strings.Repeat("h", 1025) + "\n" + "x\n"), "--max-header-bytes", 1},
		{"header line without an end", []byte(strings.Repeat("h", 1<<20)), "--max-header-bytes", 1},
		{"too many columns", []byte(strings.Repeat("c,", 50) + "c\n"), "--max-fields", 1},
		{"columns at the limit", []byte(strings.Repeat("c,", 49) + "c\n"), "", 0},
		{"record over the limit", []byte(header + row + "a2,\"" + strings.Repeat("q", 5000) + "\",1\n"), "--max-record-bytes", 3},
		{"quoted field without an end", []byte(header + row + "a2,\"" + strings.Repeat("q\n", 1<<19)), "--max-record-bytes", 3},
		{"field over the limit", []byte(header + row + "a2," + strings.Repeat("f", 101) + ",1\n"), "--max-field-bytes", 3},
		{"field at the limit", []byte(header + row + "a2," + strings.Repeat("f", 100) + ",1\n"), "", 0},
		{"gzip inflating past the ratio", gzipBytes(t, manyRows), "--max-inflate-ratio", 0},
		{"gzip within the ratio", gzipBytes(t, header+strings.Repeat(row, 200)), "", 0},
		{"zip inflating past the ratio", zipBytes(t, zipEntry{name: "a.csv", body: manyRows}), "--max-inflate-ratio", 0},
		{"zip entry over its size", zipBytes(t, zipEntry{name: "a.csv", body: header + strings.Repeat("a"+strings.Repeat(",", 2)+"\n", 1<<19), store: true}), "--max-zip-entry-bytes", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := source(tc.data, &streamState{})
			src.Limits = small
			r, err := tabular.Open(src)
			if err == nil {
				_, err = readAllRows(r)
				r.Close()
			}
			if tc.flag == "" {
				if err != nil {
					t.Fatalf("within the limits: %v", err)
				}
				return
			}
			var le *tabular.LimitError
			var re *tabular.RowError
			switch {
			case err == nil:
				t.Fatal("no error")
			case !errors.As(err, &le) || !errors.Is(err, tabular.ErrLimit):
				t.Fatalf("error %v is not a *LimitError", err)
			case le.Flag != tc.flag || !strings.Contains(err.Error(), tc.flag):
				t.Errorf("error %q names %s, want %s", err, le.Flag, tc.flag)
			case !errors.As(err, &re) || !strings.HasPrefix(re.Object, "obj"):
				t.Errorf("error %q does not name the object", err)
			case tc.line > 0 && re.Pos != tc.line:
				t.Errorf("error %q is at line %d, want %d", err, re.Pos, tc.line)
			}
		})
	}
	if e := (&tabular.LimitError{What: "a record", Limit: 8 << 20, Unit: "bytes", Flag: "--max-record-bytes"}).Error(); e != "a record is over the limit of 8 MiB (--max-record-bytes)" {
		t.Errorf("message %q", e)
	}
}

// TestEncryptedZip: an encrypted entry is named as such, not read as
// garbage.
func TestEncryptedZip(t *testing.T) {
	b := zipBytes(t, zipEntry{name: "a.csv", body: "a,b\n1,2\n"})
	for _, sig := range [][]byte{[]byte("PK\x03\x04"), []byte("PK\x01\x02")} {
		i := bytes.Index(b, sig)
		off := map[bool]int{true: 6, false: 8}[sig[2] == 3]
		b[i+off] |= 1
	}
	_, err := tabular.Open(source(b, nil))
	if err == nil || !strings.Contains(err.Error(), "encrypted") || !errors.Is(err, tabular.ErrCorrupt) {
		t.Fatalf("Open = %v, want an encrypted-entry error", err)
	}
}

// FuzzLimits: under any limits a reader yields what it yields without
// them, or stops with a *LimitError after a prefix of those rows; it
// never yields anything else, nor fails otherwise where the unbounded
// reader reads.
func FuzzLimits(f *testing.F) {
	f.Add([]byte(sampleCSV), uint16(10), uint16(20), uint8(3), uint8(2))
	f.Add([]byte("a,b\n\"x\ny\",\"q\"\"q\"\r\n1,2\n"), uint16(3), uint16(5), uint8(1), uint8(1))
	f.Add(gzipBytes(f, strings.Repeat("a,b\n1,2\n", 400)), uint16(64), uint16(64), uint8(8), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, header, record uint16, field, fields uint8) {
		read := func(lim tabular.Limits) ([][]string, error) {
			src := source(data, nil)
			src.Limits = lim
			r, err := tabular.Open(src)
			if err != nil {
				return nil, err
			}
			defer r.Close()
			return readAllRows(r)
		}
		want, wantErr := read(tabular.Limits{})
		lim := tabular.Limits{HeaderBytes: int(header) + 1, RecordBytes: int(record) + 1, FieldBytes: int(field) + 1,
			Fields: int(fields) + 1, InflateRatio: 2, ZipEntryBytes: 1 << 20}
		got, err := read(lim)
		if err != nil && errors.Is(err, tabular.ErrLimit) {
			if len(got) > len(want) {
				t.Fatalf("%d rows before the limit, %d without it", len(got), len(want))
			}
			want = want[:len(got)]
		} else if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("error %v, without limits %v", err, wantErr)
		}
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Fatalf("row %d: %q, without limits %q", i, got[i], want[i])
			}
		}
	})
}
