// Command curgen generates large, realistic AWS billing exports and their
// exact expected daily totals, for benchmarks and tests at scale.
//
//	curgen --out /tmp/bench --size 1GB --expect /tmp/bench-expect
//	curgen --out /tmp/bench --format cur2-parquet --rows 2000000 --files 4
//
// The same flags give the same files, and the same line items in every
// format. See package gen for what a dataset holds.
//
// With --history it writes a labelled history of daily costs with planted
// anomalies instead, for measuring anomaly alerts:
//
//	curgen --history --out /tmp/hist --expect /tmp/hist-expect --seed 2
//
// With --plant-findings it writes resources the findings rules must flag
// among busy look-alikes, in CUR 1.0, CUR 2.0 or FOCUS:
//
//	curgen --plant-findings --format focus-csv --out /tmp/plant --expect /tmp/plant-expect
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
)

const usage = `curgen generates AWS billing exports (CUR 1.0 CSV, CUR 1.0 Athena Parquet,
CUR 2.0 Parquet; FOCUS 1.0 CSV for planted findings) in their S3 delivery
layout, with exact expected daily totals.

Usage:
  curgen --out DIR [--expect DIR] [--format F] [--size SIZE | --rows N] [flags]

Layouts written under --out:
  cur1-csv      PREFIX/REPORT/yyyymmdd-yyyymmdd/ASSEMBLY/REPORT-N.csv.gz, each
                version's REPORT-Manifest.json beside its files, and the current
                one's copy in the date-range folder
  cur1-parquet  PREFIX/REPORT/REPORT/year=Y/month=M/REPORT-0000N.snappy.parquet
                and cost_and_usage_data_status/ (one version: Athena overwrites)
  cur2-parquet  PREFIX/REPORT/data/BILLING_PERIOD=Y-M/[EXECUTION/]REPORT-0000N.snappy.parquet
                and PREFIX/REPORT/metadata/BILLING_PERIOD=Y-M/REPORT-Manifest.json

--expect writes daily.csv and daily_detail.csv: the totals of the current
versions only, in the form curpipe writes its own.

  curgen --history --out DIR [--expect DIR] [--days N] [--series N] [--events LIST]

--history writes a labelled history instead, in cur1-csv: --days days from
--start of --series series (payer x usage account x service; --accounts is 8
here) with their own levels (5 to 5,000 a day), weekday seasonality, noise
and trends, several line items a day; tax, support and RI fees on
the 1st of each month, credits and refunds, all normal. Each month comes in
--versions report versions (default 3 here): the older ones end on a partial
day, which the next restates. Anomalies are planted as --events counts them
(kinds as in labels.csv, and bump: spikes and level shifts below the bar),
after the first 35 days. --expect also writes labels.csv:
  kind,payer_account_id,usage_account_id,service,start_date,end_date,
  expected_per_day,impact_per_day,group
one row per anomaly and series, dates inclusive. Its figures are exact net
unblended cost on the start day (the end day for a drift's impact), as
daily_detail.csv's net_unblended_cost: lineItem/NetUnblendedCost, or
lineItem/UnblendedCost on lines with no net figure. group joins the rows of
a masked pair, and names the report version (assemblyId) of a
restated_spike. Materiality bar: |impact| >= max(50, 20% of expected).

  curgen --plant-findings --out DIR [--expect DIR] [--format F] [--seed N] [--start YYYY-MM]

--plant-findings writes, instead, resources the savings findings must flag
among busy look-alikes, one of each per rule: an idle Elastic IP and one in
use, NAT gateways and VPC endpoints moving almost nothing and tens of GB a
day, load balancers with and without LCUs, a gp2 and a gp3 volume, a
snapshot billed for 13 months and one taken this month, an m4 and an m7i
on demand, Reserved Instances and Savings Plans (No Upfront) partly unused
and fully used, and S3 Standard buckets with and without requests. Daily
lines over 13 billing periods from --start, one data file a period with its
manifest, in --format cur1-csv, cur1-parquet, cur2-parquet or focus-csv:
  focus-csv     PREFIX/REPORT/data/BILLING_PERIOD=Y-M/REPORT-00001.csv.gz, AWS's
                FOCUS 1.0 with AWS columns, and PREFIX/REPORT/metadata/... as cur2
Every format gives the same findings and totals. --expect also writes
planted.csv: rule,expect,resource_id,payer_account_id,usage_account_id,region,what
with expect "finding" (the rule must flag it) or "none" (a look-alike).

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "curgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := gen.DefaultConfig()
	fs := flag.NewFlagSet("curgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	out := fs.String("out", "", "folder to write the export under (required)")
	expect := fs.String("expect", "", "folder to write the expected daily.csv and daily_detail.csv to")
	format := fs.String("format", string(cfg.Format), "cur1-csv, cur1-parquet or cur2-parquet; with --plant-findings also focus-csv")
	seed := fs.Uint64("seed", cfg.Seed, "seed: the same flags give the same files")
	size := fs.String("size", "100MB", "uncompressed CSV size of the current versions (10MB, 1GB, 2GiB); for Parquet, the rows such a CSV holds")
	fs.Int64Var(&cfg.Rows, "rows", 0, "line items of the current versions, instead of --size")
	fs.IntVar(&cfg.Files, "files", cfg.Files, "data files per report version")
	fs.IntVar(&cfg.Periods, "periods", cfg.Periods, "billing periods, consecutive months")
	fs.IntVar(&cfg.Versions, "versions", cfg.Versions, "report versions per period; older ones must not count")
	fs.IntVar(&cfg.Payers, "payers", cfg.Payers, "payer accounts")
	fs.IntVar(&cfg.Accounts, "accounts", cfg.Accounts, "usage accounts per payer")
	start := fs.String("start", cfg.Start.Format("2006-01"), "first billing period, YYYY-MM")
	fs.StringVar(&cfg.Prefix, "prefix", cfg.Prefix, "report path prefix")
	fs.StringVar(&cfg.Report, "report", cfg.Report, "report (export) name")
	fs.StringVar(&cfg.Bucket, "bucket", cfg.Bucket, "bucket the manifests name")
	fs.IntVar(&cfg.Level, "level", 6, "gzip level (1 fastest .. 9 smallest)")
	fs.IntVar(&cfg.MaxScale, "max-scale", 0, "round figures to at most this many fractional digits (24 fits DECIMAL(38,24)); 0 keeps a double's 16-17 digits")
	fs.IntVar(&cfg.Workers, "workers", runtime.GOMAXPROCS(0), "files written at once")
	history := fs.Bool("history", false, "write a labelled history of daily costs with planted anomalies (see above)")
	hcfg := gen.DefaultHistoryConfig()
	fs.IntVar(&hcfg.Days, "days", hcfg.Days, "with --history: consecutive days from --start")
	fs.IntVar(&hcfg.Series, "series", hcfg.Series, "with --history: series at the start, over all accounts")
	events := fs.String("events", hcfg.Events.String(), "with --history: anomalies to plant, kind=count,...")
	plant := fs.Bool("plant-findings", false, "write resources the savings findings must flag among busy look-alikes (see above)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *out == "" {
		fs.Usage()
		return errors.New("--out is required")
	}
	cfg.Format, cfg.Seed = gen.Format(*format), *seed
	var err error
	if cfg.Start, err = time.Parse("2006-01", *start); err != nil {
		return fmt.Errorf("--start: want YYYY-MM: %w", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *plant {
		pcfg, err := plantConfig(cfg, set)
		if err != nil {
			return err
		}
		return runPlant(pcfg, cfg.Format, *out, *expect, stdout)
	}
	if *history {
		if hcfg, err = historyConfig(cfg, hcfg, *events, set); err != nil {
			return err
		}
		return runHistory(ctx, hcfg, *out, *expect, stdout)
	}
	if cfg.Rows == 0 {
		if cfg.Size, err = parseSize(*size); err != nil {
			return fmt.Errorf("--size: %w", err)
		}
	}

	began := time.Now()
	res, err := gen.Generate(ctx, *out, cfg)
	if err != nil {
		return err
	}
	took := time.Since(began)
	if *expect != "" {
		if err := gen.WriteExpect(*expect, res.Totals); err != nil {
			return err
		}
	}
	secs := took.Seconds()
	fmt.Fprintf(stdout, "%s: %d data files, %d other files under %s\n", cfg.Format, len(res.DataFiles), len(res.OtherFiles), *out)
	fmt.Fprintf(stdout, "rows: %d current, %d in older versions\n", res.Rows, res.OlderRows)
	if res.CSVBytes > 0 {
		fmt.Fprintf(stdout, "csv: %.1f MB uncompressed, %.1f MB gzip\n", mb(res.CSVBytes), mb(res.StoredBytes))
	} else {
		fmt.Fprintf(stdout, "parquet: %.1f MB\n", mb(res.StoredBytes))
	}
	fmt.Fprintf(stdout, "took %.2fs: %.0f rows/s", secs, float64(res.Rows+res.OlderRows)/secs)
	if res.CSVBytes > 0 {
		fmt.Fprintf(stdout, ", %.1f MB/s uncompressed", mb(res.CSVBytes)/secs)
	}
	fmt.Fprintln(stdout)
	if *expect != "" {
		fmt.Fprintf(stdout, "expected totals: %s (%d detail rows)\n", *expect, len(res.Totals))
	}
	return nil
}

func mb(n int64) float64 { return float64(n) / 1e6 }

// parseSize reads "10MB", "1.5GB", "2GiB", "500k" or a number of bytes.
// Units without an i are powers of 1000, with an i powers of 1024.
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	units := []struct {
		suffix string
		mult   float64
	}{
		{"TIB", 1 << 40}, {"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10},
		{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3},
		{"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"K", 1e3}, {"B", 1},
	}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 || v*mult > 1<<53 {
		return 0, fmt.Errorf("%q is not a size such as 10MB or 2GiB", s)
	}
	return int64(v * mult), nil
}
