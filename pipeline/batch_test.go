package pipeline_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	_ "github.com/curpipe/curpipe/io/localfs"
	"github.com/curpipe/curpipe/pipeline"
)

func TestMain(m *testing.M) {
	ptest.Main(m)
}

var t0 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// TestNewVersionReplaces delivers two assemblies of one billing period in
// "create new report version" mode: only the newer counts, never both.
func TestNewVersionReplaces(t *testing.T) {
	for _, tc := range []struct {
		name          string
		rangeManifest bool // the date-range folder's copy names the current assembly
	}{
		{"named by the date-range manifest", true},
		{"newest assembly manifest", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, out := t.TempDir(), t.TempDir()
			base := filepath.Join(in, "cur", "daily", "20240101-20240201")
			old := line{"2024-01-05", "222222222222", "AmazonEC2", "Usage", "100.5"}
			cur := line{"2024-01-05", "222222222222", "AmazonEC2", "Usage", "7.25"}
			writeFile(t, filepath.Join(base, "aaa", "daily-1.csv.gz"), gz(curCSV(old)), t0)
			writeFile(t, filepath.Join(base, "aaa", "daily-Manifest.json"),
				manifest("aaa", "daily", "202401", "cur/daily/20240101-20240201/aaa/daily-1.csv.gz"), t0)
			writeFile(t, filepath.Join(base, "bbb", "daily-1.csv.gz"), gz(curCSV(cur, cur)), t0.Add(time.Hour))
			m := manifest("bbb", "daily", "202401", "cur/daily/20240101-20240201/bbb/daily-1.csv.gz")
			writeFile(t, filepath.Join(base, "bbb", "daily-Manifest.json"), m, t0.Add(time.Hour))
			if tc.rangeManifest {
				writeFile(t, filepath.Join(base, "daily-Manifest.json"), m, t0.Add(time.Hour))
			}
			sum := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out})
			if len(sum.Outcomes) != 1 {
				t.Fatalf("want 1 report, got %+v", sum.Outcomes)
			}
			if o := sum.Outcomes[0]; o.Status != "committed" || o.Version != "bbb" || o.Rows != 2 {
				t.Fatalf("outcome %+v, want version bbb committed with 2 rows", o)
			}
			wantDecimal(t, "2024-01-05", dayTotal(readDetail(t, out), "2024-01-05"), "14.5")
		})
	}
}

// TestOverwriteMode redelivers a period in place (overwrite mode): the new
// delivery replaces the old one's totals and curated files.
func TestOverwriteMode(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	base := filepath.Join(in, "cur", "ow", "20240101-20240201")
	key := "cur/ow/20240101-20240201/ow-1.csv.gz"
	writeFile(t, filepath.Join(base, "ow-1.csv.gz"), gz(curCSV(
		line{"2024-01-01", "1", "AmazonS3", "Usage", "1.1"},
		line{"2024-01-02", "1", "AmazonS3", "Usage", "2.2"})), t0)
	writeFile(t, filepath.Join(base, "ow-Manifest.json"), manifest("first", "ow", "202401", key), t0)
	first := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out})
	if o := first.Outcomes[0]; o.Status != "committed" || o.Version != "first" {
		t.Fatalf("first delivery: %+v", o)
	}
	if got := listFiles(t, out, "curated"); len(got) != 2 {
		t.Fatalf("first delivery curated files %v, want one per day", got)
	}

	// AWS rewrites the same keys; January 2 vanished, January 3 is new.
	writeFile(t, filepath.Join(base, "ow-1.csv.gz"), gz(curCSV(
		line{"2024-01-01", "1", "AmazonS3", "Usage", "1.5"},
		line{"2024-01-03", "1", "AmazonS3", "Usage", "3.3"})), t0.Add(24*time.Hour))
	writeFile(t, filepath.Join(base, "ow-Manifest.json"), manifest("second", "ow", "202401", key), t0.Add(24*time.Hour))
	second := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out})
	if o := second.Outcomes[0]; o.Status != "committed" || o.Version != "second" {
		t.Fatalf("second delivery: %+v", o)
	}
	tab := readDetail(t, out)
	wantDecimal(t, "2024-01-01", dayTotal(tab, "2024-01-01"), "1.5")
	wantDecimal(t, "2024-01-02", dayTotal(tab, "2024-01-02"), "0")
	wantDecimal(t, "2024-01-03", dayTotal(tab, "2024-01-03"), "3.3")
	curated := listFiles(t, out, "curated")
	if len(curated) != 2 {
		t.Fatalf("curated files after the second delivery: %v, want the second's two", curated)
	}
	for _, f := range curated {
		if strings.Contains(f, "usage_date=2024-01-02") {
			t.Errorf("the replaced version's file %s is still there", f)
		}
	}

	// The first delivery arriving again, late, changes nothing.
	writeFile(t, filepath.Join(base, "ow-Manifest.json"), manifest("first", "ow", "202401", key), t0)
	late := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out})
	if o := late.Outcomes[0]; o.Status != "skipped" {
		t.Fatalf("an older version after a newer: %+v, want skipped", o)
	}
	wantDecimal(t, "2024-01-01 after the late delivery", dayTotal(readDetail(t, out), "2024-01-01"), "1.5")
}

// TestPlainDrop: a CSV with no manifest is a report of its own.
func TestPlainDrop(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(in, "drop.csv"), curCSV(
		line{"2024-02-01", "1", "AWSLambda", "Usage", "1.81E-8"},
		line{"2024-02-01", "1", "AWSLambda", "Tax", "2.5893953072562468e-05"}), t0)
	sum := runBatch(t, pipeline.Config{Inputs: []string{filepath.Join(in, "*.csv")}, Output: out})
	o := outcomeByName(t, sum, "drop.csv")
	if o.Status != "committed" || o.Rows != 2 {
		t.Fatalf("outcome %+v", o)
	}
	wantDecimal(t, "2024-02-01", dayTotal(readDetail(t, out), "2024-02-01"), "0.000025912053072562468")
}

// TestTotalsOnly: --no-curated writes the totals and no Parquet.
func TestTotalsOnly(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(in, "t.csv"), curCSV(line{"2024-02-02", "1", "AmazonS3", "Usage", "0.5"}), t0)
	sum := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out, NoCurated: true})
	if o := outcomeByName(t, sum, "t.csv"); o.Status != "committed" {
		t.Fatalf("outcome %+v", o)
	}
	wantDecimal(t, "2024-02-02", dayTotal(readDetail(t, out), "2024-02-02"), "0.5")
	if files := listFiles(t, out, "curated"); len(files) != 0 {
		t.Errorf("curated files %v with NoCurated", files)
	}
}

// TestCorruptGzipAmongGoodFiles: the damaged file's report fails with a
// clear error; the others commit.
func TestCorruptGzipAmongGoodFiles(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	good := curCSV(line{"2024-03-01", "1", "AmazonEC2", "Usage", "5"})
	writeFile(t, filepath.Join(in, "a.csv"), good, t0)
	writeFile(t, filepath.Join(in, "c.csv.gz"), gz(good), t0)
	big := gz(curCSV(repeat(line{"2024-03-01", "1", "AmazonEC2", "Usage", "1"}, 2000)...))
	writeFile(t, filepath.Join(in, "b.csv.gz"), big[:len(big)/2], t0) // truncated
	sum := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out})
	if o := outcomeByName(t, sum, "b.csv.gz"); o.Status != "failed" || !strings.Contains(o.Reason, "corrupt or truncated") {
		t.Errorf("truncated gzip: %+v, want failed as corrupt or truncated", o)
	}
	for _, name := range []string{"a.csv", "c.csv.gz"} {
		if o := outcomeByName(t, sum, name); o.Status != "committed" {
			t.Errorf("%s: %+v, want committed", name, o)
		}
	}
	wantDecimal(t, "2024-03-01", dayTotal(readDetail(t, out), "2024-03-01"), "10")
	for _, f := range listFiles(t, out, "curated") {
		if strings.Contains(f, "b_csv_gz") {
			t.Errorf("curated file %s of the failed report remains", f)
		}
	}
}

// TestBadInputs: each kind of bad object fails its own report, clearly.
func TestBadInputs(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(in, "empty.csv"), nil, t0)
	writeFile(t, filepath.Join(in, "binary.csv"), []byte{0, 1, 2, 3, 0, 0, 7}, t0)
	writeFile(t, filepath.Join(in, "other.csv"), []byte("a,b\n1,2\n"), t0)
	writeFile(t, filepath.Join(in, "nocost.csv"), []byte("lineItem/UsageStartDate,lineItem/LineItemType\n2024-01-01,Usage\n"), t0)
	writeFile(t, filepath.Join(in, "good.csv"), curCSV(line{"2024-04-01", "1", "AmazonEC2", "Usage", "3"}), t0)
	writeFile(t, filepath.Join(in, "notes.txt"), []byte("not billing"), t0)
	sum := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out})
	for name, want := range map[string]string{
		"empty.csv":   "empty file",
		"binary.csv":  "not a CSV, gzip, zip or Parquet file",
		"other.csv":   "not a billing export",
		"nocost.csv":  "lacks lineItem/UnblendedCost",
		"good.csv":    "",
		"notes.txt:-": "",
	} {
		if strings.HasSuffix(name, ":-") {
			for _, o := range sum.Outcomes {
				if o.Name == strings.TrimSuffix(name, ":-") {
					t.Errorf("%s became a report: %+v", o.Name, o)
				}
			}
			continue
		}
		o := outcomeByName(t, sum, name)
		if want == "" {
			if o.Status != "committed" {
				t.Errorf("%s: %+v, want committed", name, o)
			}
			continue
		}
		if o.Status != "failed" || !strings.Contains(o.Reason, want) {
			t.Errorf("%s: %s %q, want failed with %q", name, o.Status, o.Reason, want)
		}
	}
}

// TestRaggedRow: a row with a field too many fails its report, naming
// the file and line, and leaves nothing behind; --max-bad-rows lets it
// through into the quarantine file.
func TestRaggedRow(t *testing.T) {
	data := curCSV(
		line{"2024-05-01", "1", "AmazonEC2", "Usage", "1"},
		line{"2024-05-01", "1", "AmazonEC2", "Usage", "2"},
		line{"2024-05-02", "1", "AmazonEC2", "Usage", "4"})
	lines := bytes.SplitAfter(data, []byte("\r\n"))
	lines[2] = append(bytes.TrimSuffix(lines[2], []byte("\r\n")), []byte(",extra\r\n")...)
	data = bytes.Join(lines, nil)

	t.Run("fails the report", func(t *testing.T) {
		in, out := t.TempDir(), t.TempDir()
		writeFile(t, filepath.Join(in, "ragged.csv"), data, t0)
		sum := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out})
		o := outcomeByName(t, sum, "ragged.csv")
		if o.Status != "failed" || !strings.Contains(o.Reason, "ragged.csv:3:") || !strings.Contains(o.Reason, "wrong number of fields") {
			t.Fatalf("outcome %s %q, want failed at ragged.csv:3 for the field count", o.Status, o.Reason)
		}
		if files := listFiles(t, out, "curated"); len(files) != 0 {
			t.Errorf("failed report left curated files %v", files)
		}
		if tab := readDetail(t, out); len(tab) != 0 {
			t.Errorf("failed report left totals %v", tab.Rows())
		}
	})
	t.Run("max-bad-rows lets it through", func(t *testing.T) {
		in, out := t.TempDir(), t.TempDir()
		writeFile(t, filepath.Join(in, "ragged.csv"), data, t0)
		sum := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out, MaxBadRows: 1})
		o := outcomeByName(t, sum, "ragged.csv")
		if o.Status != "committed" || o.BadRows != 1 || o.Rows != 2 {
			t.Fatalf("outcome %+v, want committed with 2 rows and 1 bad", o)
		}
		tab := readDetail(t, out)
		wantDecimal(t, "2024-05-01", dayTotal(tab, "2024-05-01"), "1")
		wantDecimal(t, "2024-05-02", dayTotal(tab, "2024-05-02"), "4")
		q := listFiles(t, out, "quarantine")
		if len(q) != 1 {
			t.Fatalf("quarantine files %v, want 1", q)
		}
		b, _ := os.ReadFile(filepath.Join(out, q[0]))
		if !strings.Contains(string(b), "ragged.csv,3,") || !strings.Contains(string(b), "wrong number of fields") {
			t.Errorf("quarantine file says %q, want the file, line 3 and the reason", b)
		}
	})
}

// TestRerunIsIdempotent runs the same input into the same output twice,
// and once more reprocessing: the lake is byte for byte the same.
func TestRerunIsIdempotent(t *testing.T) {
	out := t.TempDir()
	in := "../testdata/samples/koku-local-bucket/input"
	runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out})
	first := snapshot(t, out)
	if len(first) < 5 {
		t.Fatalf("the first run wrote only %v", first)
	}
	sum := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out})
	if o := sum.Outcomes[0]; o.Status != "skipped" {
		t.Errorf("second run: %+v, want skipped as already committed", o)
	}
	sameFiles(t, first, snapshot(t, out))
	sum = runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out, Reprocess: true})
	if o := sum.Outcomes[0]; o.Status != "committed" {
		t.Errorf("reprocess: %+v, want committed", o)
	}
	sameFiles(t, first, snapshot(t, out))
}

func sameFiles(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	for name, b := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s vanished", name)
		} else if !bytes.Equal(g, b) {
			t.Errorf("%s changed", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s appeared", name)
		}
	}
}

func repeat(l line, n int) []line {
	out := make([]line, n)
	for i := range out {
		out[i] = l
	}
	return out
}
