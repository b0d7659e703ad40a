package main

import (
	"testing"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
)

func TestScoreAlerts(t *testing.T) {
	day := func(n int) anomaly.Day { return anomaly.MustParseDay("2024-03-01") + anomaly.Day(n) }
	key := func(acct, svc string) anomaly.Key { return anomaly.Key{Payer: "p", Account: acct, Service: svc} }
	spiky, up, down, clean, small, quiet := key("a", "spiky"), key("a", "up"), key("a", "down"), key("b", "clean"), key("b", "small"), key("c", "quiet")
	var cells []cell
	for i := range 30 {
		for _, k := range []anomaly.Key{spiky, up, down, clean, small} {
			cells = append(cells, cell{day(i), k, decimal.MustParse("100")})
		}
		if i >= 10 {
			cells = append(cells, cell{day(i), quiet, decimal.MustParse("100")}) // 20 days from its first cost
		}
	}
	h, err := newHistory(cells)
	if err != nil {
		t.Fatal(err)
	}
	lb := func(kind string, k anomaly.Key, start, end int, expected, impact, group string) *label {
		l := &label{kind: kind, key: k, start: day(start), end: day(end), expected: decimal.MustParse(expected), impact: decimal.MustParse(impact), group: group}
		l.material = material(l.impact, l.expected)
		return l
	}
	labels := []*label{
		lb("spike", spiky, 5, 5, "100", "400", ""),
		lb("masked_pair", up, 12, 15, "100", "80", "pair-1"),
		lb("masked_pair", down, 12, 15, "100", "-80", "pair-1"),
		lb("spike", small, 20, 20, "100", "10", ""), // small: |10| < max(50, 20)
		lb("restated_spike", spiky, 25, 25, "100", "500", "v1"),
	}
	alerts := []alert{
		{key: spiky, start: day(6)},                    // true: within [start, end+1]
		{key: spiky, start: day(9)},                    // false, on a labelled series
		{key: up, start: day(12)},                      // true
		{key: down, start: day(16)},                    // true (end+1)
		{key: clean, start: day(3)},                    // false, on a clean series
		{key: small, start: day(20)},                   // neutral
		{key: anomaly.PayerTotal("p"), start: day(5)},  // true: the spike overlaps
		{key: anomaly.PayerTotal("p"), start: day(13)}, // false: only a masked pair overlaps
		{key: spiky, start: day(25), resolved: true},   // false now; true and finding it among deliveries
	}
	s := scoreAlerts(h, labels, detector{name: "test"}, alerts, false)
	if s.truePos != 4 || s.falsePos != 4 || s.neutral != 1 || s.cleanFalse != 1 {
		t.Errorf("true %d false %d neutral %d clean false %d, want 4 4 1 1", s.truePos, s.falsePos, s.neutral, s.cleanFalse)
	}
	if s.material != 3 || s.found != 3 || s.pairs != 1 || s.pairsFound != 1 || s.restated != 0 {
		t.Errorf("material %d found %d pairs %d/%d restated %d, want 3 3 1/1 0", s.material, s.found, s.pairsFound, s.pairs, s.restated)
	}
	// Clean series: clean (30 days), quiet (20 days from its first cost).
	if s.cleanDays != 50 {
		t.Errorf("clean days %d, want 50", s.cleanDays)
	}
	if got, want := s.falsePer30(), 1*900/50.0; got != want {
		t.Errorf("false per 30 clean series-months %v, want %v", got, want)
	}
	d := scoreAlerts(h, labels, detector{name: "test"}, alerts, true)
	if d.truePos != 5 || d.falsePos != 3 || d.material != 4 || d.found != 4 || d.restated != 1 || d.retired != 1 {
		t.Errorf("deliveries: true %d false %d material %d found %d restated %d/%d, want 5 3 4 4 1/1",
			d.truePos, d.falsePos, d.material, d.found, d.retired, d.restated)
	}
	alerts[len(alerts)-1].resolved = false
	if d := scoreAlerts(h, labels, detector{name: "test"}, alerts, true); d.retired != 0 || d.found != 3 {
		t.Errorf("an unresolved alert on a restated spike: found %d, resolved %d, want 3 and 0", d.found, d.retired)
	}
}
