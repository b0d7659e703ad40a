// Command curpipe turns AWS billing exports (CUR 1.0, CUR 2.0, FOCUS) into
// exact daily cost totals and a curated Parquet lake, with Apache Beam.
//
//	curpipe run --input testdata/samples/koku-local-bucket --output out/
//
// Beam's own flags (--runner, --endpoint, --environment_type, ...) pass
// through; the default runner is prism, in process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	// CA roots for TLS when the system has none: the container image
	// (cmd/curimage) holds curpipe alone.
	_ "golang.org/x/crypto/x509roots/fallback"
)

const usage = `curpipe turns AWS billing exports into exact daily cost totals.

Usage:
  curpipe run --input PATH [--input PATH ...] --output PATH [flags]
  curpipe stream --queue URL --output PATH --allow-bucket NAME [--totals-table NAME] [--sns-topic ARN] [--window 1m]
  curpipe query (--table NAME | --output PATH) [--from DATE] [--to DATE] [--detail]
  curpipe anomalies (--output PATH | --table NAME) [--from DATE] [--to DATE] [--format csv|table|json]
  curpipe forecast (--output PATH | --table NAME) [--as-of DATE | --stored YYYY-MM] [--detail] [--format csv|table|json]
  curpipe findings (--output PATH | --table NAME) [--rule NAME] [--format csv|table|json]
  curpipe report (--output PATH | --table NAME) [--from DATE] [--to DATE] (--html FILE | --serve ADDR)
  curpipe validate [--input PATH ...] [--output PATH] [--totals-table NAME] [--sns-topic ARN]

Commands:
  run     process billing exports from folders, globs or S3 prefixes
  stream  process billing exports as S3 events announce them on an SQS queue
  query   print committed daily totals as CSV or a table
  anomalies  list the cost anomalies found in the totals, and what was announced of them
  forecast   month-end forecasts with 80% and 95% intervals, from the totals up to a day
  findings   savings findings: idle, unused and outdated resources, with an exact monthly saving
  report     the cost report page: daily cost by service and account, movers, anomalies, forecast
  validate  check a set-up for CI: resources usable, graph builds, sample computes right

Run 'curpipe COMMAND -help' for a command's flags ('run' takes Beam's too).
`

// exitError carries the exit code a failure should end the process with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// memoryTarget is the heap size the garbage collector works to stay
// under unless GOMEMLIMIT says otherwise. Go lets the heap grow to twice
// what is live between collections: on a report of 970,000 cells some
// 400 MB was live, and this target kept that run at 600 MB instead of
// 880 MB. It is a target, not a cap: the collector runs more often near
// it, never fails an allocation for it, and a usual run, far below it,
// never notices it.
const memoryTarget = 512 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryTarget)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		code := 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		switch {
		case errors.Is(err, flag.ErrHelp):
		case jsonLogs:
			cmdLog.Error("curpipe: "+err.Error(), "exit", code)
		default:
			fmt.Fprintln(os.Stderr, "curpipe:", err)
		}
		os.Exit(code)
	}
}

// run dispatches a command. Beam keeps its options on the standard flag
// set and reads them in beam.Init, so each command defines its flags there
// too, and a Beam worker started with this binary (flags only, no
// command) goes straight to beam.Init, which never returns for it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		flag.CommandLine.Usage = func() { fmt.Fprint(stderr, usage) }
		if err := flag.CommandLine.Parse(args); err != nil {
			return err
		}
		bootWorker()
		beam.Init()
		fmt.Fprint(stderr, usage)
		return &exitError{code: 2, err: errors.New("no command given")}
	}
	switch args[0] {
	case "run":
		return runCommand(ctx, args[1:], stdout, stderr)
	case "stream":
		return streamCommand(ctx, args[1:], stdout, stderr)
	case "query":
		return queryCommand(ctx, args[1:], stdout, stderr)
	case "validate":
		return validateCommand(ctx, args[1:], stdout, stderr)
	case "anomalies":
		return anomaliesCommand(ctx, args[1:], stdout, stderr)
	case "findings":
		return findingsCommand(ctx, args[1:], stdout, stderr)
	case "forecast":
		return forecastCommand(ctx, args[1:], stdout, stderr)
	case "report":
		return reportCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return &exitError{code: 2, err: fmt.Errorf("unknown command %q", args[0])}
}

// commandFlags returns a command's flag set holding Beam's options too
// (the SDK registers them on the standard flag set), so that --runner and
// the rest pass through and beam.Init sees them. A fresh set per call lets
// tests run commands more than once in a process.
func commandFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	flag.CommandLine.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	return fs
}

// parseFlags parses a command's arguments; -help is not an error.
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return true, nil
	}
	if err != nil {
		return false, &exitError{code: 2, err: err}
	}
	if fs.NArg() > 0 {
		return false, &exitError{code: 2, err: fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	return false, nil
}
