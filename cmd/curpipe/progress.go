package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/curpipe/curpipe/transforms/progress"
)

// isTerminal reports whether w is a terminal, where progress is one line
// rewritten in place rather than a log line now and then.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// liveEvery is how often the live line on a terminal is redrawn.
const liveEvery = 500 * time.Millisecond

// watchProgress reports the run's progress (files and bytes done of the
// total, rate, time left) until stop is called: on a terminal as a live
// line on w, redrawn in place; otherwise as a log line every period (none
// when period is 0). stop writes a last line once any file was expected,
// so that a log always ends with the run's totals.
func watchProgress(w io.Writer, tty bool, period time.Duration) (stop func()) {
	progress.Reset()
	done := make(chan struct{})
	var wg sync.WaitGroup
	every := period
	if tty {
		every = liveEvery
	}
	if every > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(every)
			defer t.Stop()
			var last progress.Snapshot
			for {
				select {
				case <-done:
					return
				case now := <-t.C:
					s := progress.Now()
					switch {
					case s.Files == 0: // nothing resolved yet
					case !tty && s == last: // a log line only when there is news
					case tty:
						fmt.Fprintf(w, "\r\033[K%s", progressLine(s, now))
					default:
						cmdLog.Info(progressLine(s, now), progressAttrs(s)...)
					}
					last = s
				}
			}
		}()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			s := progress.Now()
			if tty && s.Files > 0 {
				fmt.Fprintf(w, "\r\033[K")
			}
			if s.Files > 0 {
				cmdLog.Info(progressLine(s, time.Now()), progressAttrs(s)...)
			}
		})
	}
}

// progressLine says how far a run has come, in words.
func progressLine(s progress.Snapshot, now time.Time) string {
	line := fmt.Sprintf("progress: %d of %d files, %s of %s", s.FilesDone, s.Files, byteSize(s.BytesDone), byteSize(s.Bytes))
	if s.Bytes > 0 {
		line += fmt.Sprintf(" (%d%%)", s.BytesDone*100/s.Bytes)
	}
	if rate, left := s.Rate(now); rate > 0 {
		line += fmt.Sprintf(", %s/s", byteSize(int64(rate)))
		if s.FilesDone < s.Files {
			line += fmt.Sprintf(", about %s left", left.Round(time.Second))
		}
	}
	return line
}

// progressAttrs are the counts as attributes, for JSON logs.
func progressAttrs(s progress.Snapshot) []any {
	return []any{"files_done", s.FilesDone, "files", s.Files, "bytes_done", s.BytesDone, "bytes", s.Bytes}
}

// byteSize prints a byte count in binary units.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
