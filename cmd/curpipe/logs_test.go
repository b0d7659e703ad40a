package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/curpipe/curpipe/transforms/progress"
)

// logSample is a one-file report that commits in well under a second.
const logSample = "../../testdata/samples/koku-aws-fixtures/input/test_cur.csv"

// runLogged runs `curpipe run` on logSample in process and returns stderr.
func runLogged(t *testing.T, flags ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"run", "--input", logSample, "--output", t.TempDir()}, flags...)
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("curpipe %s: %v\nstderr:\n%s", strings.Join(args, " "), err, tail(errOut.String(), 20))
	}
	return errOut.String()
}

// plumbing are lines the runner prints that curpipe's default leaves out.
var plumbing = []string{"Prepared job", "starting Loopback", "Staged binary", "Submitted job", "[SDK]", "pipeline completed", "stopping worker"}

func TestLogLevelInfoHidesPlumbing(t *testing.T) {
	got := runLogged(t)
	for _, p := range plumbing {
		if strings.Contains(got, p) {
			t.Errorf("stderr holds runner plumbing %q at info:\n%s", p, got)
		}
	}
	for _, want := range []string{"curpipe: run ", "parsed ", "committed: 1 files", "finalized: 1 reports"} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks curpipe's line %q:\n%s", want, got)
		}
	}
}

func TestLogLevelDebugShowsPlumbing(t *testing.T) {
	got := runLogged(t, "--log-level", "debug")
	for _, want := range []string{"level=DEBUG", "worker.ID=", "parsed "} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks %q at debug:\n%s", want, tail(got, 20))
		}
	}
}

func TestLogFormatJSON(t *testing.T) {
	got := runLogged(t, "--log-format", "json")
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) < 3 {
		t.Fatalf("want curpipe's lines, got:\n%s", got)
	}
	for _, l := range lines {
		var rec struct{ Time, Level, Msg string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line is not JSON (%v): %s", err, l)
		}
		if rec.Time == "" || rec.Level == "" || rec.Msg == "" {
			t.Errorf("line lacks time, level or msg: %s", l)
		}
		if rec.Level == "DEBUG" {
			t.Errorf("debug line at info: %s", l)
		}
	}
}

func TestLogFlagsRejectUnknown(t *testing.T) {
	for _, args := range [][]string{{"--log-level", "loud"}, {"--log-format", "xml"}} {
		var out, errOut bytes.Buffer
		all := append([]string{"run", "--input", logSample, "--output", t.TempDir()}, args...)
		err := run(context.Background(), all, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v: want an error naming %s, got %v", args, args[0], err)
		}
	}
}

func TestProgressNotATerminal(t *testing.T) {
	got := runLogged(t, "--progress-every", "5ms")
	if !strings.Contains(got, "progress: 1 of 1 files, ") || !strings.Contains(got, "(100%)") {
		t.Errorf("stderr lacks a progress line with files and bytes done of the total:\n%s", got)
	}
	if strings.Contains(got, "\r") {
		t.Errorf("progress rewrote a line on a non-terminal:\n%q", got)
	}
}

func TestProgressJSON(t *testing.T) {
	got := runLogged(t, "--progress-every", "5ms", "--log-format", "json")
	found := false
	for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
		var rec struct {
			Msg   string
			Files int
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line is not JSON (%v): %s", err, l)
		}
		if strings.HasPrefix(rec.Msg, "progress: ") && rec.Files == 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("no JSON progress line with files=1:\n%s", got)
	}
}

func TestStreamStatusLine(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC)
	s := progress.Stream{Received: 4, Acked: 3, InFlight: 1, Oldest: now.Add(-90 * time.Second),
		Reports: map[string]int{"committed": 2, "failed": 1}}
	want := "status: 4 messages received, 3 acknowledged, 1 in flight (oldest sent 1m30s ago); reports 2 committed, 1 failed, 0 skipped"
	if got := statusLine(s, now); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
