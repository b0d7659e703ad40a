// Package progress counts a batch run's billing files and bytes as the
// stages resolve and parse them, and a stream's messages and reports, so
// that the command can tell how far a run has come.
//
// The counts are process-wide. On prism, in process, and with LOOPBACK
// workers the stages run in the command's own process and the counts are
// the run's; where workers are other processes (Flink with DOCKER or
// EXTERNAL workers) the command's counts stay at zero and progress is
// what the runner itself reports.
//
// The package is plain Go: stages import it beside element, and the
// command reads it, without either importing the other.
package progress

import (
	"sync"
	"time"
)

// Snapshot is the run's progress at one moment.
type Snapshot struct {
	Files, FilesDone int
	Bytes, BytesDone int64
	Started          time.Time // when the first file was expected
}

var (
	mu      sync.Mutex
	sizes   = map[string]int64{} // expected files not yet done, by URL
	current Snapshot
)

// Expect adds a file of size bytes to the run's total. A file expected
// twice counts once.
func Expect(url string, size int64) {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := sizes[url]; ok {
		return
	}
	if current.Started.IsZero() {
		current.Started = time.Now()
	}
	sizes[url] = size
	current.Files++
	current.Bytes += size
}

// Done marks an expected file finished, parsed or failed. A file never
// expected (a stream's, or a worker's elsewhere) is ignored.
func Done(url string) {
	mu.Lock()
	defer mu.Unlock()
	size, ok := sizes[url]
	if !ok {
		return
	}
	delete(sizes, url)
	current.FilesDone++
	current.BytesDone += size
}

// Now returns the run's progress so far.
func Now() Snapshot {
	mu.Lock()
	defer mu.Unlock()
	return current
}

// Reset forgets every count: a process that runs several graphs calls it
// before each.
func Reset() {
	mu.Lock()
	defer mu.Unlock()
	sizes = map[string]int64{}
	current = Snapshot{}
	stream = Stream{}
	inFlight = map[string]time.Time{}
}

// Rate returns the bytes per second done since the start, and the time
// left at that rate; both zero until some bytes are done.
func (s Snapshot) Rate(now time.Time) (bytesPerSec float64, left time.Duration) {
	took := now.Sub(s.Started).Seconds()
	if s.BytesDone == 0 || took <= 0 {
		return 0, 0
	}
	bytesPerSec = float64(s.BytesDone) / took
	left = time.Duration(float64(s.Bytes-s.BytesDone) / bytesPerSec * float64(time.Second))
	return bytesPerSec, left
}
