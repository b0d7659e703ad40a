package gen

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// smallHistory is a history quick to write in full.
func smallHistory() HistoryConfig {
	cfg := DefaultHistoryConfig()
	cfg.Days, cfg.Series, cfg.Payers, cfg.Accounts = 75, 60, 2, 4
	cfg.Events = Events{Spikes: 3, LevelShifts: 2, Drifts: 1, NewAccounts: 1, NewServices: 1, MaskedPairs: 1, Bumps: 2, RestatedSpikes: 1}
	return cfg
}

// TestHistoryDeterministic writes a history twice, with one and with
// three workers, and wants the same bytes in every file; another seed
// must give other labels.
func TestHistoryDeterministic(t *testing.T) {
	write := func(cfg HistoryConfig) map[string][]byte {
		t.Helper()
		h, err := History(cfg)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		res, err := h.Write(context.Background(), filepath.Join(dir, "out"))
		if err != nil {
			t.Fatal(err)
		}
		if err := h.WriteExpect(filepath.Join(dir, "expect"), res.Totals); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			files[rel] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	cfg := smallHistory()
	first := write(cfg)
	cfg.Workers = 3
	second := write(cfg)
	if len(first) != len(second) {
		t.Fatalf("%d files, then %d", len(first), len(second))
	}
	for name, b := range first {
		if !bytes.Equal(b, second[name]) {
			t.Errorf("%s differs between two runs of one seed", name)
		}
	}
	cfg.Seed = 2
	if other := write(cfg); bytes.Equal(other["expect/labels.csv"], first["expect/labels.csv"]) {
		t.Error("seeds 1 and 2 give the same labels")
	}
}

// TestHistoryLabels checks the labels of the default history for several
// seeds: they parse back, name series that exist, count as configured,
// sit after the warm-up, agree with the series' costs, and fall on their
// side of the materiality bar; at least half the series stay clean.
func TestHistoryLabels(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			cfg := DefaultHistoryConfig()
			cfg.Seed = seed
			h, err := History(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := h.WriteLabels(&buf); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0], LabelsHeader) {
				t.Fatalf("header %q", rows[0])
			}
			if len(rows)-1 != len(h.Labels) {
				t.Fatalf("%d rows for %d labels", len(rows)-1, len(h.Labels))
			}
			series := map[[3]string]*HistorySeries{}
			base := 0
			for i := range h.Series {
				s := &h.Series[i]
				series[[3]string{s.Payer, s.Account, s.Service}] = s
				if !s.Monthly {
					base++
				}
			}
			if base < 200 {
				t.Errorf("%d series with daily costs, want at least 200", base)
			}
			if clean := h.Clean(); clean*2 < len(h.Series) {
				t.Errorf("%d of %d series clean, want at least half", clean, len(h.Series))
			}
			counts := map[string]int{}
			small := 0
			pairs := map[string][]Label{}
			newAccounts := map[string]bool{}
			for i, row := range rows[1:] {
				l := h.Labels[i]
				checkLabelRow(t, row, l)
				counts[row[0]]++
				s := series[[3]string{l.Payer, l.Account, l.Service}]
				if s == nil {
					t.Errorf("label %q names no series", row)
					continue
				}
				if !l.Material {
					small++
				}
				checkLabelCosts(t, h, s, l)
				switch l.Kind {
				case KindMaskedPair:
					pairs[l.Group] = append(pairs[l.Group], l)
				case KindNewAccount:
					newAccounts[l.Account] = true
				case KindRestatedSpike:
					if !slices.ContainsFunc(h.Deliveries, func(d Delivery) bool { return d.ID == l.Group && !d.Current }) {
						t.Errorf("restated spike %q names no older report version", row)
					}
				}
			}
			e := cfg.Events
			for kind, want := range map[string]int{"spike": e.Spikes + (e.Bumps+1)/2, "level_shift": e.LevelShifts + e.Bumps/2,
				"drift": e.Drifts, "new_service": e.NewServices, "masked_pair": 2 * e.MaskedPairs, "restated_spike": e.RestatedSpikes} {
				if counts[kind] != want {
					t.Errorf("%d %s labels, want %d", counts[kind], kind, want)
				}
			}
			if len(newAccounts) != e.NewAccounts || counts["new_account"] < 2*e.NewAccounts || counts["new_account"] > 4*e.NewAccounts {
				t.Errorf("%d new_account labels in %d accounts, want 2 to 4 in each of %d", counts["new_account"], len(newAccounts), e.NewAccounts)
			}
			if small != e.Bumps {
				t.Errorf("%d labels below the materiality bar, want the %d bumps", small, e.Bumps)
			}
			checkPairs(t, pairs, e.MaskedPairs)
		})
	}
}

// checkLabelRow checks that row is l written out, and l's days.
func checkLabelRow(t *testing.T, row []string, l Label) {
	t.Helper()
	start, err1 := time.Parse(time.DateOnly, row[4])
	end, err2 := time.Parse(time.DateOnly, row[5])
	exp, err3 := decimal.Parse(row[6])
	imp, err4 := decimal.Parse(row[7])
	if err := errors4(err1, err2, err3, err4); err != nil {
		t.Fatalf("label %q: %v", row, err)
	}
	if !start.Equal(l.Start) || !end.Equal(l.End) || !exp.Equal(l.Expected) || !imp.Equal(l.Impact) || row[8] != l.Group {
		t.Errorf("label %q does not read back as %+v", row, l)
	}
	cfg := DefaultHistoryConfig()
	if start.Before(cfg.Start.AddDate(0, 0, cfg.Warmup)) || start.Day() == 1 || end.Before(start) {
		t.Errorf("label %q: starts in the warm-up or on a 1st, or ends before it starts", row)
	}
	oneDay := l.Kind == KindSpike || l.Kind == KindRestatedSpike || l.Kind == KindNewAccount || l.Kind == KindNewService
	if oneDay != end.Equal(start) {
		t.Errorf("label %q: a %s of the wrong length", row, l.Kind)
	}
	bar := new(big.Rat).Quo(rat(l.Expected), big.NewRat(5, 1))
	if fifty := big.NewRat(50, 1); bar.Cmp(fifty) < 0 {
		bar = fifty
	}
	if above := new(big.Rat).Abs(rat(l.Impact)).Cmp(bar) >= 0; above != l.Material {
		t.Errorf("label %q: material %v, but impact against bar %s says %v", row, l.Material, bar.FloatString(8), above)
	}
}

// rat returns d as a big.Rat, for the arithmetic package decimal leaves out.
func rat(d decimal.Decimal) *big.Rat {
	r, ok := new(big.Rat).SetString(d.String())
	if !ok {
		panic("decimal " + d.String())
	}
	return r
}

func errors4(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkLabelCosts checks l's figures against its series' costs.
func checkLabelCosts(t *testing.T, h *HistoryData, s *HistorySeries, l Label) {
	t.Helper()
	start := int(l.Start.Sub(h.Config.Start) / (24 * time.Hour))
	end := int(l.End.Sub(h.Config.Start) / (24 * time.Hour))
	switch l.Kind {
	case KindNewAccount, KindNewService:
		for d := 0; d < start; d++ {
			if !s.Cost[d].IsZero() {
				t.Errorf("%s %+v: the series costs %s on %s, before its first day", l.Kind, l, s.Cost[d], h.Days[d].Format(time.DateOnly))
				break
			}
		}
		if !s.Cost[start].Equal(l.Impact) || !l.Expected.IsZero() {
			t.Errorf("%s %+v: first day costs %s", l.Kind, l, s.Cost[start])
		}
	case KindRestatedSpike:
		if !s.Cost[start].Equal(l.Expected) || !s.Planted[start].IsZero() {
			t.Errorf("restated spike %+v: the current day costs %s, planted %s", l, s.Cost[start], s.Planted[start])
		}
	default:
		at := start
		if l.Kind == KindDrift {
			at = end
		}
		if !s.Cost[start].Sub(s.Planted[start]).Equal(l.Expected) || !s.Planted[at].Equal(l.Impact) {
			t.Errorf("%s %+v: cost %s, planted %s", l.Kind, l, s.Cost[start], s.Planted[at])
		}
		for d := start; d <= end; d++ {
			if s.Planted[d].IsZero() {
				t.Errorf("%s %+v: nothing planted on %s", l.Kind, l, h.Days[d].Format(time.DateOnly))
				break
			}
		}
		if start > 0 && !s.Planted[start-1].IsZero() {
			t.Errorf("%s %+v: planted before its start", l.Kind, l)
		}
	}
}

// checkPairs checks that each masked pair is two series of one payer
// moving the same days by amounts that nearly cancel.
func checkPairs(t *testing.T, pairs map[string][]Label, want int) {
	t.Helper()
	if len(pairs) != want {
		t.Errorf("%d masked pairs, want %d", len(pairs), want)
	}
	for g, ls := range pairs {
		if len(ls) != 2 {
			t.Errorf("pair %s has %d labels", g, len(ls))
			continue
		}
		a, b := ls[0], ls[1]
		if a.Payer != b.Payer || !a.Start.Equal(b.Start) || !a.End.Equal(b.End) || a.Impact.Sign()*b.Impact.Sign() != -1 {
			t.Errorf("pair %s: %+v and %+v are not opposite changes of one payer on the same days", g, a, b)
		}
		// |a + b| within 5% of |a|.
		net := new(big.Rat).Abs(rat(a.Impact.Add(b.Impact)))
		if net.Mul(net, big.NewRat(20, 1)).Cmp(new(big.Rat).Abs(rat(a.Impact))) > 0 {
			t.Errorf("pair %s: impacts %s and %s do not cancel", g, a.Impact, b.Impact)
		}
	}
}
