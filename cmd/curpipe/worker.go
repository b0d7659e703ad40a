package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// bootWorker prepares a Beam worker that Beam's Go boot program started
// (Beam's PROCESS environment on a Flink TaskManager, say): the boot
// program copies this binary to /tmp/binNNN/worker for each worker and
// runs it as a child. It removes neither the copy nor, when it is stopped
// itself, the child. So the worker removes its copy at once (Linux keeps
// a running program's file until it exits) and exits when its boot
// program is gone, instead of lingering after its job with its memory.
// Anything else, a worker in the curpipe process itself (LOOPBACK) or in
// a container, is left alone.
func bootWorker() {
	if f := flag.Lookup("worker"); f == nil || f.Value.String() != "true" {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	dir := filepath.Dir(exe)
	if filepath.Base(exe) != "worker" || filepath.Dir(dir) != "/tmp" || !strings.HasPrefix(filepath.Base(dir), "bin") {
		return
	}
	// Best effort: a copy left behind costs disk, not correctness.
	if os.Remove(exe) == nil {
		os.Remove(dir)
	}
	parent := os.Getppid()
	go func() {
		for range time.Tick(time.Second) {
			if os.Getppid() != parent {
				os.Exit(1)
			}
		}
	}()
}
