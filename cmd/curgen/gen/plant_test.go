package gen_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/transforms/cur"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/findings"
	"github.com/curpipe/curpipe/transforms/tabular"
)

// TestPlantedFindings renders the planted dataset as CUR 1.0 CSV, CUR 2.0
// Parquet and FOCUS 1.0 CSV (and CUR 1.0's Athena Parquet), reads each back as curpipe does (tabular,
// cur, findings.FromItem, an Acc over every billing period), and checks
// that every planted resource is found by its rule with the saving the
// test works out from the planted lines, that no look-alike is flagged,
// and that the three renderings give the same findings. Two seeds draw
// different ids, accounts, regions and amounts; the verdict is the same.
//
// FOCUS carries a commitment's unused part as one figure (the Unused
// row's EffectiveCost) and no upfront share of the period, so a Reserved
// Instance or Savings Plan with an upfront fee would show a different
// split of its evidence, and a Savings Plan a smaller total commitment,
// than CUR (see cur's focusCommitment). The planted commitments are No
// Upfront, for which FOCUS and CUR give the same figures.
func TestPlantedFindings(t *testing.T) {
	renderings := []struct {
		name   string
		format gen.Format
	}{
		{"CUR 1.0 CSV", gen.CUR1CSV},
		{"CUR 2.0 Parquet", gen.CUR2Parquet},
		{"FOCUS 1.0 CSV", gen.FOCUSCSV},
		{"CUR 1.0 Athena Parquet", gen.CUR1Parquet},
	}
	for _, seed := range []uint64{1, 20260} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			t.Parallel()
			cfg := gen.DefaultPlantConfig()
			cfg.Seed = seed
			plant := gen.NewPlant(cfg)
			checkPlanted(t, plant)
			var first []findings.Finding
			for _, r := range renderings {
				t.Run(r.name, func(t *testing.T) {
					got := readFindings(t, plant, r.format)
					checkFindings(t, plant, got)
					if first == nil {
						first = got
						return
					}
					if diff := diffFindings(first, got); diff != "" {
						t.Errorf("%s gives other findings than %s: %s", r.name, renderings[0].name, diff)
					}
				})
			}
		})
	}
}

// checkPlanted checks the planted set itself: a resource to flag and a
// look-alike for every rule.
func checkPlanted(t *testing.T, plant *gen.Plant) {
	t.Helper()
	flagged, alike := map[string]int{}, map[string]int{}
	for _, res := range plant.Resources {
		if res.Flagged {
			flagged[res.Rule]++
		} else {
			alike[res.Rule]++
		}
	}
	for _, rule := range findings.Rules() {
		if flagged[rule] == 0 || alike[rule] == 0 {
			t.Errorf("rule %s: %d planted, %d look-alikes; want at least one of each", rule, flagged[rule], alike[rule])
		}
	}
}

// readFindings renders every billing period of plant in format, reads
// the files back and returns the findings of all their lines.
func readFindings(t *testing.T, plant *gen.Plant, format gen.Format) []findings.Finding {
	t.Helper()
	var acc findings.Acc
	for pi := range gen.PlantMonths {
		var buf bytes.Buffer
		if err := plant.WriteFile(&buf, format, pi); err != nil {
			t.Fatalf("WriteFile period %d: %v", pi, err)
		}
		name := fmt.Sprintf("%s-%d", format, pi)
		rd, err := tabular.Open(tabular.Source{Name: name, Size: int64(buf.Len()), At: bytes.NewReader(buf.Bytes())})
		if err != nil {
			t.Fatal(err)
		}
		schema, err := cur.Detect(rd.Header())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := rd.Select(schema.Columns()); err != nil {
			t.Fatal(err)
		}
		var it cur.Item
		var line findings.Line
		for {
			row, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Parse(row, &it); err != nil {
				t.Fatalf("%s:%d: %v", name, rd.Pos(), err)
			}
			findings.FromItem(&line, &it)
			if err := acc.Add(&line); err != nil {
				t.Fatal(err)
			}
		}
		rd.Close()
	}
	fs := acc.Findings(findings.DefaultConfig())
	findings.Sort(fs)
	return fs
}

// checkFindings checks that got holds one finding per planted resource,
// with the resource's rule, identity and expected saving, and nothing else.
func checkFindings(t *testing.T, plant *gen.Plant, got []findings.Finding) {
	t.Helper()
	byID := map[string]findings.Finding{}
	for _, f := range got {
		byID[f.ResourceID] = f
	}
	want := 0
	for _, res := range plant.Resources {
		f, found := byID[res.ResourceID]
		if !res.Flagged {
			if found {
				t.Errorf("look-alike %s (%s) flagged by %s", res.ResourceID, res.What, f.Rule)
			}
			continue
		}
		want++
		if !found {
			t.Errorf("planted %s (%s) not found by %s", res.ResourceID, res.What, res.Rule)
			continue
		}
		if f.Rule != res.Rule || f.UsageAccount != res.Account || f.Payer != res.Payer || f.Region != res.Region {
			t.Errorf("%s: found as %s of %s/%s in %q, want %s of %s/%s in %q", res.ResourceID,
				f.Rule, f.Payer, f.UsageAccount, f.Region, res.Rule, res.Payer, res.Account, res.Region)
		}
		saving := expectedSaving(t, res)
		if !f.MonthlySaving.Equal(saving) {
			t.Errorf("%s (%s): monthly saving %s, want %s", res.ResourceID, res.What, f.MonthlySaving, saving)
		}
	}
	if len(got) != want {
		t.Errorf("%d findings, want %d: one per planted resource", len(got), want)
	}
}

// expectedSaving works out what acting on res saves a month from its
// planted lines, by each rule's stated formula (findings.Formula), with
// the default thresholds: sums over the calendar month of the last line,
// projected to the whole month by (days in the month) / (days billed in
// it), except a Reserved Instance's monthly fee.
func expectedSaving(t *testing.T, res *gen.Planted) decimal.Decimal {
	t.Helper()
	last := res.Lines[len(res.Lines)-1].Day
	month := last[:7]
	seen := map[string]bool{}
	sum := func(pick func(gen.PlantedLine) (decimal.Decimal, bool)) *big.Rat {
		s := new(big.Rat)
		for _, l := range res.Lines {
			if l.Day[:7] != month {
				continue
			}
			seen[l.Day] = true
			if v, ok := pick(l); ok {
				s.Add(s, ratOf(v))
			}
		}
		return s
	}
	cost := func(l gen.PlantedLine) (decimal.Decimal, bool) { return l.Cost, true }
	costOf := func(suffix string) func(gen.PlantedLine) (decimal.Decimal, bool) {
		return func(l gen.PlantedLine) (decimal.Decimal, bool) { return l.Cost, strings.HasSuffix(l.UsageType, suffix) }
	}
	unused := func(l gen.PlantedLine) (decimal.Decimal, bool) { return l.Unused, true }
	monthly := func(r *big.Rat) *big.Rat {
		d, _ := time.Parse(time.DateOnly, last)
		days := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
		return new(big.Rat).Mul(r, big.NewRat(int64(days), int64(len(seen))))
	}
	pct := func(r *big.Rat, p int64) *big.Rat { return new(big.Rat).Mul(r, big.NewRat(p, 100)) }
	var saving *big.Rat
	switch res.Rule {
	case findings.RuleIdlePublicIP, findings.RuleOldSnapshot:
		saving = monthly(sum(cost))
	case findings.RuleIdleNATGateway, findings.RuleIdleVPCEndpoint:
		saving = monthly(sum(costOf("-Hours")))
	case findings.RuleIdleLoadBalancer:
		saving = monthly(sum(cost))
	case findings.RulePreviousGeneration:
		saving = pct(monthly(sum(cost)), 5)
	case findings.RuleIdleS3Standard:
		saving = pct(monthly(sum(costOf("TimedStorage-ByteHrs"))), 30)
	case findings.RuleUnusedReserved:
		saving = sum(unused) // a fee of the month, not projected
	case findings.RuleUnusedSavingsPlan:
		saving = monthly(sum(unused))
	case findings.RuleGP2ToGP3:
		g := monthly(sum(func(l gen.PlantedLine) (decimal.Decimal, bool) { return l.Amount, true }))
		c := monthly(sum(cost))
		u := new(big.Rat).Quo(pct(c, 80), g)
		iops := new(big.Rat).Mul(g, big.NewRat(3, 1))
		iops = ratClamp(iops, big.NewRat(3000, 1), big.NewRat(16000, 1))
		iops.Sub(iops, big.NewRat(3000, 1))
		gp3 := pct(c, 80)
		gp3.Add(gp3, new(big.Rat).Mul(pct(u, 6), iops))
		if g.Cmp(big.NewRat(150, 1)) > 0 {
			gp3.Add(gp3, new(big.Rat).Mul(u, big.NewRat(125, 2)))
		}
		saving = new(big.Rat).Sub(c, gp3)
	default:
		t.Fatalf("no expected saving for rule %s", res.Rule)
	}
	return exactDecimal(t, saving)
}

func ratClamp(x, lo, hi *big.Rat) *big.Rat {
	switch {
	case x.Cmp(lo) < 0:
		return new(big.Rat).Set(lo)
	case x.Cmp(hi) > 0:
		return new(big.Rat).Set(hi)
	}
	return x
}

func ratOf(d decimal.Decimal) *big.Rat {
	r, ok := new(big.Rat).SetString(d.String())
	if !ok {
		panic("not a decimal: " + d.String())
	}
	return r
}

// exactDecimal converts r, which must be a terminating decimal: the
// planted amounts make every expected saving one, so none is rounded.
func exactDecimal(t *testing.T, r *big.Rat) decimal.Decimal {
	t.Helper()
	for places := 0; places <= 40; places++ {
		s := r.FloatString(places)
		if back, _ := new(big.Rat).SetString(s); back.Cmp(r) == 0 {
			return decimal.MustParse(s)
		}
	}
	t.Fatalf("expected saving %s is not a terminating decimal", r.RatString())
	return decimal.Decimal{}
}

// diffFindings describes the first difference between two sorted lists
// of findings, "" when they are the same. Figures compare by value: the
// renderings write a zero as 0 or 0.0.
func diffFindings(a, b []findings.Finding) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d findings against %d", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		if d := diffFinding(x, y); d != "" {
			return fmt.Sprintf("finding %d (%s %s): %s", i, x.Rule, x.ResourceID, d)
		}
	}
	return ""
}

func diffFinding(x, y findings.Finding) string {
	if x.Rule != y.Rule || x.ResourceID != y.ResourceID || x.UsageAccount != y.UsageAccount || x.Region != y.Region ||
		x.Payer != y.Payer || x.FirstSeen != y.FirstSeen || x.LastSeen != y.LastSeen || x.DaysSeen != y.DaysSeen ||
		x.Detail != y.Detail {
		return fmt.Sprintf("%+v against %+v", x, y)
	}
	if !x.MonthlyCost.Equal(y.MonthlyCost) || !x.MonthlySaving.Equal(y.MonthlySaving) {
		return fmt.Sprintf("cost, saving %s, %s against %s, %s", x.MonthlyCost, x.MonthlySaving, y.MonthlyCost, y.MonthlySaving)
	}
	if strings.Join(x.Evidence.UsageTypes, ",") != strings.Join(y.Evidence.UsageTypes, ",") {
		return fmt.Sprintf("usage types %v against %v", x.Evidence.UsageTypes, y.Evidence.UsageTypes)
	}
	if len(x.Evidence.Figures) != len(y.Evidence.Figures) {
		return fmt.Sprintf("figures %v against %v", x.Evidence.Figures, y.Evidence.Figures)
	}
	for i, m := range x.Evidence.Figures {
		if n := y.Evidence.Figures[i]; m.Name != n.Name || !m.Value.Equal(n.Value) {
			return fmt.Sprintf("figure %s = %s against %s = %s", m.Name, m.Value, n.Name, n.Value)
		}
	}
	return ""
}

// TestPlantDeterministic checks that a seed gives the same bytes in every
// format, and another seed other resources.
func TestPlantDeterministic(t *testing.T) {
	render := func(seed uint64, f gen.Format) []byte {
		cfg := gen.DefaultPlantConfig()
		cfg.Seed = seed
		var buf bytes.Buffer
		if err := gen.NewPlant(cfg).WriteFile(&buf, f, gen.PlantMonths-1); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, f := range []gen.Format{gen.CUR1CSV, gen.CUR1Parquet, gen.CUR2Parquet, gen.FOCUSCSV} {
		if !bytes.Equal(render(3, f), render(3, f)) {
			t.Errorf("%s: seed 3 gave different bytes twice", f)
		}
		if bytes.Equal(render(3, f), render(4, f)) {
			t.Errorf("%s: seeds 3 and 4 gave the same bytes", f)
		}
	}
	var buf bytes.Buffer
	if err := gen.NewPlant(gen.DefaultPlantConfig()).WriteFile(&buf, "focus-parquet", 0); err == nil {
		t.Error("WriteFile in an unknown format: no error")
	}
}
