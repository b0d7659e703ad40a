package main

import (
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/curpipe/curpipe/bench/anomaly/baseline"
	"github.com/curpipe/curpipe/transforms/anomaly"
)

// alert is one anomaly a method raised: a run of anomalous days of a
// series, known by the day it started.
type alert struct {
	key   anomaly.Key
	start anomaly.Day
	kind  string // the model's kind; empty for a baseline
	up    bool   // the series rose (for a baseline: above the expected cost)
	// resolved: a restatement later took the anomaly back (curpipe's
	// model only).
	resolved bool
}

// judge evaluates days of series as a deployment would: each day against
// the days before it, and again when a newer report version restates it.
type judge interface {
	// day judges day d of s and reports the alerts that opens and the
	// ones it resolves.
	day(s *anomaly.Series, d anomaly.Day, partial bool, opened, resolved func(alert))
}

// detector is a method under test.
type detector struct {
	name     string
	newJudge func() judge
	primary  bool // curpipe's own model: the targets apply to it
	gated    bool // a baseline behind curpipe's materiality bar
	pipeline bool // what a curpipe run stored, not a replay
}

// run replays every series of h day by day through d, the series spread
// over the machine's cores (series are independent: each is replayed in
// day order). partialLast marks the file's last day as the incomplete
// newest day of its delivery.
func (d detector) run(h *history, partialLast bool) []alert {
	work := make(chan *anomaly.Series)
	var mu sync.Mutex
	var all []alert
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			j := d.newJudge()
			var mine []alert
			for s := range work {
				for day := s.Start(); day <= h.last; day++ {
					j.day(s, day, partialLast && day == h.last, func(a alert) { mine = append(mine, a) }, func(alert) {})
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	for _, k := range h.keys {
		work <- h.series[k]
	}
	close(work)
	wg.Wait()
	return all
}

// modelJudge is curpipe's model: a Tracker's evaluations, grouped into
// anomalies; an alert is an anomaly's opening.
type modelJudge struct{ t *anomaly.Tracker }

func (m modelJudge) day(s *anomaly.Series, d anomaly.Day, partial bool, opened, resolved func(alert)) {
	_, changes := m.t.Evaluate(s, d, partial)
	for _, c := range changes {
		a := alert{key: s.Key, start: c.Anomaly.Start, kind: c.Anomaly.Kind.String(), up: c.Anomaly.Impact.Sign() > 0}
		switch c.Kind {
		case anomaly.Opened:
			opened(a)
		case anomaly.Resolved:
			resolved(a)
		}
	}
}

func modelDetector(cfg anomaly.Config) detector {
	return detector{name: "curpipe", primary: true, newJudge: func() judge { return modelJudge{anomaly.NewTracker(cfg)} }}
}

// baselineJudge flags each day with flag once window days of the payer's
// data precede it (days before a series' first cost are zero); an alert
// is a flagged day whose day before is not flagged. With gate, a day is
// flagged only when its deviation from expect is also material, max(50,
// 20% of the expected cost), as curpipe's must be.
type baselineJudge struct {
	window int
	flag   func(history []float64, x float64) bool
	expect func([]float64) float64
	gate   bool
	flags  map[anomaly.Key]map[anomaly.Day]bool
}

func (b *baselineJudge) day(s *anomaly.Series, d anomaly.Day, _ bool, opened, _ func(alert)) {
	f := b.flags[s.Key]
	if f == nil {
		f = map[anomaly.Day]bool{}
		b.flags[s.Key] = f
	}
	if int(d-s.Start()) < b.window {
		return
	}
	past := make([]float64, 0, b.window)
	for u := d - anomaly.Day(b.window); u < d; u++ {
		past = append(past, approxCost(s, u))
	}
	x, e := approxCost(s, d), b.expect(past)
	dev := math.Abs(x - e)
	f[d] = b.flag(past, x) && (!b.gate || dev >= 50 && dev >= 0.2*math.Abs(e))
	if f[d] && !f[d-1] {
		opened(alert{key: s.Key, start: d, up: x > e})
	}
}

func baselineDetector(name string, window int, flag func([]float64, float64) bool, expect func([]float64) float64, gate bool) detector {
	if gate {
		name += " + materiality"
	}
	return detector{name: name, gated: gate, newJudge: func() judge {
		return &baselineJudge{window: window, flag: flag, expect: expect, gate: gate, flags: map[anomaly.Key]map[anomaly.Day]bool{}}
	}}
}

// detectors returns curpipe's model and the baselines, each baseline
// once as specified and once behind curpipe's materiality bar.
func detectors(cfg anomaly.Config) []detector {
	m, e := baseline.DefaultMADZ(), baseline.DefaultSHESD()
	out := []detector{modelDetector(cfg)}
	for _, gate := range []bool{false, true} {
		out = append(out,
			baselineDetector("median/MAD z (28 d, |z|>3.5)", m.Window, m.Anomalous, m.Expected, gate),
			baselineDetector("S-H-ESD (period 7, 28 d)", e.Window, e.Anomalous, e.Expected, gate))
	}
	return out
}

// approxCost returns day d's cost of s as a float64, for the baselines.
func approxCost(s *anomaly.Series, d anomaly.Day) float64 {
	f, _ := strconv.ParseFloat(s.Cost(d).String(), 64)
	return f
}

// distinct returns alerts without repeats of a series and start day, the
// first of each kept (marked resolved if any repeat was).
func distinct(alerts []alert) []alert {
	type id struct {
		k anomaly.Key
		d anomaly.Day
	}
	seen := map[id]int{}
	var out []alert
	for _, a := range alerts {
		if i, ok := seen[id{a.key, a.start}]; ok {
			out[i].resolved = out[i].resolved || a.resolved
			continue
		}
		seen[id{a.key, a.start}] = len(out)
		out = append(out, a)
	}
	return slices.Clip(out)
}
