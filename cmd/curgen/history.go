package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
)

// historyConfig takes the flags --history shares with the other mode from
// cfg, and the defaults of a history where those flags were not set.
func historyConfig(cfg gen.Config, h gen.HistoryConfig, events string, set map[string]bool) (gen.HistoryConfig, error) {
	for _, name := range []string{"size", "rows", "files", "periods", "max-scale"} {
		if set[name] {
			return h, fmt.Errorf("--%s does not apply to --history", name)
		}
	}
	if cfg.Format != gen.CUR1CSV {
		return h, fmt.Errorf("--history writes cur1-csv, not %s", cfg.Format)
	}
	h.Seed, h.Start, h.Payers = cfg.Seed, cfg.Start, cfg.Payers
	h.Prefix, h.Report, h.Bucket, h.Level, h.Workers = cfg.Prefix, cfg.Report, cfg.Bucket, cfg.Level, cfg.Workers
	if set["accounts"] {
		h.Accounts = cfg.Accounts
	}
	if set["versions"] {
		h.Versions = cfg.Versions
	}
	var err error
	if h.Events, err = gen.ParseEvents(events, h.Events); err != nil {
		return h, fmt.Errorf("--%w", err)
	}
	return h, nil
}

// runHistory generates the history cfg describes, writes it under out and
// its expected totals and labels to expect, and says what it wrote.
func runHistory(ctx context.Context, cfg gen.HistoryConfig, out, expect string, stdout io.Writer) error {
	began := time.Now()
	h, err := gen.History(cfg)
	if err != nil {
		return err
	}
	res, err := h.Write(ctx, out)
	if err != nil {
		return err
	}
	if expect != "" {
		if err := h.WriteExpect(expect, res.Totals); err != nil {
			return err
		}
	}
	took := time.Since(began)
	fmt.Fprintf(stdout, "history: %d days from %s, %d series (%d clean), %d labels, %d report versions\n",
		cfg.Days, cfg.Start.Format(time.DateOnly), len(h.Series), h.Clean(), len(h.Labels), len(h.Deliveries))
	counts := h.KindCounts()
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	fmt.Fprint(stdout, "labels:")
	for _, k := range kinds {
		fmt.Fprintf(stdout, " %s=%d", k, counts[gen.AnomalyKind(k)])
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "cur1-csv: %d data files, %d other files under %s\n", len(res.DataFiles), len(res.OtherFiles), out)
	fmt.Fprintf(stdout, "rows: %d current, %d in older versions; csv: %.1f MB uncompressed, %.1f MB gzip\n",
		res.Rows, res.OlderRows, mb(res.CSVBytes), mb(res.StoredBytes))
	fmt.Fprintf(stdout, "took %.2fs\n", took.Seconds())
	if expect != "" {
		fmt.Fprintf(stdout, "expected totals and labels: %s (%d detail rows)\n", expect, len(res.Totals))
	}
	return nil
}
