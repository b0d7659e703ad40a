package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curpipe/curpipe/runners/flinktest"
)

// onCluster runs a curpipe command on the standalone Flink cluster, with
// Go workers its TaskManagers start as processes, then puts the Beam flags
// back.
func onCluster(t *testing.T, args ...string) (string, error) {
	t.Helper()
	args = append(args, flinktest.ClusterArgs(t)...)
	defer resetBeamFlags()
	return curpipe(t, args...)
}

// TestFlinkClusterBackfill runs the backfill on a Flink session cluster of
// three JVMs (a JobManager, two TaskManagers) whose Go workers are
// processes of their own, started by Beam's boot program from a staged
// curpipe build: the totals are exact and every file equals prism's.
func TestFlinkClusterBackfill(t *testing.T) {
	flinktest.ClusterArgs(t)
	in, want := backfillInput(t)
	out, prismOut := t.TempDir(), t.TempDir()
	before := clusterJobs(t)
	if _, err := onCluster(t, "run", "--input", in, "--output", out, "--parallelism=2"); err != nil {
		t.Fatalf("on the Flink cluster: %v (logs: %s)", err, flinktest.ClusterLogs(t))
	}
	if _, err := curpipe(t, "run", "--input", in, "--output", prismOut); err != nil {
		t.Fatalf("on prism: %v", err)
	}
	checkBackfill(t, "the Flink cluster", out, prismOut, want)
	// The job ran on the cluster, not in an embedded Flink.
	if jobs := newJobs(before, clusterJobs(t)); len(jobs) != 1 || jobs[0].State != "FINISHED" {
		t.Errorf("the cluster ran %v, want one FINISHED job", jobs)
	}
}

// TestFlinkClusterTaskManagerLost kills a TaskManager that runs the
// backfill's tasks (kill -9, its Go workers with it) while the backfill
// runs: Flink restarts the failed tasks on the TaskManager left, the run
// completes, and the totals and files are still exact.
func TestFlinkClusterTaskManagerLost(t *testing.T) {
	flinktest.ClusterArgs(t)
	in, want := backfillInput(t)
	out, prismOut := t.TempDir(), t.TempDir()
	before := clusterJobs(t)
	type result struct {
		stdout string
		err    error
	}
	args := append([]string{"run", "--input", in, "--output", out, "--parallelism=2"}, flinktest.ClusterArgs(t)...)
	done := make(chan result, 1)
	go func() {
		stdout, err := curpipe(t, args...)
		done <- result{stdout, err}
	}()

	// Wait for a TaskManager holding the job's tasks, then kill it.
	victim := 0
	deadline := time.Now().Add(3 * time.Minute)
	for victim == 0 && time.Now().Before(deadline) {
		select {
		case r := <-done:
			t.Fatalf("the backfill ended before a TaskManager could be killed (err %v):\n%s", r.err, r.stdout)
		case <-time.After(500 * time.Millisecond):
		}
		if len(runningJobs(newJobs(before, clusterJobs(t)))) == 0 {
			continue
		}
		victim = busyTaskManager(t)
	}
	if victim == 0 {
		t.Fatal("no TaskManager took the backfill's tasks within 3 minutes")
	}
	killed := time.Now()
	flinktest.KillTaskManager(t, victim)
	t.Logf("killed TaskManager %d", victim)
	defer flinktest.StartTaskManager(t, victim)

	r := <-done
	resetBeamFlags()
	if r.err != nil {
		t.Fatalf("the backfill failed after losing TaskManager %d: %v (logs: %s)", victim, r.err, flinktest.ClusterLogs(t))
	}
	t.Logf("the backfill finished %s after the kill", time.Since(killed).Round(time.Second))
	if _, err := curpipe(t, "run", "--input", in, "--output", prismOut); err != nil {
		t.Fatalf("on prism: %v", err)
	}
	checkBackfill(t, "the Flink cluster that lost a TaskManager", out, prismOut, want)

	jobs := newJobs(before, clusterJobs(t))
	if len(jobs) != 1 || jobs[0].State != "FINISHED" {
		t.Fatalf("the cluster ran %v, want one FINISHED job", jobs)
	}
	// Flink's exception history holds the failure it restarted from.
	var exc struct {
		History struct {
			Entries []struct {
				Name        string `json:"exceptionName"`
				TaskManager string `json:"taskManagerId"`
			} `json:"entries"`
		} `json:"exceptionHistory"`
	}
	flinktest.GetREST(t, "/jobs/"+jobs[0].ID+"/exceptions", &exc)
	if len(exc.History.Entries) == 0 {
		t.Errorf("job %s finished with no failure in its exception history: Flink did not restart anything", jobs[0].ID)
	}
	for _, e := range exc.History.Entries {
		t.Logf("restarted after %s on %s", e.Name, e.TaskManager)
	}
}

// clusterJob is a job as the cluster's REST API lists it.
type clusterJob struct {
	ID    string `json:"jid"`
	Name  string `json:"name"`
	State string `json:"state"`
}

func (j clusterJob) String() string { return fmt.Sprintf("%s (%s)", j.ID, j.State) }

func clusterJobs(t *testing.T) []clusterJob {
	t.Helper()
	var o struct {
		Jobs []clusterJob `json:"jobs"`
	}
	flinktest.GetREST(t, "/jobs/overview", &o)
	return o.Jobs
}

// newJobs are the jobs in after that are not in before.
func newJobs(before, after []clusterJob) []clusterJob {
	var out []clusterJob
	for _, j := range after {
		if !slices.ContainsFunc(before, func(b clusterJob) bool { return b.ID == j.ID }) {
			out = append(out, j)
		}
	}
	return out
}

func runningJobs(jobs []clusterJob) []clusterJob {
	var out []clusterJob
	for _, j := range jobs {
		if j.State == "RUNNING" {
			out = append(out, j)
		}
	}
	return out
}

// busyTaskManager returns the number of a TaskManager with a slot in use,
// or 0.
func busyTaskManager(t *testing.T) int {
	t.Helper()
	var o struct {
		TaskManagers []struct {
			ID        string `json:"id"`
			Slots     int    `json:"slotsNumber"`
			FreeSlots int    `json:"freeSlots"`
		} `json:"taskmanagers"`
	}
	flinktest.GetREST(t, "/taskmanagers", &o)
	for _, tm := range o.TaskManagers {
		var i int
		if _, err := fmt.Sscanf(strings.TrimPrefix(tm.ID, "taskmanager-"), "%d", &i); err == nil && tm.FreeSlots < tm.Slots {
			return i
		}
	}
	return 0
}

// TestFlinkClusterStream runs the stream on the cluster, its Go workers
// processes of their own, with a visibility timeout (3 s) below a report's
// way from event to commit there: the reader holds each message until its
// report commits, wherever that happens, so each report commits once, the
// queue empties and the DLQ stays empty. It prints each report's
// event-to-commit latency.
func TestFlinkClusterStream(t *testing.T) {
	flinktest.ClusterArgs(t)
	env := newStreamEnv(t, viaEB)
	topic, notices := topicWithQueue(t)
	out := t.TempDir()
	stop := env.stream(t, out, append(flinktest.ClusterArgs(t), "--visibility", "3s", "--hold-limit", "2m", "--sns-topic", topic)...)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
		resetBeamFlags()
	}()
	reports := []struct{ key, payer, cost string }{
		{"drops/a.csv", "111111111111", "1.5"},
		{"drops/b.csv", "222222222222", "2.25"},
		{"drops/c.csv", "333333333333", "4"},
		{"drops/d.csv", "444444444444", "0.125"},
		{"drops/e.csv", "555555555555", "0.375"},
	}
	var latencies []time.Duration
	for i, r := range reports {
		payers := make([]string, 0, i+1)
		for _, p := range reports[:i+1] {
			payers = append(payers, p.payer)
		}
		env.put(t, r.key, curCSV(r.payer, r.cost))
		sent := time.Now()
		waitFor(t, r.key+"'s totals", 3*time.Minute, func() bool {
			got := detail(t, out, "")
			for _, p := range payers {
				if !strings.Contains(got, p) {
					return false
				}
			}
			return true
		})
		latencies = append(latencies, time.Since(sent).Round(100*time.Millisecond))
	}
	waitFor(t, "an empty queue", 2*time.Minute, func() bool { return env.depth(t, env.queue) == 0 })
	// Time for a message received again (its hold lapsed) to commit twice.
	time.Sleep(15 * time.Second)
	stop()
	stopped = true
	if got := dailyCSV(out); !strings.Contains(got, "2024-01-05,AWS,USD,8.25,8.25,8.25,5") {
		t.Errorf("daily totals:\n%s\nwant 8.25 from 5 line items on 2024-01-05", got)
	}
	subjects := notifications(t, env, notices, "committed")
	for _, r := range reports {
		name := strings.TrimPrefix(r.key, "drops/")
		n := 0
		for _, s := range subjects {
			if strings.Contains(s, " "+name+" 2024-01 committed") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s committed %d times, want once (notifications %q)", name, n, subjects)
		}
	}
	if n := env.depth(t, env.dlq); n != 0 {
		t.Errorf("%d messages in the DLQ", n)
	}
	// The first report waits for the job and its workers to start.
	rest := slices.Clone(latencies[1:])
	slices.Sort(rest)
	t.Logf("event to commit on the cluster, 2 s windows, 3 s visibility: %v; after the first, p50 %s", latencies, rest[len(rest)/2])
}
