package main

import (
	"maps"
	"slices"

	"github.com/curpipe/curpipe/transforms/anomaly"
)

// score is one method's result against the labels.
type score struct {
	method  string
	primary bool
	gated   bool // a baseline behind curpipe's materiality bar: shown, not a target
	// pipeline: the anomalies a curpipe run stored, held to the targets
	// as the model's replay is.
	pipeline bool
	// deliveries: the replay of the report versions as delivered, where a
	// restated spike is in the data until a newer version takes it back:
	// it is found when an alert on it opens and is then resolved.
	deliveries        bool
	restated, retired int // restated spikes, and those raised and then resolved

	alerts   int // every alert raised
	truePos  int // alerts matching a material event
	falsePos int // alerts matching no event
	neutral  int // alerts matching only small events: neither true nor false

	material, found int // material events, and those found

	pairs, pairsFound int // masked pairs (both halves material), and those with both halves found

	cleanFalse int // false alerts on series with no label
	cleanDays  int // days of series with no label, from their first cost on

	kinds map[string]*[2]int // per label kind: found, material
}

func (s *score) recall() float64    { return ratio(s.found, s.material) }
func (s *score) precision() float64 { return ratio(s.truePos, s.truePos+s.falsePos) }
func (s *score) pairRecall() float64 {
	return ratio(s.pairsFound, s.pairs)
}

// f1 is the harmonic mean of recall and precision.
func (s *score) f1() float64 {
	r, p := s.recall(), s.precision()
	if r+p == 0 {
		return 0
	}
	return 2 * r * p / (r + p)
}

// falsePer30 is the false alerts on clean series per 30 series × 30 days.
func (s *score) falsePer30() float64 {
	if s.cleanDays == 0 {
		return 0
	}
	return float64(s.cleanFalse) * 900 / float64(s.cleanDays)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// scoreAlerts scores alerts against labels.
//
// An alert on a series is true when it starts within [start, end+1] of a
// material event covering the series, neutral when it does so only for
// small events, and false otherwise. An alert on a payer's total is true
// when it starts within [start, end+1] of a material event of that payer
// other than a masked pair (whose halves cancel in the total, so the
// total must not move), neutral when only small ones qualify, and false
// otherwise. An event is found when an alert on a series it covers is
// true for it; alerts on payer totals find nothing. A restated spike is
// not in the current totals: it counts only in the replay of deliveries,
// where it is found when an alert on it opens and is later resolved.
func scoreAlerts(h *history, labels []*label, d detector, alerts []alert, deliveries bool) *score {
	s := &score{method: d.name, primary: d.primary, gated: d.gated, pipeline: d.pipeline, deliveries: deliveries, alerts: len(alerts), kinds: map[string]*[2]int{}}
	inData := func(l *label) bool { return deliveries || l.current() }
	found := map[*label]bool{}
	byPayer := map[string][]*label{}
	for _, l := range labels {
		if inData(l) {
			byPayer[l.key.Payer] = append(byPayer[l.key.Payer], l)
		}
	}
	labelled := map[anomaly.Key]bool{}
	for _, k := range h.keys {
		for _, l := range byPayer[k.Payer] {
			if l.covers(k) {
				labelled[k] = true
			}
		}
	}
	for _, a := range alerts {
		var hitMaterial, hitSmall bool
		for _, l := range byPayer[a.key.Payer] {
			if !l.matches(a.start) {
				continue
			}
			covered := l.covers(a.key) || a.key.IsPayerTotal() && l.kind != "masked_pair"
			if !covered {
				continue
			}
			if l.material {
				hitMaterial = true
				if !a.key.IsPayerTotal() && (l.current() || a.resolved) {
					found[l] = true
				}
			} else {
				hitSmall = true
			}
		}
		switch {
		case hitMaterial:
			s.truePos++
		case hitSmall:
			s.neutral++
		default:
			s.falsePos++
			if !a.key.IsPayerTotal() && !labelled[a.key] {
				s.cleanFalse++
			}
		}
	}
	groups := map[string][]*label{}
	for _, l := range labels {
		if !l.material || !inData(l) {
			continue
		}
		if !l.current() {
			s.restated++
			if found[l] {
				s.retired++
			}
		}
		s.material++
		k := s.kinds[l.kind]
		if k == nil {
			k = new([2]int)
			s.kinds[l.kind] = k
		}
		k[1]++
		if found[l] {
			s.found++
			k[0]++
		}
		if l.kind == "masked_pair" {
			groups[l.group] = append(groups[l.group], l)
		}
	}
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		halves := groups[g]
		if len(halves) < 2 {
			continue
		}
		s.pairs++
		if !slices.ContainsFunc(halves, func(l *label) bool { return !found[l] }) {
			s.pairsFound++
		}
	}
	for _, k := range h.keys {
		if k.IsPayerTotal() || labelled[k] {
			continue
		}
		ser := h.series[k]
		for d := ser.Start(); d <= h.last; d++ {
			if !ser.Cost(d).IsZero() {
				s.cleanDays += int(h.last-d) + 1
				break
			}
		}
	}
	return s
}
