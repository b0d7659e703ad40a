package element

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/rowcoder"
	"github.com/curpipe/curpipe/transforms/totals"
)

// sameCells fails unless two batches hold the same cells, decimals
// compared in their binary form (so exponents too).
func sameCells(t *testing.T, got, want Cells) {
	t.Helper()
	if !slices.Equal(got.Verdicts, want.Verdicts) {
		t.Fatalf("verdicts %+v, want %+v", got.Verdicts, want.Verdicts)
	}
	if !slices.Equal(got.Spilled, want.Spilled) {
		t.Fatalf("spilled %q, want %q", got.Spilled, want.Spilled)
	}
	if len(got.Rows) != len(want.Rows) {
		t.Fatalf("%d cells, want %d", len(got.Rows), len(want.Rows))
	}
	for i := range want.Rows {
		g, w := got.Rows[i], want.Rows[i]
		if g.Dims != w.Dims || g.Sums.LineItems != w.Sums.LineItems {
			t.Fatalf("cell %d: got %+v, want %+v", i, g, w)
		}
		for j, pair := range [3][2]decimal.Decimal{{g.Sums.Unblended, w.Sums.Unblended}, {g.Sums.NetUnblended, w.Sums.NetUnblended}, {g.Sums.Amortized, w.Sums.Amortized}} {
			gb, _ := pair[0].MarshalBinary()
			wb, _ := pair[1].MarshalBinary()
			if string(gb) != string(wb) {
				t.Fatalf("cell %d measure %d: got %s, want %s", i, j, pair[0], pair[1])
			}
		}
	}
}

func TestCellsCoderRoundTrip(t *testing.T) {
	huge := decimal.MustParse("1e999").Add(decimal.MustParse("1e-999")) // a 2000-digit coefficient
	r := rand.New(rand.NewPCG(3, 4))
	random := Cells{}
	for i := range 500 {
		random.Rows = append(random.Rows, DayTotal{
			Dims: totals.Dims{Day: fmt.Sprintf("2024-01-%02d", 1+i%31), Provider: "AWS", Payer: fmt.Sprint(r.IntN(3)),
				Account: fmt.Sprintf("%012d", r.IntN(40)), Service: fmt.Sprintf("svc-%d", r.IntN(200)), Currency: "USD"},
			Sums: totals.Sums{Unblended: decimal.MustParse(fmt.Sprintf("%.*e", r.IntN(17), r.NormFloat64()*100)),
				NetUnblended: decimal.MustParse(fmt.Sprintf("-%d.%d", r.IntN(1000), r.IntN(1000))), LineItems: r.Int64()},
		})
	}
	for _, tc := range []struct {
		name string
		c    Cells
	}{
		{"none", Cells{}},
		{"zero cell", Cells{Rows: []DayTotal{{}}}},
		{"unicode and empty dims", Cells{Rows: []DayTotal{{Dims: totals.Dims{Day: "2024-01-01", Service: "Amazon Élastic, \"quoted\""}, Sums: totals.Sums{LineItems: -1}}}}},
		{"verdicts alone", Cells{Verdicts: []DayVerdict{{Ref: "r@v", ReportID: "s3://b/r", ReportKey: "r", Version: "v", VersionKey: "v", VersionTime: -1, OK: true}, {}}}},
		{"cells and a verdict", Cells{Rows: []DayTotal{{Dims: totals.Dims{Day: "2024-01-01"}}}, Verdicts: []DayVerdict{{Ref: "é", VersionTime: 1 << 62}}}},
		{"huge sum", Cells{Rows: []DayTotal{{Sums: totals.Sums{Unblended: huge, Amortized: huge.Neg()}}}}},
		{"spilled", Cells{Spilled: []string{"s3://b/lake/_curpipe/partials/rk/vk/2024-01-05-0.cells", "", "s3://b/lake/_curpipe/partials/rk/vk/2024-01-05-0.cells"}}},
		{"spilled beside cells", Cells{Rows: []DayTotal{{Dims: totals.Dims{Day: "/tmp/x"}}}, Spilled: []string{"/tmp/x"}}},
		{"random", random},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := encodeCells(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeCells(b)
			if err != nil {
				t.Fatal(err)
			}
			sameCells(t, got, tc.c)
			for cut := range min(len(b), 64) {
				if _, err := decodeCells(b[:cut]); err == nil && cut < len(b) {
					t.Fatalf("decoded a batch cut to %d of %d bytes", cut, len(b))
				}
			}
			// A Shard is its ref, day and what it misses, then the same
			// encoding.
			sh := Shard{Ref: "s3://b/r@v\u00e9", Day: "2024-01-02", Rows: tc.c.Rows, Verdicts: tc.c.Verdicts, Missing: "read partial sums: gone"}
			sb, err := encodeShard(sh)
			if err != nil {
				t.Fatal(err)
			}
			gotSh, err := decodeShard(sb)
			if err != nil {
				t.Fatal(err)
			}
			if gotSh.Ref != sh.Ref || gotSh.Day != sh.Day || gotSh.Missing != sh.Missing {
				t.Errorf("shard %q %q %q, want %q %q %q", gotSh.Ref, gotSh.Day, gotSh.Missing, sh.Ref, sh.Day, sh.Missing)
			}
			sameCells(t, Cells{Rows: gotSh.Rows, Verdicts: gotSh.Verdicts}, Cells{Rows: tc.c.Rows, Verdicts: tc.c.Verdicts})
			for cut := range min(len(sb), 64) {
				if _, err := decodeShard(sb[:cut]); err == nil && cut < len(sb) {
					t.Fatalf("decoded a shard cut to %d of %d bytes", cut, len(sb))
				}
			}
		})
	}
}

func FuzzCellsCoder(f *testing.F) {
	b, _ := encodeCells(Cells{Rows: []DayTotal{{Dims: totals.Dims{Day: "2024-01-01", Currency: "USD"},
		Sums: totals.Sums{Unblended: decimal.MustParse("1.5"), LineItems: 2}}}})
	f.Add(b)
	b, _ = encodeCells(Cells{Verdicts: []DayVerdict{{Ref: "r@v", ReportKey: "r", Version: "v", VersionTime: 7, OK: true}}})
	f.Add(b)
	f.Add([]byte{0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := decodeCells(in)
		if err != nil {
			return
		}
		// What decodes re-encodes to bytes that decode to the same cells.
		again, err := encodeCells(c)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := decodeCells(again)
		if err != nil {
			t.Fatalf("re-encoded cells do not decode: %v", err)
		}
		sameCells(t, c2, c)
	})
}

func BenchmarkCellsCoder(b *testing.B) {
	c := Cells{}
	for i := range 2000 {
		c.Rows = append(c.Rows, DayTotal{
			Dims: totals.Dims{Day: "2024-01-05", Provider: "AWS", Payer: "123456789012", Account: fmt.Sprintf("%012d", i%40),
				Service: fmt.Sprintf("AmazonService%d", i%50), Currency: "USD"},
			Sums: totals.Sums{Unblended: decimal.MustParse("12.3456789012345"), NetUnblended: decimal.MustParse("-0.00001234"),
				Amortized: decimal.MustParse("2.5893953072562468e-05"), LineItems: int64(i)},
		})
	}
	var rows rowcoderCells
	b.Run("custom", func(b *testing.B) {
		var n int
		for b.Loop() {
			buf, _ := encodeCells(c)
			if _, err := decodeCells(buf); err != nil {
				b.Fatal(err)
			}
			n = len(buf)
		}
		b.ReportMetric(float64(n)/float64(len(c.Rows)), "B/cell")
	})
	b.Run("rowcoder", func(b *testing.B) {
		for b.Loop() {
			buf, _ := rows.Encode(c)
			if _, err := rows.Decode(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// rowcoderCells is the generic row coder Cells used before, for the
// benchmark's comparison.
type rowcoderCells = rowcoder.Codec[Cells]
