package totals

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func detailReaders(t *testing.T, files ...string) []*DetailReader {
	t.Helper()
	var rs []*DetailReader
	for i, f := range files {
		r, err := NewDetailReader(strings.NewReader(f), fmt.Sprintf("file%d", i))
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	return rs
}

// mergeToCSV merges files with MergeDetail and writes the result.
func mergeToCSV(t *testing.T, files ...string) (string, error) {
	var b bytes.Buffer
	w := NewDetailRowWriter(&b, true)
	err := MergeDetail(detailReaders(t, files...), w.Write)
	if err == nil {
		err = w.Flush()
	}
	return b.String(), err
}

func TestMergeDetail(t *testing.T) {
	const head = "usage_date,provider,payer_account_id,usage_account_id,service,currency,unblended_cost,net_unblended_cost,amortized_cost,line_items\n"
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"one file is copied", []string{sampleDetail}, sampleDetail},
		{"header only", []string{head, head}, head},
		{"no input", nil, head},
		{"disjoint payers interleave", []string{
			head + "2023-11-01,AWS,111,1,S3,USD,1,1,1,1\n2023-11-02,AWS,111,1,S3,USD,2,2,2,2\n",
			head + "2023-11-01,AWS,222,1,S3,USD,3,3,3,3\n",
		}, head + "2023-11-01,AWS,111,1,S3,USD,1,1,1,1\n2023-11-01,AWS,222,1,S3,USD,3,3,3,3\n2023-11-02,AWS,111,1,S3,USD,2,2,2,2\n"},
		{"equal cells are summed exactly", []string{
			head + "2023-11-01,AWS,111,1,S3,USD,0.1,0.1,0.1,1\n",
			head + "2023-11-01,AWS,111,1,S3,USD,0.2,-0.3,1E-20,2\n",
			head + "2023-11-01,AWS,111,1,S3,USD,0.0000000000000000000001,0,0,3\n",
		}, head + "2023-11-01,AWS,111,1,S3,USD,0.3000000000000000000001,-0.2,0.10000000000000000001,6\n"},
		{"quoted dimensions", []string{
			head + "2023-11-01,AWS,111,1,\"a,b\",USD,1,1,1,1\n",
			head + "2023-11-01,AWS,111,1,\"a,b\",USD,1,1,1,1\n",
		}, head + "2023-11-01,AWS,111,1,\"a,b\",USD,2,2,2,2\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mergeToCSV(t, tc.files...)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("merged:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestMergeDetailErrors(t *testing.T) {
	const head = "usage_date,provider,payer_account_id,usage_account_id,service,currency,unblended_cost,net_unblended_cost,amortized_cost,line_items\n"
	_, err := mergeToCSV(t, head+"2023-11-02,AWS,1,1,S3,USD,1,1,1,1\n2023-11-01,AWS,1,1,S3,USD,1,1,1,1\n")
	if !errors.Is(err, ErrUnsorted) || !strings.Contains(err.Error(), "file0") {
		t.Errorf("rows out of order: %v, want ErrUnsorted naming file0", err)
	}
	_, err = mergeToCSV(t, head+"2023-11-01,AWS,1,1,S3,USD,1,1,1,1\n2023-11-01,AWS,1,1,S3,USD,1,1,1,1\n")
	if !errors.Is(err, ErrUnsorted) {
		t.Errorf("a row repeated in one file: %v, want ErrUnsorted", err)
	}
	_, err = mergeToCSV(t, head, head+"2023-11-01,AWS,1,1,S3,USD,x,1,1,1\n")
	if err == nil || !strings.Contains(err.Error(), "file1: line 2, unblended_cost") {
		t.Errorf("bad figure: %v, want it named by file, line and column", err)
	}
	for _, f := range []string{"", "a,b\n", "usage_date\n"} {
		if _, err := NewDetailReader(strings.NewReader(f), "x.csv"); err == nil || !strings.HasPrefix(err.Error(), "x.csv: ") {
			t.Errorf("NewDetailReader(%q) = %v, want an error naming x.csv", f, err)
		}
	}
	stop := errors.New("stop")
	if err := MergeDetail(detailReaders(t, sampleDetail), func(Row) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("emit's error: %v, want it returned", err)
	}
}

// TestMergeDetailMatchesTable merges random sorted files and checks the
// result against a Table that holds every row.
func TestMergeDetailMatchesTable(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		var files []string
		want := make(Table)
		for range 1 + rng.IntN(5) {
			tab := make(Table)
			for range rng.IntN(200) {
				d := Dims{Day: fmt.Sprintf("2024-01-%02d", 1+rng.IntN(3)), Provider: "AWS",
					Payer: fmt.Sprint(rng.IntN(3)), Account: fmt.Sprint(rng.IntN(5)),
					Service: fmt.Sprint("S", rng.IntN(4)), Currency: "USD"}
				v := dec(fmt.Sprintf("%d.%03d", rng.IntN(2000)-1000, rng.IntN(1000)))
				tab.Add(d, v, v, v)
				want.Add(d, v, v, v)
			}
			var b bytes.Buffer
			if err := tab.WriteDetail(&b); err != nil {
				t.Fatal(err)
			}
			files = append(files, b.String())
		}
		got, err := mergeToCSV(t, files...)
		if err != nil {
			t.Fatal(err)
		}
		var wantCSV bytes.Buffer
		if err := want.WriteDetail(&wantCSV); err != nil {
			t.Fatal(err)
		}
		if got != wantCSV.String() {
			t.Fatalf("seed %d: merge differs from the table:\n%s\nwant:\n%s", seed, got, wantCSV.String())
		}
	}
}

// FuzzMergeDetail merges two arbitrary files: it never panics, and what it
// merges without error is strictly ascending and sums to what a Table of
// both files holds.
func FuzzMergeDetail(f *testing.F) {
	f.Add(sampleDetail, sampleDetail)
	f.Add(sampleDetail, "usage_date,provider,payer_account_id,usage_account_id,service,currency,unblended_cost,net_unblended_cost,amortized_cost,line_items\n2023-11-01,AWS,111,222,AmazonEC2,USD,1,2,3,4\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		var readers []*DetailReader
		for _, in := range []string{a, b} {
			r, err := NewDetailReader(strings.NewReader(in), "in")
			if err != nil {
				return
			}
			readers = append(readers, r)
		}
		var rows []Row
		if err := MergeDetail(readers, func(r Row) error { rows = append(rows, r); return nil }); err != nil {
			return
		}
		want := make(Table)
		for _, in := range []string{a, b} {
			if err := want.ReadDetail(strings.NewReader(in)); err != nil {
				t.Fatalf("merged, but ReadDetail fails: %v", err)
			}
		}
		if len(rows) != len(want) {
			t.Fatalf("%d rows merged, the table holds %d", len(rows), len(want))
		}
		for i, r := range rows {
			if i > 0 && rows[i-1].Dims.Compare(r.Dims) >= 0 {
				t.Fatalf("row %d %v not after %v", i, r.Dims, rows[i-1].Dims)
			}
			if s := want[r.Dims]; s == nil || !s.Equal(r.Sums) {
				t.Fatalf("row %v: merged %v, table %v", r.Dims, r.Sums, s)
			}
		}
	})
}
