package main

import (
	"fmt"
	"io"
	"time"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
)

// plantConfig takes the flags --plant-findings shares with the other mode
// from cfg; the flags that shape a generated dataset do not apply.
func plantConfig(cfg gen.Config, set map[string]bool) (gen.PlantConfig, error) {
	for _, name := range []string{"size", "rows", "files", "periods", "versions", "payers", "accounts", "max-scale",
		"workers", "history", "days", "series", "events"} {
		if set[name] {
			return gen.PlantConfig{}, fmt.Errorf("--%s does not apply to --plant-findings", name)
		}
	}
	return gen.PlantConfig{Seed: cfg.Seed, Start: cfg.Start, Prefix: cfg.Prefix, Report: cfg.Report,
		Bucket: cfg.Bucket, Level: cfg.Level}, nil
}

// runPlant writes the planted dataset in format under out, and its
// expected totals and planted.csv to expect, and says what it wrote.
func runPlant(cfg gen.PlantConfig, format gen.Format, out, expect string, stdout io.Writer) error {
	began := time.Now()
	p := gen.NewPlant(cfg)
	res, err := p.Write(out, format)
	if err != nil {
		return err
	}
	if expect != "" {
		if err := gen.WriteExpect(expect, res.Totals); err != nil {
			return err
		}
		if err := p.WritePlanted(expect); err != nil {
			return err
		}
	}
	flagged := 0
	for _, r := range p.Resources {
		if r.Flagged {
			flagged++
		}
	}
	last := cfg.Start.AddDate(0, gen.PlantMonths-1, 0)
	fmt.Fprintf(stdout, "planted findings: %d resources to find, %d look-alikes, %s to %s\n",
		flagged, len(p.Resources)-flagged, cfg.Start.Format("2006-01"), last.Format("2006-01"))
	fmt.Fprintf(stdout, "%s: %d data files, %d other files under %s; %d rows\n",
		format, len(res.DataFiles), len(res.OtherFiles), out, res.Rows)
	fmt.Fprintf(stdout, "took %.2fs\n", time.Since(began).Seconds())
	if expect != "" {
		fmt.Fprintf(stdout, "expected totals and planted.csv: %s (%d detail rows)\n", expect, len(res.Totals))
	}
	return nil
}
