package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/findings"
	"github.com/curpipe/curpipe/transforms/savings"
)

// findingFlags are the savings stage's flags, the same on run and stream.
type findingFlags struct {
	off            *bool
	topic          *string
	digestMin      decimalFlag
	idleDays       *int
	idleGB         decimalFlag
	lbDays         *int
	lbUnits        decimalFlag
	snapshotMonths *int
	prevGenPercent decimalFlag
	s3Days         *int
	s3Percent      decimalFlag
	minSaving      decimalFlag
}

func addFindingFlags(fs *flag.FlagSet) *findingFlags {
	d := findings.DefaultConfig()
	f := &findingFlags{digestMin: decimalFlag(savings.DefaultDigestMin), idleGB: decimalFlag(d.IdleGBPerDay),
		lbUnits: decimalFlag(d.LoadBalancerUnitsPerDay), prevGenPercent: decimalFlag(d.PreviousGenerationPercent),
		s3Percent: decimalFlag(d.S3SavingPercent), minSaving: decimalFlag(d.MinMonthlySaving)}
	f.off = fs.Bool("no-findings", false, "skip the savings findings (the parse then reads no usage types or resources when --no-curated)")
	f.topic = fs.String("findings-topic", "", "SNS topic ARN for the digest of new savings findings (default: the anomaly alerts' topic, with the attribute type=findings)")
	fs.Var(&f.digestMin, "findings-digest-min", "a new finding is in the digest when its estimated monthly saving is at least this much")
	f.idleDays = fs.Int("findings-idle-days", d.IdleDays, "N: a NAT gateway or VPC endpoint is idle when it processed almost nothing over its last N days billed")
	fs.Var(&f.idleGB, "findings-idle-gb-per-day", "what almost nothing is for a NAT gateway or VPC endpoint: GB processed a day on average")
	f.lbDays = fs.Int("findings-lb-idle-days", d.LoadBalancerIdleDays, "the days over which a load balancer must have done almost no work")
	fs.Var(&f.lbUnits, "findings-lb-units-per-day", "what almost no work is for a load balancer: LCU-hours (Classic: GB processed) a day on average")
	f.snapshotMonths = fs.Int("findings-snapshot-age-months", d.SnapshotAgeMonths, "a snapshot is old when first billed this many months before its last day billed")
	fs.Var(&f.prevGenPercent, "findings-previous-generation-percent", "estimated saving of moving a previous-generation instance to the current one, percent of its cost")
	f.s3Days = fs.Int("findings-s3-idle-days", d.S3IdleDays, "a Standard bucket is idle when billed for storage and no requests over this many days")
	fs.Var(&f.s3Percent, "findings-s3-saving-percent", "estimated saving on an idle Standard bucket, percent of its storage cost")
	fs.Var(&f.minSaving, "findings-min-saving", "findings whose estimated monthly saving is below this are dropped")
	return f
}

// options returns the stage's options; alertsTopic is where the anomaly
// alerts go (--alerts-topic, else --sns-topic), and the digests with them
// unless told otherwise.
func (f *findingFlags) options(alertsTopic string) (savings.Options, error) {
	topic := *f.topic
	if topic == "" {
		topic = alertsTopic
	}
	cfg := findings.DefaultConfig()
	cfg.IdleDays, cfg.IdleGBPerDay = *f.idleDays, decimal.Decimal(f.idleGB)
	cfg.LoadBalancerIdleDays, cfg.LoadBalancerUnitsPerDay = *f.lbDays, decimal.Decimal(f.lbUnits)
	cfg.SnapshotAgeMonths, cfg.PreviousGenerationPercent = *f.snapshotMonths, decimal.Decimal(f.prevGenPercent)
	cfg.S3IdleDays, cfg.S3SavingPercent = *f.s3Days, decimal.Decimal(f.s3Percent)
	cfg.MinMonthlySaving = decimal.Decimal(f.minSaving)
	o := savings.Options{Topic: topic, Rules: cfg, DigestMin: decimal.Decimal(f.digestMin)}
	var errs []error
	for _, n := range []struct {
		flag string
		v    int
	}{{"findings-idle-days", cfg.IdleDays}, {"findings-lb-idle-days", cfg.LoadBalancerIdleDays},
		{"findings-snapshot-age-months", cfg.SnapshotAgeMonths}, {"findings-s3-idle-days", cfg.S3IdleDays}} {
		if n.v < 1 {
			errs = append(errs, fmt.Errorf("--%s %d: must be 1 or more", n.flag, n.v))
		}
	}
	for _, d := range []struct {
		flag string
		v    decimal.Decimal
	}{{"findings-idle-gb-per-day", cfg.IdleGBPerDay}, {"findings-lb-units-per-day", cfg.LoadBalancerUnitsPerDay},
		{"findings-previous-generation-percent", cfg.PreviousGenerationPercent}, {"findings-s3-saving-percent", cfg.S3SavingPercent},
		{"findings-min-saving", cfg.MinMonthlySaving}, {"findings-digest-min", o.DigestMin}} {
		if d.v.Sign() < 0 {
			errs = append(errs, fmt.Errorf("--%s %s: must not be negative", d.flag, d.v))
		}
	}
	return o, errors.Join(errs...)
}

// findingsCommand lists the stored savings findings.
func findingsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("findings", flag.ContinueOnError)
	fs.SetOutput(stderr)
	table := fs.String("table", "", "DynamoDB totals table the findings are stored in")
	output := fs.String("output", "", "lake root (folder or s3:// prefix), when there is no --table")
	rule := fs.String("rule", "", "list only this rule's findings: "+strings.Join(findings.Rules(), ", "))
	format := fs.String("format", "csv", "csv, table or json")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: curpipe findings (--output PATH | --table NAME) [--rule NAME] [--format csv|table|json]\n\n")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if (*table == "") == (*output == "") {
		return &exitError{code: 2, err: errors.New("give exactly one of --table and --output")}
	}
	if *rule != "" && !slices.Contains(findings.Rules(), *rule) {
		return &exitError{code: 2, err: fmt.Errorf("--rule %q: want one of %s", *rule, strings.Join(findings.Rules(), ", "))}
	}
	switch *format {
	case "csv", "table", "json":
	default:
		return &exitError{code: 2, err: fmt.Errorf("--format %q: want csv, table or json", *format)}
	}
	store, err := totalstore.Open(ctx, absLocal([]string{*output})[0], *table)
	if err != nil {
		return err
	}
	all, err := store.Findings(ctx)
	if err != nil {
		return err
	}
	var shown []findings.Finding
	for _, f := range all {
		if *rule == "" || f.Rule == *rule {
			shown = append(shown, f)
		}
	}
	findings.Sort(shown)
	return printFindings(stdout, shown, *format)
}

// findingJSON is a finding as --format json prints it: money as exact
// decimal strings.
type findingJSON struct {
	Rule          string            `json:"rule"`
	ResourceID    string            `json:"resource_id"`
	UsageAccount  string            `json:"usage_account_id"`
	Region        string            `json:"region"`
	FirstSeen     string            `json:"first_seen"`
	LastSeen      string            `json:"last_seen"`
	MonthlyCost   string            `json:"monthly_cost"`
	MonthlySaving string            `json:"estimated_monthly_saving"`
	Payer         string            `json:"payer_account_id"`
	DaysSeen      int               `json:"days_seen"`
	Detail        string            `json:"detail,omitempty"`
	UsageTypes    []string          `json:"usage_types"`
	Evidence      map[string]string `json:"evidence"`
	Formula       string            `json:"formula"`
}

func printFindings(w io.Writer, fs []findings.Finding, format string) error {
	switch format {
	case "json":
		docs := make([]findingJSON, 0, len(fs))
		for _, f := range fs {
			ev := make(map[string]string, len(f.Evidence.Figures))
			for _, m := range f.Evidence.Figures {
				ev[m.Name] = m.Value.String()
			}
			docs = append(docs, findingJSON{Rule: f.Rule, ResourceID: f.ResourceID, UsageAccount: f.UsageAccount,
				Region: f.Region, FirstSeen: f.FirstSeen, LastSeen: f.LastSeen, MonthlyCost: f.MonthlyCost.String(),
				MonthlySaving: f.MonthlySaving.String(), Payer: f.Payer, DaysSeen: f.DaysSeen, Detail: f.Detail,
				UsageTypes: f.Evidence.UsageTypes, Evidence: ev, Formula: findings.Formula(f.Rule)})
		}
		b, err := json.MarshalIndent(docs, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case "table":
		var buf bytes.Buffer
		if err := findings.WriteCSV(&buf, fs); err != nil {
			return err
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i, row := range rows {
			row = row[:len(row)-2] // usage types and evidence are long: csv and json carry them
			if i == 0 {
				for j := range row {
					row[j] = strings.ToUpper(row[j])
				}
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		return tw.Flush()
	}
	return findings.WriteCSV(w, fs)
}
