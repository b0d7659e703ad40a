package anomaly

import (
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
)

func TestEvaluate(t *testing.T) {
	steady := usage{base: 1000, weekend: 1000, noise: 3, seed: 1}
	weekly := usage{base: 1000, weekend: 400, noise: 3, seed: 2}
	fees := usage{base: 1000, weekend: 700, fee: 5000, noise: 3, seed: 3}
	at := func(day string, v float64) func(Day, float64) (float64, bool) {
		d := MustParseDay(day)
		return func(x Day, _ float64) (float64, bool) { return v, x == d }
	}
	tests := []struct {
		name    string
		u       usage
		days    int
		edit    func(Day, float64) (float64, bool)
		day     string
		partial bool
		status  Status
		kind    Kind
	}{
		{name: "an ordinary day", u: steady, days: 80, day: "2024-03-14", status: Normal},
		{name: "a month-start fee day raises nothing", u: fees, days: 92, day: "2024-04-01", status: Normal},
		{name: "a month start opens nothing, even at three times its fees", u: fees, days: 92, edit: at("2024-04-01", 16000), day: "2024-04-01", status: Elevated},
		{name: "the first month start seen raises nothing", u: fees, days: 32, day: "2024-02-01", status: Normal},
		{name: "a Saturday dip raises nothing", u: weekly, days: 80, day: "2024-03-16", status: Normal},
		{name: "a Sunday dip raises nothing", u: weekly, days: 80, day: "2024-03-17", status: Normal},
		{name: "a weekend-sized Tuesday is low", u: weekly, days: 80, edit: at("2024-03-19", 400), day: "2024-03-19", status: Anomalous},
		{name: "a weekday-sized Sunday is high", u: weekly, days: 80, edit: at("2024-03-17", 1000), day: "2024-03-17", status: Anomalous},
		{name: "a spike", u: steady, days: 80, edit: at("2024-03-14", 1600), day: "2024-03-14", status: Anomalous, kind: Spike},
		{name: "a 10% rise is not material", u: steady, days: 80, edit: at("2024-03-14", 1100), day: "2024-03-14", status: Normal},
		{name: "a low partial day raises nothing", u: steady, days: 80, edit: at("2024-03-14", 300), day: "2024-03-14", partial: true, status: Pending},
		{name: "a partial day above the full day raises", u: steady, days: 80, edit: at("2024-03-14", 2500), day: "2024-03-14", partial: true, status: Anomalous},
		{name: "a week of spend is learning", u: steady, days: 3, day: "2024-01-03", status: Learning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := build(t, ec2, jan1, tt.days, tt.u, tt.edit)
			e := replay(s, MustParseDay(tt.day), tt.partial)
			raised := e.Status == Anomalous
			if raised != (tt.status == Anomalous) || (tt.status == Pending || tt.status == Learning) && e.Status != tt.status ||
				raised && e.Kind != tt.kind {
				t.Errorf("%v: status %v kind %v (expected %v, actual %v, score %.1f), want %v %v",
					tt.day, e.Status, e.Kind, e.Expected, e.Actual, e.Score, tt.status, tt.kind)
			}
			if !e.Impact.Equal(e.Actual.Sub(e.Expected)) {
				t.Errorf("impact %v is not actual %v - expected %v", e.Impact, e.Actual, e.Expected)
			}
		})
	}
}

// A new service spending 500 a day raises on its first day, when its
// payer's data is older than a week.
func TestEvaluateNew(t *testing.T) {
	first := MustParseDay("2024-02-20")
	s := NewSeries(rds, jan1)
	for d := first; d < first+5; d++ {
		if err := s.Set(d, decimal.MustParse("500")); err != nil {
			t.Fatal(err)
		}
	}
	e := replay(s, first, true)
	if e.Status != Anomalous || e.Kind != New || !e.Expected.IsZero() || !e.Impact.Equal(decimal.MustParse("500")) {
		t.Fatalf("first day: %+v, want a new anomaly of impact 500", e)
	}
	if e := replay(s, first+1, false); e.Status == Anomalous {
		t.Errorf("second day: %+v, want no new anomaly", e)
	}
	small := NewSeries(rds, jan1)
	if err := small.Set(first, decimal.MustParse("49.99")); err != nil {
		t.Fatal(err)
	}
	if e := replay(small, first, false); e.Status != Normal {
		t.Errorf("a new service of 49.99: %v, want normal", e.Status)
	}
	young := NewSeries(rds, first-3)
	if err := young.Set(first, decimal.MustParse("500")); err != nil {
		t.Fatal(err)
	}
	if e := replay(young, first, false); e.Status != Learning {
		t.Errorf("a service in the payer's first days: %v, want learning", e.Status)
	}
}

// A series moving from one service to another: both halves raise, the
// payer's total, which does not move, does not.
func TestEvaluateMaskedPair(t *testing.T) {
	move := MustParseDay("2024-03-14")
	up := build(t, ec2, jan1, 80, usage{base: 1000, weekend: 1000, noise: 2, seed: 4}, nil)
	down := build(t, rds, jan1, 80, usage{base: 1000, weekend: 1000, noise: 2, seed: 5}, nil)
	total := NewSeries(PayerTotal(ec2.Payer), jan1)
	for d := jan1; d < up.End(); d++ {
		if d >= move {
			shifted := decimal.MustParse("600")
			if err := up.Set(d, up.Cost(d).Add(shifted)); err != nil {
				t.Fatal(err)
			}
			if err := down.Set(d, down.Cost(d).Sub(shifted)); err != nil {
				t.Fatal(err)
			}
		}
		if err := total.Set(d, up.Cost(d).Add(down.Cost(d))); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		s    *Series
		want Status
		sign int
	}{{up, Anomalous, 1}, {down, Anomalous, -1}, {total, Normal, 0}} {
		e := replay(tt.s, move, false)
		if e.Status != tt.want || (tt.sign != 0 && e.Impact.Sign() != tt.sign) {
			t.Errorf("%v: %v, impact %v, want %v", tt.s.Key, e.Status, e.Impact, tt.want)
		}
	}
}

// Evaluate reads no day after the one it judges: changing every later
// day changes nothing of its evaluation.
func TestEvaluateNoLookAhead(t *testing.T) {
	u := usage{base: 1000, weekend: 600, fee: 300, noise: 5, seed: 6}
	orig := build(t, ec2, jan1, 100, u, nil)
	for d := MustParseDay("2024-02-20"); d < MustParseDay("2024-03-20"); d++ {
		want := replay(orig, d, false)
		changed := build(t, ec2, jan1, 100, u, func(x Day, v float64) (float64, bool) { return 99999, x > d })
		if got := replay(changed, d, false); !equalEvaluations(got, want) {
			t.Fatalf("%v: changing the days after it changed its evaluation from %+v to %+v", d, want, got)
		}
	}
}

func equalEvaluations(a, b Evaluation) bool {
	return a.Key == b.Key && a.Day == b.Day && a.Actual.Equal(b.Actual) && a.Expected.Equal(b.Expected) &&
		a.Impact.Equal(b.Impact) && a.Score == b.Score && a.Status == b.Status && a.Kind == b.Kind && a.Partial == b.Partial
}

// replay evaluates every day of s up to d with a new Tracker and returns
// d's evaluation.
func replay(s *Series, d Day, partial bool) Evaluation {
	tr := NewTracker(DefaultConfig())
	for u := s.Start(); u < d; u++ {
		tr.Evaluate(s, u, false)
	}
	e, _ := tr.Evaluate(s, d, partial)
	return e
}
