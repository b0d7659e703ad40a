package runners

import (
	"context"
	"errors"
	"fmt"
	"os"
	goruntime "runtime"
	"time"

	"github.com/apache/beam/sdks/v2/go/container/tools"
	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/runtime"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/runtime/graphx"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/util/hooks"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	jobpb "github.com/apache/beam/sdks/v2/go/pkg/beam/model/jobmanagement_v1"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/options/jobopts"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal/extworker"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal/runnerlib"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/util/grpcx"
	"google.golang.org/protobuf/types/known/structpb"
)

// StreamBundleTime is how long a runner may keep a bundle of a streaming
// job open, as Beam's max_bundle_time_mills.
//
// Beam's Flink runner holds a stage's output and its watermark until the
// stage's bundle closes, and checks for that every half of this time.
// Go pipelines cannot set Java pipeline options, and a job submitted by
// the Go SDK never says it is streaming, so Flink got the batch default
// of 10 s, checked every 5 s, at every stage: a report took 40 to 55 s
// from event to commit, in 5 s steps. A tenth of a second costs a few
// more calls to the workers, nothing a few reports a day notice.
const StreamBundleTime = 100 * time.Millisecond

// streamOptions are the Java pipeline options a streaming job is
// submitted with, besides the Go SDK's own.
func streamOptions() map[string]*structpb.Value {
	return map[string]*structpb.Value{
		"beam:option:streaming:v1":             structpb.NewBoolValue(true),
		"beam:option:max_bundle_time_mills:v1": structpb.NewNumberValue(float64(StreamBundleTime.Milliseconds())),
	}
}

// submit runs p on the job server named by --endpoint and waits for it
// to end, as the Go SDK's universal runner does, with extra pipeline
// options (nil: none), which the SDK has no way to send. The worker is
// the --worker_binary, or this program when it can run on the workers'
// Linux, never a build from source made at submit time.
func submit(ctx context.Context, p *beam.Pipeline, extra map[string]*structpb.Value) error {
	endpoint, err := jobopts.GetEndpoint()
	if err != nil {
		return err
	}
	edges, _, err := p.Build()
	if err != nil {
		return err
	}
	envConfig := jobopts.GetEnvironmentConfig
	bin := *jobopts.WorkerBinary
	if jobopts.IsLoopback() {
		// The workers are this process; the staged binary goes unused.
		srv, err := extworker.StartLoopback(ctx, 0)
		if err != nil {
			return fmt.Errorf("start the loopback worker: %w", err)
		}
		defer srv.Stop(ctx)
		envConfig = srv.EnvironmentConfig
		f, err := os.CreateTemp("", "curpipe-loopback-worker-*")
		if err != nil {
			return err
		}
		f.Close()
		defer os.Remove(f.Name())
		bin = f.Name()
	} else if bin == "" {
		if goruntime.GOOS != "linux" || goruntime.GOARCH != "amd64" {
			return errors.New("workers run on linux/amd64: give a Linux build of curpipe as --worker_binary")
		}
		if bin, err = os.Executable(); err != nil {
			return fmt.Errorf("this program as the worker binary: %w", err)
		}
		log.Infof(ctx, "worker binary: %s", bin)
	}
	env, err := graphx.CreateEnvironment(ctx, jobopts.GetEnvironmentUrn(ctx), envConfig)
	if err != nil {
		return fmt.Errorf("the workers' environment: %w", err)
	}
	pipe, err := graphx.Marshal(edges, &graphx.Options{Environment: env, PipelineResourceHints: jobopts.GetPipelineResourceHints()})
	if err != nil {
		return fmt.Errorf("the pipeline's model: %w", err)
	}
	if err := runnerlib.UpdateGoEnvironmentWorker(bin, pipe); err != nil {
		return fmt.Errorf("worker binary %s: %w", bin, err)
	}

	hooks.SerializeHooksToOptions()
	beam.PipelineOptions.LoadOptionsFromFlags(nil)
	opts, err := tools.OptionsToProto(runtime.RawOptionsWrapper{
		Options:      beam.PipelineOptions.Export(),
		AppName:      jobopts.GetJobName(),
		Experiments:  append(jobopts.GetExperiments(), "beam_fn_api"),
		RetainDocker: *jobopts.RetainDockerContainers,
		Parallelism:  *jobopts.Parallelism,
	})
	if err != nil {
		return fmt.Errorf("pipeline options: %w", err)
	}
	for k, v := range extra {
		opts.Fields[k] = v
	}

	cc, err := grpcx.Dial(ctx, endpoint, 2*time.Minute)
	if err != nil {
		return fmt.Errorf("connect to the job server at %s: %w", endpoint, err)
	}
	defer cc.Close()
	client := jobpb.NewJobServiceClient(cc)
	prep, err := client.Prepare(ctx, &jobpb.PrepareJobRequest{Pipeline: pipe, PipelineOptions: opts, JobName: jobopts.GetJobName()})
	if err != nil {
		return fmt.Errorf("prepare the job on %s: %w", endpoint, err)
	}
	token, err := runnerlib.Stage(ctx, prep.GetPreparationId(), prep.GetArtifactStagingEndpoint().GetUrl(), bin, prep.GetStagingSessionToken())
	if err != nil {
		return fmt.Errorf("stage the worker binary: %w", err)
	}
	id, err := runnerlib.Submit(ctx, client, prep.GetPreparationId(), token)
	if err != nil {
		return err
	}
	log.Infof(ctx, "submitted job %s to %s", id, endpoint)
	return runnerlib.WaitForCompletion(ctx, client, id)
}
