package tabular

import (
	"bytes"
	"testing"
)

// FuzzFastCSV reads random input with NewFastCSVReader and NewCSVReader,
// with the scanner's buffer at a random size of 1 to 64 bytes or one
// larger than the input, and with every column and then some of them. The two must agree
// on everything a caller sees: header, rows, positions, errors (message,
// sentinels, *RowError position) and Width.
func FuzzFastCSV(f *testing.F) {
	for _, tc := range fastCases {
		f.Add([]byte(tc.in), uint8(len(tc.in)))
	}
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		n := 4096 // larger than any input the fuzzer makes, and cheap
		if size%65 != 0 {
			n = int(size % 65)
		}
		want := run(NewCSVReader, bytes.NewReader(data), nil)
		sel := []string{"absent"}
		for i, h := range want.header {
			if i%2 == 1 {
				sel = append(sel, h)
			}
		}
		withBufSize(n, func() {
			if d := diffOutcomes(want, run(NewFastCSVReader, bytes.NewReader(data), nil)); d != "" {
				t.Fatalf("buffer of %d, all columns: %s", n, d)
			}
			if want.err != "" {
				return
			}
			want := run(NewCSVReader, bytes.NewReader(data), sel)
			if d := diffOutcomes(want, run(NewFastCSVReader, bytes.NewReader(data), sel)); d != "" {
				t.Fatalf("buffer of %d, columns %q: %s", n, sel, d)
			}
		})
	})
}
