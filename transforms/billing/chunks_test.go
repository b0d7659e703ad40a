package billing

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
)

// TestParseFileChunks parses one file, holding bad rows of both kinds,
// sequentially (one core) and in small chunks on several: the statuses,
// sums, quarantine files and curated files are the same, and so is the
// error once the bad rows are too many.
func TestParseFileChunks(t *testing.T) {
	var gz bytes.Buffer
	cfg := gen.DefaultConfig()
	cfg.MaxScale = 24 // the lake's DECIMAL(38,24) usage amounts
	if _, err := gen.WriteFile(&gz, cfg, 3000); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&gz)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, line := range strings.SplitAfter(string(text), "\n") {
		switch {
		case i > 0 && i%251 == 0:
			b.WriteString("1,2,3\r\n") // too few fields
		case i > 0 && i%397 == 0:
			line = strings.ReplaceAll(line, "2024-01-", "2024-13-") // bad dates
		}
		b.WriteString(line)
	}
	name := filepath.Join(t.TempDir(), "chunks-1.csv")
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	task := FileTask{Ref: "r@1", ReportKey: "rk", ReportName: "r", ReportID: "r", Version: "1", VersionKey: "vk",
		BillingPeriod: "2024-01", URL: name, Index: 1}
	defer func(old int) { chunkSize = old }(chunkSize)
	chunkSize = 4096

	parse := func(procs int, maxBad int64) (fileResult, string) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		out := t.TempDir()
		return parseFile(context.Background(), task, ParseOptions{Output: out, MaxBadRows: maxBad}), out
	}
	seq, seqOut := parse(1, 1000)
	par, parOut := parse(4, 1000)
	if seq.Status.Err != "" || seq.Status.BadRows < 15 {
		t.Fatalf("sequential parse: %+v; want success with bad rows", seq.Status)
	}
	if par.Status.Rows != seq.Status.Rows || par.Status.BadRows != seq.Status.BadRows || par.Status.Err != "" {
		t.Errorf("in chunks: %d rows, %d bad, %q; sequentially %d, %d", par.Status.Rows, par.Status.BadRows,
			par.Status.Err, seq.Status.Rows, seq.Status.BadRows)
	}
	if len(par.Rows) != len(seq.Rows) {
		t.Fatalf("in chunks: %d cells, sequentially %d", len(par.Rows), len(seq.Rows))
	}
	for i := range seq.Rows {
		if par.Rows[i].Dims != seq.Rows[i].Dims || !par.Rows[i].Sums.Equal(seq.Rows[i].Sums) {
			t.Fatalf("cell %d: in chunks %v, sequentially %v", i, par.Rows[i], seq.Rows[i])
		}
	}
	want, got := files(t, seqOut), files(t, parOut)
	if len(want) < 2 {
		t.Fatalf("sequential parse wrote %d files, want curated and quarantine files", len(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("in chunks: no %s", name)
		} else if !bytes.Equal(g, w) {
			t.Errorf("in chunks: %s differs", name)
		}
	}
	if len(got) != len(want) {
		t.Errorf("in chunks: %d files, sequentially %d", len(got), len(want))
	}

	seq, _ = parse(1, 5)
	par, _ = parse(4, 5)
	if seq.Status.Err == "" || par.Status.Err != seq.Status.Err {
		t.Errorf("past the allowance: in chunks %q, sequentially %q", par.Status.Err, seq.Status.Err)
	}
}

// files returns the files under dir by their path in it.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
