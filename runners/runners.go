// Package runners is the one place that chooses where a graph runs and
// registers what every run needs: the runners curpipe supports (prism
// in-process by default; Flink and any portable job server, to which it
// submits jobs itself, so that a stream can say it streams) and the
// object stores its stages read and write.
package runners

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/options/jobopts"
	beamrunners "github.com/apache/beam/sdks/v2/go/pkg/beam/runners"
	"google.golang.org/protobuf/types/known/structpb"

	// The reflection-free runtime for registered DoFns.
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/core/runtime/exec/optimized"
	// The runners, registered by import.
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/flink"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal"

	// The object stores, registered by import.
	_ "github.com/curpipe/curpipe/io/localfs"
	_ "github.com/curpipe/curpipe/io/s3io"
)

// Default is the runner used when --runner is not given: prism, in
// process, which needs nothing installed.
const Default = "prism"

// Name returns the runner the --runner flag selects.
func Name() string {
	if *beamrunners.Runner == "" {
		return Default
	}
	return *beamrunners.Runner
}

// portable reports whether a runner submits the job to a job server,
// where it outlives the process unless it is cancelled there.
func portable(name string) bool {
	switch name {
	case "flink", "FlinkRunner", "universal", "portable", "PortableRunner":
		return true
	}
	return false
}

// cancelWait bounds how long a stop waits for the job server to cancel
// the job before the process lets go of it.
const cancelWait = 30 * time.Second

var jobs atomic.Int64

// stagingGate lets one in-process prism job at a time stage its
// artifacts: prism (v2.77) keeps every job's artifacts in one map that it
// writes without a lock, and two jobs staging at once crash the process
// ("concurrent map writes" in ReverseArtifactRetrievalService). Only a
// process running several jobs at once (tests, an embedding program)
// meets it; the command runs one.
var stagingGate = make(chan struct{}, 1)

// stagingHold is how long a job holds the gate: staging is the first
// thing a job does and takes milliseconds; the hold leaves room for a
// loaded machine.
const stagingHold = 3 * time.Second

// gateStaging waits for the gate and returns its release: called when the
// job ends, or after stagingHold, whichever comes first.
func gateStaging() (release func()) {
	stagingGate <- struct{}{}
	var once sync.Once
	free := func() { once.Do(func() { <-stagingGate }) }
	timer := time.AfterFunc(stagingHold, free)
	return func() {
		timer.Stop()
		free()
	}
}

// Run executes p, a batch pipeline, on the selected runner and waits for
// it to finish.
//
// On a job server, ending ctx cancels the job there and waits for it to
// stop before the workers in this process (LOOPBACK) go away; otherwise
// Flink would keep restarting a streaming job whose harness vanished.
func Run(ctx context.Context, p *beam.Pipeline) error { return run(ctx, p, nil) }

// RunStream is Run for a streaming pipeline: a job server is told it
// streams, with bundles of at most StreamBundleTime.
func RunStream(ctx context.Context, p *beam.Pipeline) error { return run(ctx, p, streamOptions()) }

func run(ctx context.Context, p *beam.Pipeline, options map[string]*structpb.Value) error {
	name := Name()
	if !portable(name) {
		if name == "prism" {
			defer gateStaging()()
		}
		if _, err := beam.Run(ctx, name, p); err != nil {
			return fmt.Errorf("run on %s: %w", name, err)
		}
		return nil
	}
	// The job is found again by its name, unique to this run unless the
	// user chose one. Job servers rewrite names to lower case letters and
	// digits and add a suffix: this one survives that as a prefix.
	if *jobopts.JobName == "" {
		*jobopts.JobName = fmt.Sprintf("curpipe%dx%d", time.Now().UnixNano(), jobs.Add(1))
		defer func() { *jobopts.JobName = "" }()
	}
	job, endpoint := *jobopts.JobName, *jobopts.Endpoint

	runCtx, release := context.WithCancel(context.WithoutCancel(ctx))
	defer release()
	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case <-ctx.Done():
		case <-stopped:
			return
		}
		cctx, cancel := context.WithTimeout(context.Background(), cancelWait)
		defer cancel()
		if err := cancelJob(cctx, endpoint, job); err != nil {
			log.Warnf(ctx, "cancel job %s on %s: %v; leaving it", job, endpoint, err)
		}
		release()
	}()
	if err := submit(runCtx, p, options); err != nil {
		return fmt.Errorf("run on %s: %w", name, err)
	}
	return nil
}
