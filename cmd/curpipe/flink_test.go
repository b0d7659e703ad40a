package main

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/pipeline/pipelinetest"
	"github.com/curpipe/curpipe/runners/flinktest"
	"github.com/curpipe/curpipe/transforms/totals"
)

// onFlink runs a curpipe command on the Flink job server, then puts the
// Beam flags back so that later tests run on prism again.
func onFlink(t *testing.T, args ...string) (string, error) {
	t.Helper()
	args = append(args, flinktest.Args(t)...)
	defer resetBeamFlags()
	return curpipe(t, args...)
}

// resetBeamFlags puts the runner flags a command set back to their
// defaults: they are the process's, shared by every test.
func resetBeamFlags() {
	for _, name := range []string{"runner", "endpoint", "environment_type", "environment_config", "worker_binary", "parallelism"} {
		if f := flag.Lookup(name); f != nil {
			f.Value.Set(f.DefValue)
		}
	}
}

// readDetailCSV reads an output's daily_detail.csv.
func readDetailCSV(t *testing.T, out string) totals.Table {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "totals", "daily_detail.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return readCSVTable(t, string(b))
}

// TestFlinkSamples runs every public sample on Flink: the totals equal the
// reference exactly, and every output file but the run records (which
// name the run) is byte for byte what prism writes.
func TestFlinkSamples(t *testing.T) {
	flinktest.Endpoint(t)
	samples, err := pipelinetest.Samples("../..")
	if err != nil || len(samples) < 4 {
		t.Fatalf("want the 4 public samples under testdata/samples, found %v (%v)", samples, err)
	}
	for _, dir := range samples {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in := filepath.Join(dir, "input")
			flinkOut, prismOut := t.TempDir(), t.TempDir()
			if _, err := onFlink(t, "run", "--input", in, "--output", flinkOut); err != nil {
				t.Fatalf("on Flink: %v", err)
			}
			ref, err := pipelinetest.Load(filepath.Join(dir, "reference_daily.csv"))
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ref.Compare(readDetailCSV(t, flinkOut)) {
				t.Error(d)
			}
			if _, err := curpipe(t, "run", "--input", in, "--output", prismOut); err != nil {
				t.Fatalf("on prism: %v", err)
			}
			sameTrees(t, flinkOut, prismOut)
		})
	}
}

// TestFlinkBackfill is a backfill of several billing periods, each
// delivered in several versions, for several payers, in CUR 1.0 CSV and
// CUR 2.0 Parquet: Flink and prism write the same totals and the same
// curated files, and the totals are the generator's exact ones.
func TestFlinkBackfill(t *testing.T) {
	flinktest.Endpoint(t)
	in, want := backfillInput(t)
	flinkOut, prismOut := t.TempDir(), t.TempDir()
	if _, err := onFlink(t, "run", "--input", in, "--output", flinkOut); err != nil {
		t.Fatalf("on Flink: %v", err)
	}
	if _, err := curpipe(t, "run", "--input", in, "--output", prismOut); err != nil {
		t.Fatalf("on prism: %v", err)
	}
	checkBackfill(t, "Flink", flinkOut, prismOut, want)
}

// checkBackfill fails unless a backfill's output holds the generator's
// exact totals and the same files, byte for byte, as prism's.
func checkBackfill(t *testing.T, runner, out, prismOut string, want totals.Table) {
	t.Helper()
	var wantCSV bytes.Buffer
	if err := want.WriteDetail(&wantCSV); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(out, "totals", "daily_detail.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, wantCSV.Bytes()) {
		t.Errorf("%s's daily_detail.csv differs from the generator's totals:\n%s", runner, firstDiff(got, wantCSV.Bytes()))
	}
	files := sameTrees(t, out, prismOut)
	curated := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".parquet") {
			curated++
		}
	}
	// 4 + 2 periods, 2 files each, at least one usage_date partition per file.
	if curated < 12 {
		t.Errorf("%d curated Parquet files, want at least 12", curated)
	}
}

// backfillInput writes a backfill of several billing periods, each
// delivered in several versions, for several payers, in CUR 1.0 CSV and
// CUR 2.0 Parquet, and returns its folder and exact totals.
func backfillInput(t *testing.T) (string, totals.Table) {
	t.Helper()
	in := t.TempDir()
	want := make(totals.Table)
	for _, ds := range []struct {
		dir string
		cfg gen.Config
	}{
		{"cur1", gen.Config{Seed: 11, Format: gen.CUR1CSV, Rows: 6000, Files: 2, Periods: 4, Versions: 3, Payers: 3, Accounts: 4}},
		{"cur2", gen.Config{Seed: 12, Format: gen.CUR2Parquet, Rows: 3000, Files: 2, Periods: 2, Versions: 2, Payers: 2, Accounts: 3}},
	} {
		cfg := gen.DefaultConfig()
		cfg.Seed, cfg.Format, cfg.Rows, cfg.Size = ds.cfg.Seed, ds.cfg.Format, ds.cfg.Rows, 0
		cfg.Files, cfg.Periods, cfg.Versions, cfg.Payers, cfg.Accounts = ds.cfg.Files, ds.cfg.Periods, ds.cfg.Versions, ds.cfg.Payers, ds.cfg.Accounts
		cfg.Start, cfg.Report, cfg.Workers = time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC), ds.dir, 2
		res, err := gen.Generate(context.Background(), filepath.Join(in, ds.dir), cfg)
		if err != nil {
			t.Fatal(err)
		}
		for d, s := range res.Totals {
			want.Merge(d, *s)
		}
	}
	return in, want
}

// sameTrees fails unless two outputs hold the same files with the same
// bytes, the run records under _curpipe/ aside. It returns the files.
func sameTrees(t *testing.T, a, b string) []string {
	t.Helper()
	fa, fb := readTree(t, a), readTree(t, b)
	var names []string
	for name, data := range fa {
		names = append(names, name)
		other, ok := fb[name]
		switch {
		case !ok:
			t.Errorf("%s: only on Flink", name)
		case !bytes.Equal(data, other):
			t.Errorf("%s differs between Flink and prism:\n%s", name, firstDiff(data, other))
		}
	}
	for name := range fb {
		if _, ok := fa[name]; !ok {
			t.Errorf("%s: only on prism", name)
		}
	}
	if len(fa) == 0 {
		t.Errorf("%s holds no output", a)
	}
	return names
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, "_curpipe"+string(filepath.Separator)) {
			return nil
		}
		files[filepath.ToSlash(rel)], err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// firstDiff shows the first line where two files differ.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < max(len(la), len(lb)); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n  " + x + "\n  " + y
		}
	}
	return "(binary difference)"
}

// TestFlinkStream runs the stream on Flink's streaming translator: an
// upload announced through EventBridge on SQS is committed and its
// message deleted; a newer version replaces it; stopping the command
// cancels the job on the job server.
func TestFlinkStream(t *testing.T) {
	flinktest.Endpoint(t)
	before := flinktest.Running(t)
	env := newStreamEnv(t, viaEB)
	out := t.TempDir()
	// Reports commit tens of seconds after their parse on Flink (see the
	// README): the visibility the README gives Flink users keeps their
	// messages from being received again meanwhile.
	stop := env.stream(t, out, append(flinktest.Args(t), "--visibility", "3m")...)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
		resetBeamFlags()
	}()
	want := func(total string) string {
		return "usage_date,provider,currency,unblended_cost,net_unblended_cost,amortized_cost,line_items\n2024-01-05,AWS,USD," + total + "," + total + "," + total + ",1\n"
	}
	env.put(t, "drops/a.csv", cur("1.5"))
	waitFor(t, "the first upload's totals", 2*time.Minute, func() bool { return dailyCSV(out) == want("1.5") })
	waitFor(t, "an empty queue", time.Minute, func() bool { return env.depth(t, env.queue) == 0 })
	env.put(t, "drops/a.csv", cur("2.25"))
	waitFor(t, "the new version to replace the old", 2*time.Minute, func() bool { return dailyCSV(out) == want("2.25") })
	waitFor(t, "an empty queue", time.Minute, func() bool { return env.depth(t, env.queue) == 0 })
	if n := env.depth(t, env.dlq); n != 0 {
		t.Errorf("%d messages in the DLQ", n)
	}
	stop()
	stopped = true
	for _, job := range flinktest.Running(t) {
		if !slices.Contains(before, job) {
			t.Errorf("the stopped stream's job is still on the job server: %s", job)
		}
	}
}

// TestFlinkStreamDuplicates: every event of a delivery announced twice, 3 s
// apart, on Flink's streaming translator: both runs of the version commit
// the same content, the totals end exact, nothing reaches the DLQ.
func TestFlinkStreamDuplicates(t *testing.T) {
	flinktest.Endpoint(t)
	env := quietEnv(t)
	cfg := smallDelivery()
	cfg.Rows = 600
	d := newDelivery(t, env, cfg)
	out := t.TempDir()
	stop := env.stream(t, out, append(flinktest.Args(t), "--visibility", "3m")...)
	defer func() {
		stop()
		resetBeamFlags()
	}()
	env.announce(t, d.keys...)
	time.Sleep(3 * time.Second)
	env.announce(t, d.keys...)
	waitFor(t, "the exact totals", 4*time.Minute, func() bool { return sameTotals(t, detail(t, out, ""), d.want) })
	waitFor(t, "an empty queue", 3*time.Minute, func() bool { return env.depth(t, env.queue) == 0 })
	if got := detail(t, out, ""); !sameTotals(t, got, d.want) {
		t.Errorf("totals once the queue is empty:\n%s\nwant\n%s", got, d.want)
	}
	if n := env.depth(t, env.dlq); n != 0 {
		t.Errorf("%d messages in the DLQ", n)
	}
}
