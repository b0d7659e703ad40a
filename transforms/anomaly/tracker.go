package anomaly

import (
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Anomaly is a run of anomalous days of one series: it opens on an
// Anomalous day and goes on through the following days that are
// Anomalous or Elevated the same way, across at most Config.Gap days in a
// row that are not. Its figures are the sums over its anomalous days.
type Anomaly struct {
	Key      Key
	Kind     Kind
	Start    Day             // its first day: since when
	End      Day             // its last day so far
	Expected decimal.Decimal // the expected cost of its days
	Actual   decimal.Decimal // their actual cost
	Impact   decimal.Decimal // Actual - Expected
	// ImpactPercent is 100 × Impact / |Expected|, rounded to two places
	// (halves away from zero); nil when Expected is zero.
	ImpactPercent *decimal.Decimal
	MaxImpact     decimal.Decimal // the impact of its day furthest from expected
	Score         float64         // the largest |Score| of its days
}

// Days returns how many days a spans.
func (a Anomaly) Days() int { return int(a.End-a.Start) + 1 }

// ChangeKind says what happened to an anomaly.
type ChangeKind int

// The kinds of Change.
const (
	// Opened: a new anomaly, to be told.
	Opened ChangeKind = iota
	// Grew: its total impact grew materially since it was last told (it
	// at least doubled, by at least Config.MinImpact): to be told again.
	Grew
	// Updated: its days or figures changed, not materially: to be stored.
	Updated
	// Resolved: a restatement removed it (its first day is no longer
	// anomalous, or it joined the anomaly before it): to be told, as the
	// end of a false alarm.
	Resolved
)

func (k ChangeKind) String() string {
	if k < Opened || k > Resolved {
		return "ChangeKind(" + strconv.Itoa(int(k)) + ")"
	}
	return [...]string{"opened", "grew", "updated", "resolved"}[k]
}

// Change is a change to one anomaly. For Resolved, Anomaly is as it was
// last.
type Change struct {
	Kind    ChangeKind
	Anomaly Anomaly
}

// Tracker evaluates the days of series and groups them into anomalies,
// one per run of anomalous days of a series, and says what changed as
// days are evaluated, or evaluated again after a newer report version
// restated them. It remembers the days that are Anomalous or Elevated
// and, for each anomaly, the impact last told: the evaluation of a day
// leaves the days of earlier short anomalies out of its expectation and
// starts it at the latest accepted one (see Config.Accept).
//
// A Tracker is not safe for concurrent use; series are independent, so
// several Trackers may share the series between them.
type Tracker struct {
	cfg    Config
	series map[Key]*track
}

type track struct {
	days map[Day]Evaluation // the days that are Anomalous or Elevated
	told map[Day]decimal.Decimal
}

// NewTracker returns a Tracker evaluating with c.
func NewTracker(c Config) *Tracker { return &Tracker{cfg: c, series: map[Key]*track{}} }

// Evaluate judges day d of s against the days before it, never after,
// so that replaying a history day by day gives what a live deployment
// would have said on each day, records the evaluation (replacing any
// earlier one of d) and returns it with the changes it made to s's
// anomalies. partial says that d is the newest day of its delivery and
// so incomplete: a low partial day is no anomaly (it is Pending), one
// already above the expected full day is. Days are evaluated in order;
// after a restatement, evaluate each restated day again, in order.
func (t *Tracker) Evaluate(s *Series, d Day, partial bool) (Evaluation, []Change) {
	e := t.cfg.evaluate(s, d, partial, t.past(s.Key, d))
	return e, t.Record(e)
}

// past returns what the anomalies of k before day d say of its history.
func (t *Tracker) past(k Key, d Day) past {
	tr := t.series[k]
	if tr == nil {
		return past{}
	}
	var p past
	for _, a := range runs(tr.days, d, t.cfg.Gap) {
		if a.Days() >= t.cfg.Accept {
			if !p.hasRegime || a.Start > p.regime {
				p.regime, p.hasRegime = a.Start, true
			}
			continue
		}
		if p.skip == nil {
			p.skip = map[Day]bool{}
		}
		for u := a.Start; u <= a.End; u++ {
			p.skip[u] = true
		}
	}
	return p
}

// Record takes an evaluation of a day, replacing any earlier one of the
// same day and series, and returns the changes it makes to that series'
// anomalies, ordered by their start. Evaluate records what it returns;
// Record restores evaluations kept from an earlier run.
func (t *Tracker) Record(e Evaluation) []Change {
	flagged := e.Status == Anomalous || e.Status == Elevated
	tr := t.series[e.Key]
	if tr == nil {
		if !flagged {
			return nil
		}
		tr = &track{days: map[Day]Evaluation{}, told: map[Day]decimal.Decimal{}}
		t.series[e.Key] = tr
	}
	if _, was := tr.days[e.Day]; !was && !flagged {
		return nil
	}
	before := runs(tr.days, noEnd, t.cfg.Gap)
	if flagged {
		tr.days[e.Day] = e
	} else {
		delete(tr.days, e.Day)
	}
	after := runs(tr.days, noEnd, t.cfg.Gap)
	var out []Change
	for start, a := range after {
		told, ok := tr.told[start]
		switch {
		case !ok:
			out = append(out, Change{Opened, a})
			tr.told[start] = a.Impact
		case t.grew(told, a.Impact):
			out = append(out, Change{Grew, a})
			tr.told[start] = a.Impact
		case !same(before[start], a):
			out = append(out, Change{Updated, a})
		}
	}
	for start, a := range before {
		if _, ok := after[start]; !ok {
			out = append(out, Change{Resolved, a})
			delete(tr.told, start)
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return int(a.Anomaly.Start - b.Anomaly.Start) })
	return out
}

// Anomalies returns k's anomalies, by their start.
func (t *Tracker) Anomalies(k Key) []Anomaly {
	tr := t.series[k]
	if tr == nil {
		return nil
	}
	r := runs(tr.days, noEnd, t.cfg.Gap)
	out := make([]Anomaly, 0, len(r))
	for _, start := range slices.Sorted(maps.Keys(r)) {
		out = append(out, r[start])
	}
	return out
}

// grew reports whether an impact grew materially from the one last told:
// the same way, to at least twice as much, by at least MinImpact.
func (t *Tracker) grew(told, now decimal.Decimal) bool {
	if told.Sign() != now.Sign() {
		return false
	}
	if told.Sign() < 0 {
		told, now = told.Neg(), now.Neg()
	}
	return now.Cmp(told.Add(told)) >= 0 && now.Sub(told).Cmp(t.cfg.MinImpact) >= 0
}

// noEnd is a day after every day.
const noEnd = Day(math.MaxInt32)

// runs groups the flagged days before end into anomalies, keyed by their
// first day: each opens on an Anomalous day and goes on through the
// flagged days deviating the same way that follow it with at most gap
// other days between them.
func runs(days map[Day]Evaluation, end Day, gap int) map[Day]Anomaly {
	out := map[Day]Anomaly{}
	var cur *Anomaly
	var sign int
	for _, d := range slices.Sorted(maps.Keys(days)) {
		if d >= end {
			break
		}
		e := days[d]
		s := e.Impact.Sign()
		if cur != nil && s == sign && int(d-cur.End) <= gap+1 {
			cur.add(e)
			continue
		}
		if cur != nil {
			out[cur.Start] = cur.finish()
			cur = nil
		}
		if e.Status == Anomalous {
			cur = &Anomaly{Key: e.Key, Kind: e.Kind, Start: d, End: d - 1}
			sign = s
			cur.add(e)
		}
	}
	if cur != nil {
		out[cur.Start] = cur.finish()
	}
	return out
}

func (a *Anomaly) add(e Evaluation) {
	a.End = e.Day
	a.Expected = a.Expected.Add(e.Expected)
	a.Actual = a.Actual.Add(e.Actual)
	a.Impact = a.Impact.Add(e.Impact)
	if abs(e.Impact).Cmp(abs(a.MaxImpact)) > 0 {
		a.MaxImpact = e.Impact
	}
	a.Score = max(a.Score, abs64(e.Score))
}

func (a *Anomaly) finish() Anomaly {
	if a.Kind == Spike && a.Days() >= 3 {
		a.Kind = Shift
	}
	if p, ok := percentOf(a.Impact, a.Expected); ok {
		a.ImpactPercent = &p
	}
	return *a
}

// same reports whether a and b hold the same days and figures.
func same(a, b Anomaly) bool {
	return a.Start == b.Start && a.End == b.End && a.Kind == b.Kind && a.Impact.Equal(b.Impact) &&
		a.Expected.Equal(b.Expected) && a.Score == b.Score
}

func abs(d decimal.Decimal) decimal.Decimal {
	if d.Sign() < 0 {
		return d.Neg()
	}
	return d
}

func abs64(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
