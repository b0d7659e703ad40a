package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// curpipeBinary builds the command once per test binary, for the tests
// that must measure it as a process of its own.
func curpipeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "curpipe-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "curpipe")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// repeatReader yields a prefix, then n bytes of pattern repeated, then a
// suffix: a huge input made on the fly.
func repeatReader(prefix, pattern string, n int64, suffix string) io.Reader {
	return io.MultiReader(strings.NewReader(prefix), io.LimitReader(&repeating{s: pattern}, n), strings.NewReader(suffix))
}

type repeating struct {
	s string
	i int
}

func (r *repeating) Read(p []byte) (int, error) {
	for n := 0; n < len(p); {
		k := copy(p[n:], r.s[r.i:])
		n += k
		r.i = (r.i + k) % len(r.s)
	}
	return len(p), nil
}

// gzipOf compresses what r yields, at the level that shrinks repetition
// most, into a file.
func gzipOf(t *testing.T, path string, r io.Reader) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	if _, err := io.Copy(zw, r); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	return st.Size()
}

// TestHostileInputs runs the built command on a hostile file beside a
// good report, one file at a time: the hostile file fails its report with
// a message that names the file and the limit's flag, nothing of it is
// committed, the good report's totals are exact, and the process never
// holds more than 1 GiB.
func TestHostileInputs(t *testing.T) {
	bin := curpipeBinary(t)
	const header = "bill/PayerAccountId,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/CurrencyCode,lineItem/UnblendedCost\n"
	const row = "111111111111,111111111111,Usage,2024-01-05T00:00:00Z,AmazonEC2,USD,1\n"
	var zipBomb bytes.Buffer
	zw := zip.NewWriter(&zipBomb)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "cur.csv", Method: zip.Deflate})
	io.Copy(w, repeatReader(header, row, 300<<20, ""))
	zw.Close()
	tests := []struct {
		name  string
		write func(t *testing.T, path string)
		flag  string // what the failure names
	}{
		{"one quoted field inflating to 1.5 GB", func(t *testing.T, p string) {
			gzipOf(t, p, repeatReader(header+row+"111111111111,111111111111,Usage,2024-01-05T00:00:00Z,\"", "x", 3<<29, "\",USD,1\n"))
		}, "--max-record-bytes"},
		{"a 1 GB header line without a newline", func(t *testing.T, p string) {
			gzipOf(t, p, repeatReader("bill/PayerAccountId,", "h", 1<<30, ""))
		}, "--max-header-bytes"},
		{"a zip inflating 300 times", func(t *testing.T, p string) {
			if err := os.WriteFile(p, zipBomb.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "--max-inflate-ratio"},
		{"a million columns", func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte(strings.Repeat("c,", 1e6)+"c\n1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "--max-fields"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := t.TempDir()
			writeFile(t, filepath.Join(in, "good.csv"), curCSV("222222222222", "2.5"))
			bad := filepath.Join(in, "hostile.csv.gz")
			if strings.Contains(tc.name, "zip") {
				bad = filepath.Join(in, "hostile.zip")
			}
			tc.write(t, bad)
			st, _ := os.Stat(bad)
			out := t.TempDir()
			cmd := exec.Command(bin, "run", "--input", in, "--output", out)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			start := time.Now()
			err := cmd.Run()
			took := time.Since(start)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\n%s", err, tail(stderr.String(), 20))
			}
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
			t.Logf("%s: %d bytes on disk; failed in %s, peak RSS %d MiB", tc.name, st.Size(), took.Round(10*time.Millisecond), rss>>20)
			if rss > 1<<30 {
				t.Errorf("peak RSS %d MiB, over 1 GiB", rss>>20)
			}
			msg := stderr.String()
			if !strings.Contains(msg, "1 of 2 reports failed") || !strings.Contains(msg, filepath.Base(bad)) || !strings.Contains(msg, tc.flag) {
				t.Errorf("the failure does not name the file and %s:\n%s", tc.flag, tail(msg, 20))
			}
			daily, _ := os.ReadFile(filepath.Join(out, "totals", "daily.csv"))
			if want := "2024-01-05,AWS,USD,2.5,2.5,2.5,1\n"; !strings.HasSuffix(string(daily), want) || strings.Count(string(daily), "\n") != 2 {
				t.Errorf("totals:\n%s\nwant the good report's alone: %s", daily, want)
			}
			curated, _ := filepath.Glob(filepath.Join(out, "curated", "*", "*", "*hostile*"))
			if len(curated) > 0 {
				t.Errorf("the hostile report left curated files: %v", curated)
			}
		})
	}
}

// cellsGzip writes a CUR file of n line items, each of its own usage
// account and so a cell of its own, costing 1 each.
func cellsGzip(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	w := bufio.NewWriterSize(zw, 1<<20)
	w.WriteString("bill/PayerAccountId,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/CurrencyCode,lineItem/UnblendedCost\n")
	for i := range n {
		fmt.Fprintf(w, "333333333333,%012d,Usage,2024-01-05T00:00:00Z,AmazonEC2,USD,1\n", i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCellsBound runs the built command at its default settings on a
// report of nearly --max-cells distinct cells, which commits exactly, and
// on one past it, which fails naming the flag; beside a good report each
// time, and under 1 GiB either way.
func TestCellsBound(t *testing.T) {
	bin := curpipeBinary(t)
	const limit = 500_000 // billing.DefaultMaxCells, as a user reads it in the README
	for _, tc := range []struct {
		name  string
		cells int
		daily string // the day's totals line; "" when the report fails
	}{
		{"just under the bound", limit - 50_000, "2024-01-05,AWS,USD,450002.5,450002.5,450002.5,450001\n"},
		{"past the bound", limit + 100_000, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := t.TempDir()
			writeFile(t, filepath.Join(in, "good.csv"), curCSV("222222222222", "2.5"))
			cellsGzip(t, filepath.Join(in, "cells.csv.gz"), tc.cells)
			out := t.TempDir()
			cmd := exec.Command(bin, "run", "--input", in, "--output", out)
			cmd.Env = append(os.Environ(), "GOMEMLIMIT=") // the program's own target, not the environment's
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			start := time.Now()
			err := cmd.Run()
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
			t.Logf("%d cells: %v in %s, peak RSS %d MiB", tc.cells, err, time.Since(start).Round(10*time.Millisecond), rss>>20)
			if rss > 1<<30 {
				t.Errorf("peak RSS %d MiB, over 1 GiB", rss>>20)
			}
			daily, _ := os.ReadFile(filepath.Join(out, "totals", "daily.csv"))
			if tc.daily != "" {
				if err != nil {
					t.Fatalf("run: %v\n%s", err, tail(stderr.String(), 20))
				}
				if !strings.HasSuffix(string(daily), tc.daily) {
					t.Errorf("totals:\n%s\nwant %s", daily, tc.daily)
				}
				return
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\n%s", err, tail(stderr.String(), 20))
			}
			msg := stderr.String()
			if want := fmt.Sprintf("cells.csv.gz: its report's count of distinct cells (day, payer, account, service, currency) is over the limit of %d cells (--max-cells)", limit); !strings.Contains(msg, want) {
				t.Errorf("the failure does not say %q:\n%s", want, tail(msg, 20))
			}
			if want := "2024-01-05,AWS,USD,2.5,2.5,2.5,1\n"; !strings.HasSuffix(string(daily), want) {
				t.Errorf("totals:\n%s\nwant the good report's alone: %s", daily, want)
			}
		})
	}
}
