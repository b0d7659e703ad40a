// Package flinktest gives tests a Beam Flink job server: the one named by
// CURPIPE_FLINK_ENDPOINT, or one it starts with runners/flink/jobserver
// (an embedded Flink, which needs Java and Maven); and a standalone Flink
// cluster with a job server of its own (runners/flink/cluster), whose
// TaskManagers start Go workers as processes. Under CI=true a missing job
// server or cluster fails the test; elsewhere it skips it.
package flinktest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	jobpb "github.com/apache/beam/sdks/v2/go/pkg/beam/model/jobmanagement_v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/curpipe/curpipe/runners"
)

var (
	once     sync.Once
	endpoint string
	startErr error
	pid      int
)

// Endpoint returns the job server's host:port.
func Endpoint(t testing.TB) string {
	t.Helper()
	once.Do(func() { endpoint, startErr = setup() })
	if startErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Flink job server for this test (CI=true requires one): %v", startErr)
		}
		t.Skipf("no Flink job server (set CURPIPE_FLINK_ENDPOINT or install Java and Maven): %v", startErr)
	}
	return endpoint
}

// Args are the flags that run a curpipe command on the job server, with
// its workers in the command's own process.
func Args(t testing.TB) []string {
	return []string{"--runner=flink", "--endpoint=" + Endpoint(t), "--environment_type=LOOPBACK"}
}

// Stop ends the job servers and the cluster this package started. Call it
// from TestMain.
func Stop() {
	if pid > 0 {
		syscall.Kill(pid, syscall.SIGTERM)
	}
	if theCluster != nil {
		theCluster.stop()
	}
}

func setup() (string, error) {
	if ep := os.Getenv("CURPIPE_FLINK_ENDPOINT"); ep != "" {
		if err := dial(ep); err != nil {
			return "", fmt.Errorf("CURPIPE_FLINK_ENDPOINT=%s: %w", ep, err)
		}
		return ep, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	if pid, err = startJobServer(root, port); err != nil {
		return "", err
	}
	ep := net.JoinHostPort("localhost", strconv.Itoa(port))
	return ep, dial(ep)
}

// startJobServer starts runners/flink/jobserver in the background on
// port, with extra flags, and returns its PID.
func startJobServer(root string, port int, extra ...string) (int, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(filepath.Join(root, "runners", "flink", "jobserver"),
		append([]string{"--background", "--port", strconv.Itoa(port)}, extra...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("runners/flink/jobserver: %w\n%s", err, stderr.String())
	}
	pid, err := strconv.Atoi(strings.TrimSpace(stdout.String()))
	if err != nil {
		return 0, fmt.Errorf("runners/flink/jobserver printed %q, not a PID", stdout.String())
	}
	return pid, nil
}

func dial(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}

func freePort() (int, error) {
	ports, err := freePorts(1)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

// moduleRoot is the folder holding go.mod, above the test's directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Running returns the IDs of the jobs on the job server that have not
// finished.
func Running(t testing.TB) []string {
	t.Helper()
	cc, err := grpc.NewClient(Endpoint(t), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := jobpb.NewJobServiceClient(cc).GetJobs(ctx, &jobpb.GetJobsRequest{})
	if err != nil {
		t.Fatalf("list the job server's jobs: %v", err)
	}
	var ids []string
	for _, j := range resp.GetJobInfo() {
		if !runners.Terminal(j.GetState()) {
			ids = append(ids, j.GetJobId())
		}
	}
	return ids
}
