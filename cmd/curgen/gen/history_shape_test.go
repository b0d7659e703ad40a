package gen

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curpipe/curpipe/transforms/totals"
)

func defaultHistory(t *testing.T) *HistoryData {
	t.Helper()
	h, err := History(DefaultHistoryConfig())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestHistoryTotals checks that the expected totals hold each series'
// costs as net unblended cost, and nothing else.
func TestHistoryTotals(t *testing.T) {
	h := defaultHistory(t)
	tab, err := h.Totals()
	if err != nil {
		t.Fatal(err)
	}
	cells := 0
	for _, s := range h.Series {
		for d, c := range s.Cost {
			k := totals.Dims{Day: h.Days[d].Format(time.DateOnly), Provider: "AWS", Payer: s.Payer, Account: s.Account, Service: s.Service, Currency: s.Currency}
			got := tab[k]
			if got == nil {
				if !c.IsZero() {
					t.Errorf("%v: no total for a cost of %s", k, c)
				}
				continue
			}
			cells++
			if !got.NetUnblended.Equal(c) {
				t.Errorf("%v: total %s, series cost %s", k, got.NetUnblended, c)
			}
		}
	}
	if cells != len(tab) {
		t.Errorf("%d totals, %d of them series days", len(tab), cells)
	}
}

// sums returns the net cost of each series-day of delivery di, keyed by
// "payer/account/service/day".
func sums(h *HistoryData, di int) map[string]int64 {
	m := map[string]int64{}
	h.lines(di, func(ln *hline) {
		m[ln.s.payer.id+"/"+ln.s.acct.id+"/"+ln.s.svc.code+"/"+h.Days[ln.day].Format(time.DateOnly)] += ln.net
	})
	return m
}

// TestHistoryDeliveries checks the report versions: each older one ends on
// a partial day that costs less than the current version says, holds the
// current figures on its other days (but the 1st, whose tax and support
// grow with the month), except the day of a restated spike, which holds
// the spike.
func TestHistoryDeliveries(t *testing.T) {
	h := defaultHistory(t)
	current := map[*period]map[string]int64{}
	for di, dv := range h.deliveries {
		if dv.current {
			current[dv.per] = sums(h, di)
		}
	}
	restated := map[string]Label{}
	for _, l := range h.Labels {
		if l.Kind == KindRestatedSpike {
			restated[l.Group] = l
		}
	}
	older := 0
	for di, dv := range h.deliveries {
		pub := h.Deliveries[di]
		if pub.ID != dv.id || pub.Current != dv.current || !pub.Through.Equal(h.Days[dv.last]) {
			t.Errorf("Deliveries[%d] = %+v, not delivery %+v", di, pub, dv)
		}
		if di > 0 && h.deliveries[di-1].per == dv.per && !dv.mtime.After(h.deliveries[di-1].mtime) {
			t.Errorf("version %d of %s delivered no later than the one before", dv.version, dv.per.start.Format("2006-01"))
		}
		if dv.current {
			if dv.hours != 24 {
				t.Errorf("current version of %s ends on a partial day", dv.per.start.Format("2006-01"))
			}
			continue
		}
		older++
		if dv.hours >= 24 {
			t.Errorf("older version %d of %s ends on a whole day", dv.version, dv.per.start.Format("2006-01"))
		}
		got, want := sums(h, di), current[dv.per]
		newest := h.Days[dv.last].Format(time.DateOnly)
		var lastGot, lastWant int64
		for k, v := range got {
			day := k[strings.LastIndexByte(k, '/')+1:]
			switch {
			case day == newest:
				lastGot += v
			case strings.HasSuffix(day, "-01"):
			case restated[dv.id].Start.Format(time.DateOnly) == day && strings.HasPrefix(k, restated[dv.id].Payer+"/"+restated[dv.id].Account+"/"+restated[dv.id].Service+"/"):
				l := restated[dv.id]
				if !units(v).Equal(l.Expected.Add(l.Impact)) {
					t.Errorf("%s: version %s holds %s, want the restated spike %s + %s", k, dv.id, units(v), l.Expected, l.Impact)
				}
			case v != want[k]:
				t.Errorf("%s: version %s holds %s, the current one %s", k, dv.id, units(v), units(want[k]))
			}
		}
		for k, v := range want {
			if strings.HasSuffix(k, "/"+newest) {
				lastWant += v
			}
		}
		if lastGot >= lastWant {
			t.Errorf("version %s: its partial day %s costs %s, the complete day %s", dv.id, newest, units(lastGot), units(lastWant))
		}
	}
	if want := len(h.d.periods) * (h.Config.Versions - 1); older != want {
		t.Errorf("%d older versions, want %d", older, want)
	}
	for id := range restated {
		if !slices.ContainsFunc(h.deliveries, func(d delivery) bool { return d.id == id }) {
			t.Errorf("restated spike in unknown version %s", id)
		}
	}
}

// TestHistoryShape checks what makes the series realistic: levels spread
// over orders of magnitude, weekends flat and low, month-start charges,
// credits and refunds.
func TestHistoryShape(t *testing.T) {
	h := defaultHistory(t)
	var medians, weekends []float64
	for i, s := range h.ser {
		if s.monthly {
			for d, c := range h.Series[i].Cost {
				if !c.IsZero() && h.Days[d].Day() != 1 {
					t.Errorf("support series %s costs %s on %s", s.acct.id, c, h.Days[d].Format(time.DateOnly))
				}
			}
			continue
		}
		if s.isNew {
			continue
		}
		var week, end []float64
		for d := range h.Days {
			if h.Days[d].Day() == 1 {
				continue
			}
			v := float64(s.dayUsage(d)) / unit
			if wd := h.Days[d].Weekday(); wd == time.Saturday || wd == time.Sunday {
				end = append(end, v)
			} else {
				week = append(week, v)
			}
		}
		medians = append(medians, median(week))
		weekends = append(weekends, median(end)/median(week))
	}
	slices.Sort(medians)
	slices.Sort(weekends)
	if medians[0] > 10 || medians[len(medians)-1] < 2000 {
		t.Errorf("weekday medians from %.2f to %.2f, want under 10 to over 2,000", medians[0], medians[len(medians)-1])
	}
	if weekends[len(weekends)/10] > 0.6 || weekends[len(weekends)*9/10] < 0.97 {
		t.Errorf("weekend/weekday ratios %.2f (10%%) to %.2f (90%%): want low and flat series", weekends[len(weekends)/10], weekends[len(weekends)*9/10])
	}
	kinds := map[lineKind]int{}
	for di, dv := range h.deliveries {
		if !dv.current {
			continue
		}
		h.lines(di, func(ln *hline) {
			kinds[ln.kind]++
			monthly := ln.kind == lineTax || ln.kind == lineSupport || ln.kind == lineRIFee
			if monthly && h.Days[ln.day].Day() != 1 {
				t.Errorf("a %s line on %s", historyLineTypes[ln.kind], h.Days[ln.day].Format(time.DateOnly))
			}
			if (ln.kind == lineCredit || ln.kind == lineRefund) != (ln.unb < 0) {
				t.Errorf("a %s line of %s", historyLineTypes[ln.kind], units(ln.unb))
			}
			if ln.kind == lineRIFee && ln.s.svc.code != "AmazonEC2" {
				t.Errorf("an RI fee in %s", ln.s.svc.code)
			}
		})
	}
	for k := lineUsage; k <= lineRIFee; k++ {
		if kinds[k] == 0 {
			t.Errorf("no %s lines", historyLineTypes[k])
		}
	}
	if kinds[lineUsage] < 3*len(h.Series)*len(h.Days)/2 {
		t.Errorf("%d usage lines for %d series over %d days: want several a series-day", kinds[lineUsage], len(h.Series), len(h.Days))
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func TestHistoryConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*HistoryConfig)
		want string
	}{
		{"mid-month start", func(c *HistoryConfig) { c.Start = c.Start.AddDate(0, 0, 3) }, "1st of a month"},
		{"too few days", func(c *HistoryConfig) { c.Days = 40 }, "days must be at least 49"},
		{"one version", func(c *HistoryConfig) { c.Versions = 1 }, "restated spike needs at least 2"},
		{"negative count", func(c *HistoryConfig) { c.Events.Drifts = -1 }, "drift count -1"},
		{"too many series", func(c *HistoryConfig) { c.Series = 10000 }, "do not fit"},
		{"too many anomalies", func(c *HistoryConfig) { c.Events.Spikes = 400 }, "could not plant spike"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultHistoryConfig()
			tc.edit(&cfg)
			_, err := History(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("History: %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func TestParseEvents(t *testing.T) {
	base := DefaultHistoryConfig().Events
	tests := []struct {
		in   string
		want func(*Events)
		err  bool
	}{
		{"", func(*Events) {}, false},
		{base.String(), func(*Events) {}, false},
		{"spike=3, bump=0", func(e *Events) { e.Spikes, e.Bumps = 3, 0 }, false},
		{"masked_pair=7,restated_spike=2", func(e *Events) { e.MaskedPairs, e.RestatedSpikes = 7, 2 }, false},
		{"spikes=3", nil, true},
		{"spike=-1", nil, true},
		{"spike", nil, true},
	}
	for _, tc := range tests {
		got, err := ParseEvents(tc.in, base)
		if tc.err {
			if err == nil {
				t.Errorf("ParseEvents(%q) = %+v, want an error", tc.in, got)
			}
			continue
		}
		want := base
		tc.want(&want)
		if err != nil || got != want {
			t.Errorf("ParseEvents(%q) = %+v, %v; want %+v", tc.in, got, err, want)
		}
	}
}

// TestUnits checks that a figure in units prints back as itself through
// the double every format carries.
func TestUnits(t *testing.T) {
	for _, m := range []int64{1, -1, 123456789, maxUnits - 1, -(maxUnits - 1), 99999999999999, 100000000} {
		d, err := val(asFloat(m)).dec()
		if err != nil || !d.Equal(units(m)) {
			t.Errorf("%d units: through a double %s, %v; want %s", m, d, err, units(m))
		}
	}
	if got := units(123456789).String(); got != "1.23456789" {
		t.Errorf("units(123456789) = %s", got)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		m := r.Int64N(maxUnits) >> r.IntN(40)
		if d, _ := val(asFloat(m)).dec(); !d.Equal(units(m)) {
			t.Fatalf("%d units: through a double %s", m, d)
		}
	}
}
