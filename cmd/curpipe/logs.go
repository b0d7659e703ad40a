package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	beamlog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
)

// logFlags are --log-level and --log-format, the same on every command
// that runs a graph.
type logFlags struct {
	level, format *string
}

// addLogFlags defines --log-level and --log-format on fs.
func addLogFlags(fs *flag.FlagSet) logFlags {
	return logFlags{
		level:  fs.String("log-level", "info", "debug, info, warn or error; runner plumbing (prism, the Beam SDK, workers, staging) shows at debug only"),
		format: fs.String("log-format", "text", "text, or json: one JSON object per line with time, level and msg"),
	}
}

// install makes the process's slog default logger write to w at the
// chosen level and format. Call it after beam.Init, which installs its own.
//
// Every line of a run on prism ends up in slog's default logger: prism's
// own lines, the SDK's launcher lines (through beam/log before a worker
// starts), and every worker's beam/log lines, which the in-process worker
// sends over the Fn API's logging stream and prism logs again with an
// "[SDK] " prefix. What tells curpipe's lines from the runner's is where
// they were logged: a worker line whose call site is outside the Beam SDK
// is one of curpipe's stages; anything else is plumbing and shows at
// debug only.
func (l logFlags) install(w io.Writer) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(*l.level)); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--log-level %q: want debug, info, warn or error", *l.level)}
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch *l.format {
	case "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return &exitError{code: 2, err: fmt.Errorf("--log-format %q: want text or json", *l.format)}
	}
	// prism attaches a worker line's call site only at the SDK's debug
	// level; the classification needs it on every line.
	beamlog.LogLevel = "debug"
	slog.SetDefault(slog.New(&sortHandler{out: h, debug: level <= slog.LevelDebug}))
	cmdLog = slog.New(h)
	jsonLogs = *l.format == "json"
	return nil
}

// jsonLogs is set once a command chose JSON logs: its last error is then
// a JSON line too, so that a collector reads every line of stderr.
var jsonLogs bool

// cmdLog is the command's own logger: its lines are curpipe's, never
// plumbing, so they skip the sorting the default logger does.
var cmdLog = slog.Default()

// sdkPrefix marks the lines prism relays from a worker.
const sdkPrefix = "[SDK] "

// sortHandler sends curpipe's lines on at their level and runner plumbing
// at debug (its warnings and errors keep their level: a failing job should
// say why at any level).
type sortHandler struct {
	out   slog.Handler
	debug bool // keep the SDK's attributes (worker, location) on curpipe's lines
}

func (h *sortHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.out.Enabled(ctx, l) || h.out.Enabled(ctx, slog.LevelDebug)
}

func (h *sortHandler) Handle(ctx context.Context, r slog.Record) error {
	msg, ok := strings.CutPrefix(r.Message, sdkPrefix)
	if ok && !beamSite(r) {
		out := slog.NewRecord(r.Time, r.Level, msg, r.PC)
		if h.debug {
			r.Attrs(func(a slog.Attr) bool { out.AddAttrs(a); return true })
		}
		if !h.out.Enabled(ctx, out.Level) {
			return nil
		}
		return h.out.Handle(ctx, out)
	}
	if r.Level < slog.LevelWarn {
		r.Level = slog.LevelDebug
	}
	if !h.out.Enabled(ctx, r.Level) {
		return nil
	}
	return h.out.Handle(ctx, r)
}

func (h *sortHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &sortHandler{out: h.out.WithAttrs(as), debug: h.debug}
}

func (h *sortHandler) WithGroup(name string) slog.Handler {
	return &sortHandler{out: h.out.WithGroup(name), debug: h.debug}
}

// beamSite reports whether a relayed worker line was logged inside the
// Beam SDK (the harness, the loopback worker, the job client), or has no
// call site at all.
func beamSite(r slog.Record) bool {
	site := ""
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "sdk" || a.Value.Kind() != slog.KindGroup {
			return true
		}
		for _, g := range a.Value.Group() {
			if g.Key == "location" {
				site = g.Value.String()
			}
		}
		return false
	})
	return site == "" || strings.Contains(site, "github.com/apache/beam/")
}
