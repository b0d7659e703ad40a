package runners

import (
	"context"
	"fmt"
	"strings"
	"time"

	jobpb "github.com/apache/beam/sdks/v2/go/pkg/beam/model/jobmanagement_v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// cancelJob cancels the jobs named name on the job server at endpoint
// that have not finished, and waits until they have. A job server may
// rewrite and extend the name (Flink's adds "-<user>-<time>-<hash>"), so
// a job whose name starts with either form and a dash matches too.
func cancelJob(ctx context.Context, endpoint, name string) error {
	cc, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer cc.Close()
	client := jobpb.NewJobServiceClient(cc)
	for {
		resp, err := client.GetJobs(ctx, &jobpb.GetJobsRequest{})
		if err != nil {
			return fmt.Errorf("list jobs: %w", err)
		}
		live := 0
		for _, j := range resp.GetJobInfo() {
			if !named(j.GetJobName(), name) || Terminal(j.GetState()) {
				continue
			}
			live++
			if j.GetState() != jobpb.JobState_CANCELLING {
				if _, err := client.Cancel(ctx, &jobpb.CancelJobRequest{JobId: j.GetJobId()}); err != nil {
					return fmt.Errorf("cancel %s: %w", j.GetJobId(), err)
				}
			}
		}
		if live == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Terminal reports whether a job in state s has finished, one way or
// another.
func Terminal(s jobpb.JobState_Enum) bool {
	switch s {
	case jobpb.JobState_DONE, jobpb.JobState_FAILED, jobpb.JobState_CANCELLED, jobpb.JobState_DRAINED, jobpb.JobState_UPDATED:
		return true
	}
	return false
}

func named(jobName, name string) bool {
	for _, n := range []string{name, flinkName(name)} {
		if jobName == n || strings.HasPrefix(jobName, n+"-") {
			return true
		}
	}
	return false
}

// flinkName is name as Beam's Flink job server rewrites it: lower case,
// with every character but a letter or digit replaced by '0'.
func flinkName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return r
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '0'
	}, name)
}
