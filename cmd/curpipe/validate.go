package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/s3io"
	"github.com/curpipe/curpipe/io/snsio"
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/pipeline"
)

// sample is a small CUR export with its expected totals: validate runs it
// through prism to show the pipeline computes right on this machine.
//
//go:embed sample/validate-cur.csv sample/validate-daily.csv
var sample embed.FS

// check is one thing validate looks at.
type check struct {
	name string
	run  func(ctx context.Context) error
}

// validateCommand checks, for a user's CI, that a deployment would work:
// the graph builds, every named resource exists and is usable with the
// current credentials, and the bundled sample computes its known totals.
// It reports every problem, not just the first.
func validateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := commandFlags("validate", stderr)
	var inputs, allow listFlag
	fs.Var(&inputs, "input", "folder, glob or s3:// prefix of billing exports (repeatable)")
	output := fs.String("output", "", "lake root (folder or s3:// prefix)")
	table := fs.String("totals-table", "", "DynamoDB totals table")
	topic := fs.String("sns-topic", "", "SNS topic ARN")
	alertsTopic := fs.String("alerts-topic", "", "SNS topic ARN of the cost anomaly alerts (default: the --sns-topic)")
	queue := fs.String("queue", "", "SQS queue URL of the stream mode")
	fs.Var(&allow, "allow-bucket", "an S3 bucket reads may come from besides the inputs' (repeatable)")
	var roles rolesFlag
	fs.Var(&roles, "source-role", sourceRoleUsage)
	workerRole := fs.String("worker-role", "", "IAM role ARN the workers run as: check that its policies allow every call they make")
	logs := addLogFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: curpipe validate [--input PATH ...] [--output PATH] [--totals-table NAME] [--sns-topic ARN] [--queue URL] [--worker-role ARN]\n\n")
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
		Inputs: absLocal(inputs), Output: absLocal([]string{*output})[0], RunID: "validate",
		TotalsTable: *table, Topic: *topic, AllowBuckets: allow, Roles: s3io.SourceRoles(roles),
	}
	checks := []check{{"the batch graph builds", func(context.Context) error {
		if len(cfg.Inputs) == 0 || cfg.Output == "" {
			return nil // nothing to build it from; the sample run below builds one
		}
		_, s := beam.NewPipelineWithRoot()
		return pipeline.Batch(s, cfg)
	}}}
	for _, in := range cfg.Inputs {
		name := "input " + in + " is listable"
		if role := cfg.Roles.RoleFor(in); role != "" {
			name += " as " + role
		}
		checks = append(checks, check{name, func(ctx context.Context) error { return checkInput(ctx, in, cfg.Roles) }})
	}
	if cfg.Output != "" {
		checks = append(checks, check{"output " + cfg.Output + " is writable", func(ctx context.Context) error { return checkOutput(ctx, cfg.Output) }})
	}
	if cfg.TotalsTable != "" {
		checks = append(checks, check{"table " + cfg.TotalsTable + " is ready", func(ctx context.Context) error {
			store, err := totalstore.Open(ctx, "", cfg.TotalsTable)
			if err != nil {
				return err
			}
			return store.Check(ctx)
		}})
	}
	if *queue != "" {
		checks = append(checks, check{"the stream graph builds", func(context.Context) error {
			_, s := beam.NewPipelineWithRoot()
			out := cfg.Output
			if out == "" {
				out = os.TempDir()
			}
			c := cfg
			c.Output = out
			return pipeline.Stream(s, c, pipeline.StreamConfig{Queue: *queue, Window: time.Minute})
		}})
		checks = append(checks, check{"queue " + *queue + " is usable, with a dead-letter queue", func(ctx context.Context) error {
			info, err := sqsio.Describe(ctx, *queue)
			if err != nil {
				return err
			}
			if w := info.Warnings(); len(w) > 0 {
				return errors.New(strings.Join(w, "; "))
			}
			return nil
		}})
	}
	if *queue != "" {
		for _, in := range cfg.Inputs {
			if _, _, err := s3io.ParseURL(in); err == nil {
				checks = append(checks, check{"S3 tells queue " + *queue + " of new objects under " + in, func(ctx context.Context) error {
					return checkFeed(ctx, *queue, in)
				}})
			}
		}
	}
	if cfg.Topic != "" {
		checks = append(checks, check{"topic " + cfg.Topic + " exists", func(ctx context.Context) error { return snsio.CheckTopic(ctx, cfg.Topic) }})
	}
	if *alertsTopic == "" {
		*alertsTopic = cfg.Topic
	}
	if *alertsTopic != "" {
		// An alert that cannot be published fails silently for whoever
		// waits for it: prove the topic takes one, as the workers send it.
		checks = append(checks, check{"topic " + *alertsTopic + " accepts an alert (a message with type=validate)", func(ctx context.Context) error {
			return publishProbe(ctx, *alertsTopic)
		}})
	}
	if *workerRole != "" {
		w := workerCalls{output: cfg.Output, queue: *queue, table: cfg.TotalsTable, topics: []string{cfg.Topic, *alertsTopic}}
		for _, in := range cfg.Inputs {
			// A payer's bucket read through its own role is that role's
			// business, not the workers'.
			if strings.HasPrefix(in, s3io.Scheme+"://") && cfg.Roles.RoleFor(in) == "" {
				w.inputs = append(w.inputs, in)
			}
		}
		checks = append(checks, check{"role " + *workerRole + " may make every call the workers make", func(ctx context.Context) error {
			return checkWorkerRole(ctx, *workerRole, w)
		}})
	}
	checks = append(checks, check{"the bundled sample computes its known totals on prism", runSample})

	var failed []string
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		err := c.run(cctx)
		cancel()
		if err != nil {
			fmt.Fprintf(stdout, "FAIL  %s: %v\n", c.name, err)
			failed = append(failed, fmt.Sprintf("%s: %v", c.name, err))
			continue
		}
		fmt.Fprintf(stdout, "ok    %s\n", c.name)
	}
	if len(failed) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d checks failed:\n  %s", len(failed), len(checks), strings.Join(failed, "\n  "))}
	}
	fmt.Fprintf(stdout, "all %d checks passed\n", len(checks))
	return nil
}

// checkInput lists an input and says how many objects it holds.
func checkInput(ctx context.Context, in string, roles s3io.SourceRoles) error {
	if bucket, _, err := s3io.ParseURL(in); err == nil && roles.RoleFor(in) == "" {
		// A role may read a prefix without leave to HeadBucket; its
		// listing below says what matters.
		if err := s3io.CheckBucket(ctx, bucket); err != nil {
			return err
		}
	}
	store, err := roles.Store(in)
	if err != nil {
		return err
	}
	objs, err := store.List(ctx, in)
	if err != nil {
		return err
	}
	if len(objs) == 0 {
		return errors.New("no objects under it")
	}
	return nil
}

// checkOutput writes and removes a probe object under the output.
func checkOutput(ctx context.Context, out string) error {
	if bucket, _, err := s3io.ParseURL(out); err == nil {
		if err := s3io.CheckBucket(ctx, bucket); err != nil {
			return err
		}
	}
	probe := lake.ProbeURL(out, fmt.Sprintf("probe-%d", time.Now().UnixNano()))
	if err := objstore.WriteAll(ctx, probe, []byte("curpipe validate\n")); err != nil {
		return err
	}
	return objstore.Remove(ctx, probe)
}

// runSample runs the embedded sample through the batch graph on prism, in
// process, and compares daily.csv with the expected one byte for byte.
func runSample(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "curpipe-validate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		return err
	}
	data, err := sample.ReadFile("sample/validate-cur.csv")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(in, "validate-cur.csv"), data, 0o644); err != nil {
		return err
	}
	cfg := pipeline.Config{Inputs: []string{in}, Output: filepath.Join(dir, "out"), RunID: "validate"}
	p, s := beam.NewPipelineWithRoot()
	if err := pipeline.Batch(s, cfg); err != nil {
		return err
	}
	if _, err := beam.Run(ctx, "prism", p); err != nil {
		return err
	}
	got, err := os.ReadFile(filepath.Join(cfg.Output, "totals", "daily.csv"))
	if err != nil {
		return err
	}
	want, err := sample.ReadFile("sample/validate-daily.csv")
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("daily.csv differs from the expected totals:\ngot:\n%swant:\n%s", got, want)
	}
	if _, err := os.Stat(lake.SummaryURL(cfg.Output, cfg.RunID)); err != nil {
		return fmt.Errorf("no run summary: %w", err)
	}
	return nil
}

// publishProbe publishes one message shaped as an alert, with the
// attribute type=validate that subscription filter policies on type
// ("anomaly", "report") leave out.
func publishProbe(ctx context.Context, topic string) error {
	pub, err := snsio.New(ctx, topic, snsio.PublishDeadline(30*time.Second))
	if err != nil {
		return err
	}
	_, err = pub.Publish(ctx, snsio.Message{Subject: "curpipe validate: test alert, nothing to do",
		Body:       []byte("curpipe validate published this message to check that the topic accepts alerts. Nothing happened to any cost.\n"),
		Attributes: map[string]string{"type": "validate"}, GroupID: "validate", DedupID: fmt.Sprintf("validate-%d", time.Now().UnixNano())})
	return err
}
