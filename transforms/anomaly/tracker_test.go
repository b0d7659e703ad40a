package anomaly

import (
	"fmt"
	"strconv"
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

// Whatever order days are evaluated and evaluated again in, the changes a
// Tracker returns add up to the anomalies it holds (opened and not
// resolved since), each opening on an anomalous day, with Impact =
// Actual - Expected; and evaluating every day again as normal resolves
// them all.
func FuzzTracker(f *testing.F) {
	f.Add([]byte{10, 1, 9, 11, 2, 9, 12, 0, 5, 10, 0, 5})
	f.Add([]byte{3, 1, 200, 4, 1, 20, 6, 2, 150, 5, 2, 40, 4, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		tr := NewTracker(DefaultConfig())
		held := map[Day]bool{}
		seen := map[Day]bool{}
		apply := func(cs []Change) {
			for _, c := range cs {
				switch c.Kind {
				case Opened:
					if held[c.Anomaly.Start] {
						t.Fatalf("opened %s twice", c.Anomaly.Start)
					}
					held[c.Anomaly.Start] = true
				case Resolved:
					if !held[c.Anomaly.Start] {
						t.Fatalf("resolved %s, never opened", c.Anomaly.Start)
					}
					delete(held, c.Anomaly.Start)
				default:
					if !held[c.Anomaly.Start] {
						t.Fatalf("%s %s, never opened", c.Kind, c.Anomaly.Start)
					}
				}
			}
		}
		for ; len(b) >= 3; b = b[3:] {
			day, status, size := int(b[0]%28)+1, Status(b[1]%3), int(b[2])-128
			actual := strconv.Itoa(1000 + 10*size)
			if status == Normal {
				actual = "1000"
			}
			e := ev(day, status, "1000", actual)
			seen[e.Day] = true
			apply(tr.Record(e))
		}
		as := tr.Anomalies(ec2)
		if len(as) != len(held) {
			t.Fatalf("%d anomalies held, changes say %d", len(as), len(held))
		}
		for _, a := range as {
			if !held[a.Start] || !a.Impact.Equal(a.Actual.Sub(a.Expected)) || a.End < a.Start {
				t.Fatalf("anomaly %+v", a)
			}
		}
		for d := range seen {
			apply(tr.Record(Evaluation{Key: ec2, Day: d}))
		}
		if len(held) != 0 || len(tr.Anomalies(ec2)) != 0 {
			t.Fatalf("after every day is normal again: %d held, %d anomalies", len(held), len(tr.Anomalies(ec2)))
		}
	})
}
