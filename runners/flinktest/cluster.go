package flinktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A cluster is a standalone Flink session cluster started by
// runners/flink/cluster (a JobManager and two TaskManagers, each its own
// JVM) with a job server of its own in front of it, and the programs its
// TaskManagers start as Go workers.
type cluster struct {
	root     string // the module's root
	dir      string // the cluster's state, binaries and logs
	rest     string // the JobManager's REST address
	endpoint string // the job server's job port
	jobPID   int    // the job server's PID
	boot     string // Beam's Go boot program
	worker   string // the curpipe build staged as the worker binary
}

var (
	clusterOnce sync.Once
	theCluster  *cluster
	clusterErr  error
)

// ClusterTaskManagers is how many TaskManagers the test cluster has.
const ClusterTaskManagers = 2

// ClusterArgs are the flags that run a curpipe command on the test
// cluster: through its job server, with Go workers that its TaskManagers
// start as processes (Beam's PROCESS environment and the Go SDK's boot
// program), running a build of curpipe staged as the worker binary.
func ClusterArgs(t testing.TB) []string {
	c := testCluster(t)
	env, err := json.Marshal(map[string]string{"command": c.boot})
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--runner=flink", "--endpoint=" + c.endpoint, "--environment_type=PROCESS",
		"--environment_config=" + string(env), "--worker_binary=" + c.worker}
}

// ClusterREST is the address of the test cluster's REST API.
func ClusterREST(t testing.TB) string { return testCluster(t).rest }

// ClusterLogs is the folder holding the test cluster's logs.
func ClusterLogs(t testing.TB) string { return filepath.Join(testCluster(t).dir, "flink", "log") }

// KillTaskManager kills TaskManager i (1-based) with SIGKILL, as a lost
// machine would vanish, and its Go workers with it.
func KillTaskManager(t testing.TB, i int) {
	t.Helper()
	testCluster(t).script(t, "kill-taskmanager", strconv.Itoa(i))
}

// StartTaskManager starts TaskManager i again and waits until it has
// registered with the JobManager.
func StartTaskManager(t testing.TB, i int) {
	t.Helper()
	testCluster(t).script(t, "start-taskmanager", strconv.Itoa(i))
}

// GetREST decodes the JSON answer of the cluster's REST API at path.
func GetREST(t testing.TB, path string, v any) {
	t.Helper()
	c := http.Client{Timeout: 30 * time.Second}
	resp, err := c.Get("http://" + ClusterREST(t) + path)
	if err != nil {
		t.Fatalf("Flink REST %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Flink REST %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("Flink REST %s: %v", path, err)
	}
}

func testCluster(t testing.TB) *cluster {
	t.Helper()
	clusterOnce.Do(func() { theCluster, clusterErr = startCluster() })
	if clusterErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Flink cluster for this test (CI=true requires one): %v", clusterErr)
		}
		t.Skipf("no Flink cluster (install Java and Maven): %v", clusterErr)
	}
	return theCluster
}

func (c *cluster) script(t testing.TB, args ...string) {
	t.Helper()
	out, err := exec.Command(filepath.Join(c.root, "runners", "flink", "cluster"),
		append(args, "--dir", filepath.Join(c.dir, "flink"))...).CombinedOutput()
	if err != nil {
		t.Fatalf("runners/flink/cluster %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func startCluster() (*cluster, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "curpipe-flink-cluster-")
	if err != nil {
		return nil, err
	}
	c := &cluster{root: root, dir: dir, boot: filepath.Join(dir, "boot"), worker: filepath.Join(dir, "curpipe")}
	// The workers: Beam's boot program from the Go SDK this module uses,
	// and curpipe itself without symbols (a third smaller; every new
	// worker is sent a copy).
	for _, b := range [][]string{
		{"build", "-o", c.boot, "github.com/apache/beam/sdks/v2/go/container"},
		{"build", "-ldflags=-s -w", "-o", c.worker, "./cmd/curpipe"},
	} {
		cmd := exec.Command("go", b...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(b, " "), err, out)
		}
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(filepath.Join(root, "runners", "flink", "cluster"), "start",
		"--dir", filepath.Join(dir, "flink"), "--taskmanagers", strconv.Itoa(ClusterTaskManagers),
		"--rest-port", strconv.Itoa(ports[0]), "--rpc-port", strconv.Itoa(ports[1]))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("runners/flink/cluster start: %w\n%s", err, stderr.String())
	}
	c.rest = strings.TrimSpace(stdout.String())
	if c.jobPID, err = startJobServer(root, ports[2], "--flink-master", c.rest,
		"--flink-conf-dir", filepath.Join(dir, "flink", "conf"), "--artifacts-dir", filepath.Join(dir, "artifacts"),
		"--log", filepath.Join(dir, "flink", "log", "jobserver.log")); err != nil {
		c.stop()
		return nil, err
	}
	c.endpoint = net.JoinHostPort("localhost", strconv.Itoa(ports[2]))
	return c, dial(c.endpoint)
}

// stop ends the job server and the cluster and removes all but the logs,
// which stay for a failed run to be read.
func (c *cluster) stop() {
	if c.jobPID > 0 {
		syscall.Kill(c.jobPID, syscall.SIGTERM)
	}
	exec.Command(filepath.Join(c.root, "runners", "flink", "cluster"), "stop", "--dir", filepath.Join(c.dir, "flink")).Run()
	for _, p := range []string{c.boot, c.worker, filepath.Join(c.dir, "artifacts"), filepath.Join(c.dir, "flink", "tmp")} {
		os.RemoveAll(p)
	}
}

// freePorts returns n distinct ports free at the time of the call.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
