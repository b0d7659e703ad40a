package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/curpipe/curpipe/io/s3io"
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/pipeline"
	"github.com/curpipe/curpipe/runners"
	"github.com/curpipe/curpipe/transforms/parse"
)

// streamCommand runs the stream graph until it is stopped: every billing
// export announced on the queue is committed, notified, then its message
// deleted. SIGINT or SIGTERM stops it; messages in flight are not lost,
// they come back through the queue after their visibility timeout.
func streamCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := commandFlags("stream", stderr)
	queue := fs.String("queue", "", "SQS queue URL the S3 events (notifications, SNS-wrapped, EventBridge) arrive on")
	output := fs.String("output", "", "lake root for curated Parquet and run state (folder or s3:// prefix)")
	table := fs.String("totals-table", "", "DynamoDB table for the daily totals (default: CSV under the output's totals/)")
	topic := fs.String("sns-topic", "", "SNS topic ARN told of each committed or failed report")
	win := fs.Duration("window", time.Minute, "fixed window of read time; each window's reports commit when it closes")
	batch := fs.Int("batch-size", 10, "messages per receive (1-10)")
	readers := fs.Int("readers", 1, "pollers reading the queue at once (1-64)")
	wait := fs.Duration("wait", 20*time.Second, "long-polling wait per receive (0-20s)")
	visibility := fs.Duration("visibility", 0, "visibility timeout asked for on receive (default: 2 windows + wait + 30s); the stages working on a report extend it, and the reader does from receipt until its report commits or fails (--hold-limit)")
	holdLimit := fs.Duration("hold-limit", 10*time.Minute, "hold each message invisible from its receipt until its report commits or fails, on whichever worker, for at most this long; past it a message whose work a runner lost is received again (0: off, the stages working on a report extend it and --visibility covers the waits between them)")
	maxBad := fs.Int64("max-bad-rows", 0, "malformed rows a report may hold; they go to a quarantine file")
	limits := limitFlags(fs)
	alerts := addAlertFlags(fs)
	found := addFindingFlags(fs)
	groups := fs.Int("parse-groups", parse.DefaultGroups, "groups of a report's files parsed in parallel, each into one set of partial sums holding its share of --max-cells")
	logs := addLogFlags(fs)
	statusEvery := fs.Duration("status-every", 30*time.Second, "how often to log the stream's status (messages received, acknowledged, in flight, oldest age; reports committed, failed); 0: never")
	var allow listFlag
	fs.Var(&allow, "allow-bucket", "an S3 bucket events may name (repeatable); events naming others fail")
	var roles rolesFlag
	fs.Var(&roles, "source-role", sourceRoleUsage+"; its bucket may be named by events")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: curpipe stream --queue URL --output PATH [--totals-table NAME] [--sns-topic ARN] [--window 1m]\n\nFlags (with Beam's):\n")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	beam.Init()
	if err := logs.install(stderr); err != nil {
		return err
	}
	cfg := pipeline.Config{
		Output: absLocal([]string{*output})[0], MaxBadRows: *maxBad,
		TotalsTable: *table, Topic: *topic, AllowBuckets: allow, Limits: limits.files, ReportLimits: limits.reports, MaxCells: limits.cells,
		ParseGroups: *groups, Roles: s3io.SourceRoles(roles),
	}
	q := pipeline.StreamConfig{Queue: *queue, Window: *win, BatchSize: *batch, WaitTime: *wait, Visibility: *visibility, Readers: *readers, HoldLimit: *holdLimit,
		Owner: fmt.Sprintf("stream-%d-%d", os.Getpid(), time.Now().UnixNano())}
	if err := q.Validate(); err != nil {
		return &exitError{code: 2, err: err}
	}
	var err error
	if cfg.Alerts, err = alerts.options(*topic); err != nil {
		return &exitError{code: 2, err: err}
	}
	cfg.NoAnomalies, cfg.NoForecasts, cfg.NoFindings = *alerts.off, *alerts.noForecasts, *found.off
	if cfg.Findings, err = found.options(cfg.Alerts.Topic); err != nil {
		return &exitError{code: 2, err: err}
	}
	if len(allow) == 0 && len(roles) == 0 {
		return &exitError{code: 2, err: errors.New("give --allow-bucket for each bucket the events may name: reads are limited to those")}
	}
	p, s := beam.NewPipelineWithRoot()
	if err := pipeline.Stream(s, cfg, q); err != nil {
		return &exitError{code: 2, err: err}
	}
	cmdLog.Info(fmt.Sprintf("curpipe: streaming on %s from %s -> %s, %s windows; stop with Ctrl-C", runners.Name(), q.Queue, cfg.Output, q.Window),
		"runner", runners.Name(), "queue", q.Queue, "output", cfg.Output)
	stop := watchStream(*statusEvery)
	err = runners.RunStream(ctx, p)
	// Workers in this process (prism, LOOPBACK) hold messages in it: the
	// stream's end lets them go, as the end of the process would.
	sqsio.EndHolds(q.Owner)
	stop()
	if ctx.Err() != nil {
		cmdLog.Info("curpipe: stopped; messages in flight return to the queue after their visibility timeout")
		return nil
	}
	return err
}
