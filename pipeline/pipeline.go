// Package pipeline builds curpipe's Beam graphs from a Config. The batch
// graph lists billing exports from folders or S3 prefixes; every stage
// after the source is shared with the stream graph.
package pipeline

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/curpipe/curpipe/io/s3io"
	"github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/anomalies"
	"github.com/curpipe/curpipe/transforms/commit"
	"github.com/curpipe/curpipe/transforms/daily"
	"github.com/curpipe/curpipe/transforms/forecasts"
	"github.com/curpipe/curpipe/transforms/notify"
	"github.com/curpipe/curpipe/transforms/parse"
	"github.com/curpipe/curpipe/transforms/report"
	"github.com/curpipe/curpipe/transforms/reports"
	"github.com/curpipe/curpipe/transforms/savings"
	"github.com/curpipe/curpipe/transforms/tabular"
)

// Config is what a run needs to know.
type Config struct {
	// Inputs are folders, globs or S3 prefixes holding billing exports.
	Inputs []string
	// Output is the lake root: curated Parquet, totals and run records.
	Output string
	// MaxBadRows is the number of malformed rows a report may hold; they
	// go to a quarantine file. 0 fails a report on its first bad row.
	MaxBadRows int64
	// Reprocess processes reports whose version is already committed.
	Reprocess bool
	// RunID names this run's summary in the lake.
	RunID string
	// TotalsTable is the DynamoDB table for the totals; "" writes them as
	// CSV under Output/totals.
	TotalsTable string
	// Topic is the SNS topic ARN told of each committed or failed report;
	// "" sends nothing.
	Topic string
	// AllowBuckets are S3 buckets that reads may come from besides the
	// inputs' own.
	AllowBuckets []string
	// NoCurated writes totals only, no curated Parquet.
	NoCurated bool
	// Limits bound what an input file may make a worker hold; zero fields
	// take tabular.DefaultLimits'.
	Limits tabular.Limits
	// ReportLimits bound manifests and the files of a report; zero fields
	// take report.DefaultLimits'.
	ReportLimits report.Limits
	// ParseGroups is how many groups of a report's files are parsed in
	// parallel, each into one set of partial sums; 0 means
	// parse.DefaultGroups.
	ParseGroups int
	// MaxCells bounds the distinct cells of a report's partial sums; 0
	// means parse.DefaultMaxCells.
	MaxCells int
	// Roles say which IAM role reads which S3 prefix: a payer account's
	// exports in its own bucket, read by assuming a role it grants. Their
	// buckets may be read as the inputs' are.
	Roles s3io.SourceRoles
	// NoAnomalies skips the anomaly stage.
	NoAnomalies bool
	// NoForecasts skips the forecasts stage.
	NoForecasts bool
	// Alerts configure the anomaly stage: where its alerts go, which are
	// published, and from when. Output and Table are taken from above.
	Alerts anomalies.Options
	// NoFindings skips the savings findings: the parse gathers nothing
	// for them and no stage evaluates them.
	NoFindings bool
	// Findings configure the savings stage: the rules' thresholds, where
	// the digest of new findings goes, and what is worth one. Output and
	// Table are taken from above.
	Findings savings.Options
}

// ReadBuckets returns the S3 buckets reads may come from: the inputs'
// and the allowed ones.
func (c Config) ReadBuckets() []string {
	seen := map[string]bool{}
	var out []string
	add := func(b string) {
		if b != "" && !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	for _, in := range c.Inputs {
		add(bucketOf(in))
	}
	for _, b := range c.AllowBuckets {
		add(b)
	}
	for _, r := range c.Roles {
		add(bucketOf(r.Prefix))
	}
	return out
}

// bucketOf returns the bucket of an s3:// URL, or "".
func bucketOf(u string) string {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return ""
	}
	b, _, _ := strings.Cut(rest, "/")
	return b
}

// Validate checks a Config before a graph is built from it.
func (c Config) Validate() error {
	var errs []error
	if len(c.Inputs) == 0 {
		errs = append(errs, errors.New("no input: give --input at least once"))
	}
	if c.Output == "" {
		errs = append(errs, errors.New("no output: give --output"))
	}
	if c.MaxBadRows < 0 {
		errs = append(errs, fmt.Errorf("--max-bad-rows %d: must be 0 or more", c.MaxBadRows))
	}
	if c.MaxCells < 0 {
		errs = append(errs, fmt.Errorf("--max-cells %d: must be 1 or more", c.MaxCells))
	}
	if c.RunID == "" {
		errs = append(errs, errors.New("no run id"))
	}
	if !c.NoAnomalies {
		if err := c.alerts().Thresholds.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Batch adds the batch graph to s: list and resolve reports, parse their
// files, combine exact daily totals, commit each report, and finalize the
// run.
func Batch(s beam.Scope, c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	inputs := beam.Create(s, toAny(c.Inputs)...)
	reports := reports.ListReports(s, inputs, reports.ListOptions{Output: c.Output, Reprocess: c.Reprocess, Limits: c.ReportLimits, Roles: c.Roles})
	outcomes := process(s, c, reports, false)
	finalized := commit.Finalize(s, outcomes, commit.Options{Output: c.Output, Table: c.TotalsTable}, c.RunID)
	c.evaluate(s, finalized)
	return nil
}

// evaluate adds the stages that run once a window's reports are
// finalized: the savings findings, which read what the parse gathered,
// and those that read the totals back, the anomalies then the forecasts,
// one after the other so that only one of them holds the history at a
// time.
func (c Config) evaluate(s beam.Scope, finalized beam.PCollection) {
	if !c.NoFindings {
		opts := c.Findings
		opts.Output, opts.Table = c.Output, c.TotalsTable
		savings.Find(s, finalized, opts)
	}
	if !c.NoAnomalies {
		finalized = anomalies.Evaluate(s, finalized, c.alerts())
	}
	if !c.NoForecasts {
		forecasts.Forecast(s, finalized, forecasts.Options{Output: c.Output, Table: c.TotalsTable})
	}
}

// alerts returns the anomaly stage's options: Alerts as given, the
// defaults when none were (Alerts' zero value), with the totals' store;
// root causes come from the curated files, when there are any.
func (c Config) alerts() anomalies.Options {
	opts := c.Alerts
	if opts.Thresholds.Mode == "" {
		opts.Thresholds, opts.HorizonDays = alert.DefaultThresholds(), anomalies.DefaultHorizonDays
	}
	opts.Output, opts.Table, opts.Causes = c.Output, c.TotalsTable, !c.NoCurated
	return opts
}

// process is every stage after the source, shared by the batch and the
// stream graphs: from reports to their committed (and notified) outcomes.
func process(s beam.Scope, c Config, reports beam.PCollection, stream bool) beam.PCollection {
	tasks := parse.ExpandFiles(s, reports, c.ParseGroups)
	partials, statuses := parse.Parse(s, tasks, parse.ParseOptions{Output: c.Output, MaxBadRows: c.MaxBadRows, AllowBuckets: c.ReadBuckets(), NoCurated: c.NoCurated, Limits: c.Limits, MaxCells: c.MaxCells, Roles: c.Roles, Findings: !c.NoFindings})
	verdicts := daily.Verdicts(s, reports, statuses, c.MaxBadRows)
	shards := daily.DailyTotals(s, partials, verdicts)
	opts := commit.Options{Output: c.Output, Table: c.TotalsTable}
	acks := commit.WriteShards(s, shards, opts)
	outcomes := commit.Commit(s, verdicts, acks, opts)
	if c.Topic != "" {
		outcomes = notify.Publish(s, outcomes, c.Topic, notify.Options{Output: c.Output, Stream: stream, Forecast: !c.NoForecasts, Table: c.TotalsTable})
	}
	return outcomes
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
