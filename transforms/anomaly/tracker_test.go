package anomaly

import (
	"fmt"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// ev returns an evaluation of ec2 on day i of 2024-03 with the given
// expected and actual costs.
func ev(i int, status Status, expected, actual string) Evaluation {
	x, a := decimal.MustParse(expected), decimal.MustParse(actual)
	return Evaluation{Key: ec2, Day: MustParseDay("2024-03-01") + Day(i-1), Expected: x, Actual: a, Impact: a.Sub(x), Status: status}
}

// changes renders changes as "kind start..end impact percent".
func changes(cs []Change) string {
	var b []string
	for _, c := range cs {
		a := c.Anomaly
		p := "-"
		if a.ImpactPercent != nil {
			p = a.ImpactPercent.String() + "%"
		}
		b = append(b, fmt.Sprintf("%s %s %s..%s %s %s", c.Kind, a.Kind, a.Start, a.End, a.Impact, p))
	}
	return strings.Join(b, "; ")
}

func TestTracker(t *testing.T) {
	type step struct {
		e    Evaluation
		want string
	}
	tests := []struct {
		name  string
		steps []step
		final string // the series' anomalies at the end, as Opened changes
	}{
		{"consecutive anomalous days are one anomaly, a shift from its third", []step{
			{ev(10, Anomalous, "1000", "1600"), "opened spike 2024-03-10..2024-03-10 600 60%"},
			{ev(11, Anomalous, "1000", "1500"), "updated spike 2024-03-10..2024-03-11 1100 55%"},
			{ev(12, Elevated, "1000", "1300"), "grew shift 2024-03-10..2024-03-12 1400 46.67%"},
			{ev(13, Normal, "1000", "1010"), ""},
		}, "opened shift 2024-03-10..2024-03-12 1400 46.67%"},
		{"an elevated day opens nothing", []step{
			{ev(10, Elevated, "1000", "1300"), ""},
			{ev(11, Anomalous, "1000", "1700"), "opened spike 2024-03-11..2024-03-11 700 70%"},
		}, "opened spike 2024-03-11..2024-03-11 700 70%"},
		{"a change of direction is another anomaly", []step{
			{ev(10, Anomalous, "1000", "1600"), "opened spike 2024-03-10..2024-03-10 600 60%"},
			{ev(11, Anomalous, "1000", "300"), "opened spike 2024-03-11..2024-03-11 -700 -70%"},
		}, "opened spike 2024-03-10..2024-03-10 600 60%; opened spike 2024-03-11..2024-03-11 -700 -70%"},
		{"growth is material when the impact doubles by at least 50", []step{
			{ev(10, Anomalous, "100", "130"), "opened spike 2024-03-10..2024-03-10 30 30%"},
			{ev(11, Anomalous, "100", "140"), "updated spike 2024-03-10..2024-03-11 70 35%"},
			{ev(12, Anomalous, "100", "140"), "grew shift 2024-03-10..2024-03-12 110 36.67%"},
		}, "opened shift 2024-03-10..2024-03-12 110 36.67%"},
		{"no percentage when nothing was expected", []step{
			{ev(10, Anomalous, "0", "500"), "opened spike 2024-03-10..2024-03-10 500 -"},
		}, "opened spike 2024-03-10..2024-03-10 500 -"},
		{"a restatement that removes the first day resolves the anomaly", []step{
			{ev(10, Anomalous, "1000", "1600"), "opened spike 2024-03-10..2024-03-10 600 60%"},
			{ev(11, Anomalous, "1000", "1600"), "grew spike 2024-03-10..2024-03-11 1200 60%"},
			{ev(10, Normal, "1000", "1000"), "resolved spike 2024-03-10..2024-03-11 1200 60%; opened spike 2024-03-11..2024-03-11 600 60%"},
			{ev(11, Normal, "1000", "1000"), "resolved spike 2024-03-11..2024-03-11 600 60%"},
		}, ""},
		{"an anomaly goes on across three quiet days", []step{
			{ev(10, Anomalous, "1000", "1600"), "opened spike 2024-03-10..2024-03-10 600 60%"},
			{ev(11, Normal, "1000", "1000"), ""},
			{ev(12, Normal, "1000", "1000"), ""},
			{ev(13, Normal, "1000", "1000"), ""},
			{ev(14, Elevated, "1000", "1300"), "updated shift 2024-03-10..2024-03-14 900 45%"},
		}, "opened shift 2024-03-10..2024-03-14 900 45%"},
		{"not across four", []step{
			{ev(10, Anomalous, "1000", "1600"), "opened spike 2024-03-10..2024-03-10 600 60%"},
			{ev(15, Elevated, "1000", "1300"), ""},
			{ev(16, Anomalous, "1000", "1600"), "opened spike 2024-03-16..2024-03-16 600 60%"},
		}, "opened spike 2024-03-10..2024-03-10 600 60%; opened spike 2024-03-16..2024-03-16 600 60%"},
		{"a restatement that joins two anomalies", []step{
			{ev(10, Anomalous, "1000", "1600"), "opened spike 2024-03-10..2024-03-10 600 60%"},
			{ev(15, Anomalous, "1000", "1600"), "opened spike 2024-03-15..2024-03-15 600 60%"},
			{ev(12, Elevated, "1000", "1400"), "grew shift 2024-03-10..2024-03-15 1600 53.33%; resolved spike 2024-03-15..2024-03-15 600 60%"},
		}, "opened shift 2024-03-10..2024-03-15 1600 53.33%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(DefaultConfig())
			for i, s := range tt.steps {
				if got := changes(tr.Record(s.e)); got != s.want {
					t.Errorf("step %d (%v %v): changes\n%s\nwant\n%s", i, s.e.Day, s.e.Status, got, s.want)
				}
			}
			var all []Change
			for _, a := range tr.Anomalies(ec2) {
				all = append(all, Change{Opened, a})
			}
			if got := changes(all); got != tt.final {
				t.Errorf("anomalies %s, want %s", got, tt.final)
			}
		})
	}
}

// A spike raised on a delivery's figures, then restated away by a newer
// report version, is resolved when the day is evaluated again.
func TestRestatementResolves(t *testing.T) {
	tr := NewTracker(DefaultConfig())
	s := build(t, ec2, jan1, 80, usage{base: 1000, weekend: 1000, noise: 3, seed: 8}, nil)
	day := MustParseDay("2024-03-14")
	normal := s.Cost(day)
	if err := s.Set(day, decimal.MustParse("4000")); err != nil {
		t.Fatal(err)
	}
	_, got := tr.Evaluate(s, day, false)
	if len(got) != 1 || got[0].Kind != Opened {
		t.Fatalf("the spike: %s, want it opened", changes(got))
	}
	if err := s.Set(day, normal); err != nil { // the newer version
		t.Fatal(err)
	}
	_, got = tr.Evaluate(s, day, false)
	if len(got) != 1 || got[0].Kind != Resolved || got[0].Anomaly.Start != day {
		t.Fatalf("the restated day: %s, want the spike resolved", changes(got))
	}
	if a := tr.Anomalies(ec2); len(a) != 0 {
		t.Errorf("anomalies left: %+v", a)
	}
}
