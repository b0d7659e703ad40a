// Package runners is the one place that chooses where a graph runs and
// registers what every run needs: the runners curpipe supports (prism
// in-process by default, Flink and any portable job server through
// universal) and the object stores its stages read and write.
package runners

import (
	"context"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	beamrunners "github.com/apache/beam/sdks/v2/go/pkg/beam/runners"

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

// Run executes p on the selected runner and waits for it to finish.
func Run(ctx context.Context, p *beam.Pipeline) (beam.PipelineResult, error) {
	res, err := beam.Run(ctx, Name(), p)
	if err != nil {
		return res, fmt.Errorf("run on %s: %w", Name(), err)
	}
	return res, nil
}
