package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/s3io"
	"github.com/curpipe/curpipe/pipeline"
	"github.com/curpipe/curpipe/runners"
	"github.com/curpipe/curpipe/transforms/commit"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/parse"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// rolesFlag collects --source-role PREFIX=ROLE_ARN.
type rolesFlag s3io.SourceRoles

func (r *rolesFlag) String() string {
	var parts []string
	for _, s := range *r {
		parts = append(parts, s.Prefix+"="+s.Role)
	}
	return strings.Join(parts, ",")
}

// Set takes one PREFIX=ROLE_ARN or several joined by commas (the form a
// CloudFormation list joins to); an empty value adds none.
func (r *rolesFlag) Set(v string) error {
	for _, one := range strings.Split(v, ",") {
		if one = strings.TrimSpace(one); one == "" {
			continue
		}
		s, err := s3io.ParseSourceRole(one)
		if err != nil {
			return err
		}
		*r = append(*r, s)
	}
	return nil
}

// sourceRoleUsage is the --source-role flag's help, the same for every command.
const sourceRoleUsage = "s3://bucket/prefix=ROLE_ARN: read the objects under the prefix as this IAM role, assumed through STS (a payer account's own bucket); repeatable, or several joined by commas"

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := commandFlags("run", stderr)
	var inputs listFlag
	fs.Var(&inputs, "input", "folder, glob or s3:// prefix of billing exports (repeatable)")
	output := fs.String("output", "", "lake root for curated Parquet, totals and run records (folder or s3:// prefix)")
	maxBad := fs.Int64("max-bad-rows", 0, "malformed rows a report may hold; they go to a quarantine file (0: fail on the first)")
	reprocess := fs.Bool("reprocess", false, "process reports whose version is already committed")
	noCurated := fs.Bool("no-curated", false, "write the totals only, no curated Parquet")
	table := fs.String("totals-table", "", "DynamoDB table for the daily totals (default: CSV under the output's totals/)")
	createTable := fs.Bool("create-table", false, "create the --totals-table if it does not exist (a first run)")
	topic := fs.String("sns-topic", "", "SNS topic ARN told of each committed or failed report")
	var allow listFlag
	fs.Var(&allow, "allow-bucket", "an S3 bucket reads may come from besides the inputs' (repeatable)")
	var roles rolesFlag
	fs.Var(&roles, "source-role", sourceRoleUsage)
	limits := limitFlags(fs)
	alerts := addAlertFlags(fs)
	found := addFindingFlags(fs)
	groups := fs.Int("parse-groups", parse.DefaultGroups, "groups of a report's files parsed in parallel, each into one set of partial sums holding its share of --max-cells")
	logs := addLogFlags(fs)
	every := fs.Duration("progress-every", 15*time.Second, "how often a run not on a terminal logs its progress (files and bytes done, rate, time left); 0: only at the end")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of this process (prism and its in-process workers) to this file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: curpipe run --input PATH [--input PATH ...] --output PATH [flags]\n\nFlags (with Beam's):\n")
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
		Inputs:       absLocal(inputs),
		Output:       absLocal([]string{*output})[0],
		MaxBadRows:   *maxBad,
		Reprocess:    *reprocess,
		RunID:        time.Now().UTC().Format("20060102T150405.000000000Z"),
		TotalsTable:  *table,
		Topic:        *topic,
		AllowBuckets: allow,
		NoCurated:    *noCurated,
		Limits:       limits.files,
		ReportLimits: limits.reports,
		MaxCells:     limits.cells,
		ParseGroups:  *groups,
		Roles:        s3io.SourceRoles(roles),
	}
	var err error
	if cfg.Alerts, err = alerts.options(*topic); err != nil {
		return &exitError{code: 2, err: err}
	}
	cfg.NoAnomalies, cfg.NoForecasts, cfg.NoFindings = *alerts.off, *alerts.noForecasts, *found.off
	if cfg.Findings, err = found.options(cfg.Alerts.Topic); err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := cfg.Validate(); err != nil {
		return &exitError{code: 2, err: err}
	}
	if *createTable {
		if *table == "" {
			return &exitError{code: 2, err: errors.New("--create-table needs --totals-table")}
		}
		if err := createTotalsTable(ctx, *table, stderr); err != nil {
			return err
		}
	}
	p, s := beam.NewPipelineWithRoot()
	if err := pipeline.Batch(s, cfg); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	cmdLog.Info(fmt.Sprintf("curpipe: run %s on %s: %s -> %s", cfg.RunID, runners.Name(), strings.Join(cfg.Inputs, ", "), cfg.Output),
		"run", cfg.RunID, "runner", runners.Name(), "output", cfg.Output)
	start := time.Now()
	stop := watchProgress(stderr, isTerminal(stderr), *every)
	err = runners.Run(ctx, p)
	stop()
	if err != nil {
		return err
	}
	return report(ctx, cfg, time.Since(start), stdout)
}

// startCPUProfile profiles the process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// absLocal makes local paths absolute, so that workers started elsewhere
// (a job server's, say) find the same files.
func absLocal(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p
		if p != "" && objstore.Scheme(p) == "" {
			if abs, err := filepath.Abs(p); err == nil {
				out[i] = abs
			}
		}
	}
	return out
}

// report prints the run summary and fails when any report failed.
func report(ctx context.Context, cfg pipeline.Config, took time.Duration, w io.Writer) error {
	b, err := objstore.ReadAll(ctx, lake.SummaryURL(cfg.Output, cfg.RunID))
	if err != nil {
		return fmt.Errorf("the run finished but wrote no summary: %w", err)
	}
	var sum commit.Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		return fmt.Errorf("read run summary: %w", err)
	}
	var files int
	var rows, bad int64
	days := map[string]bool{}
	count := map[string]int{}
	var failed, unnotified []string
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REPORT\tPERIOD\tVERSION\tSTATUS\tFILES\tROWS\tBAD\tDAYS\tNOTE")
	for _, o := range sum.Outcomes {
		files += o.Files
		rows += o.Rows
		bad += o.BadRows
		count[o.Status]++
		for _, d := range o.Days {
			days[d] = true
		}
		note := o.Reason
		if o.Status == element.Failed {
			failed = append(failed, fmt.Sprintf("%s (%s): %s", o.Name, o.ReportID, o.Reason))
		}
		if o.Unnotified != "" {
			unnotified = append(unnotified, fmt.Sprintf("%s (%s) %s: %s", o.Name, o.ReportID, o.Status, o.Unnotified))
			if note == "" {
				note = "not notified"
			}
		}
		if len(note) > 80 {
			note = note[:77] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", o.Name, o.BillingPeriod, short(o.Version), o.Status, o.Files, o.Rows, o.BadRows, len(o.Days), note)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d reports (%d committed, %d skipped, %d failed), %d files, %d rows, %d bad rows, %d days, %s\n",
		len(sum.Outcomes), count[element.Committed], count[element.Skipped], count[element.Failed], files, rows, bad, len(days), took.Round(time.Millisecond))
	if cfg.TotalsTable != "" {
		fmt.Fprintf(w, "totals: DynamoDB table %s (curpipe query --table %s)\n", cfg.TotalsTable, cfg.TotalsTable)
	} else {
		fmt.Fprintf(w, "totals: %s\n", lake.DailyURL(cfg.Output))
	}
	var errs []error
	if len(failed) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d reports failed:\n  %s", len(failed), len(sum.Outcomes), strings.Join(failed, "\n  ")))
	}
	if len(unnotified) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d reports were not notified (run again once SNS is back to send them):\n  %s",
			len(unnotified), len(sum.Outcomes), strings.Join(unnotified, "\n  ")))
	}
	if len(errs) > 0 {
		return &exitError{code: 1, err: errors.Join(errs...)}
	}
	if len(sum.Outcomes) == 0 {
		return &exitError{code: 1, err: errors.New("no billing exports found in the inputs")}
	}
	return nil
}

func short(v string) string {
	if len(v) > 12 {
		return v[:12]
	}
	return v
}
