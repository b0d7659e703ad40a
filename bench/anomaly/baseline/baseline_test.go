package baseline

import (
	"math"
	"testing"
)

// weekly returns days of a weekly pattern: 100 on five days, 40 on two,
// each moved by a fixed wobble of up to 3%.
func weekly(days int) []float64 {
	xs := make([]float64, days)
	for i := range xs {
		v := 100.0
		if i%7 >= 5 {
			v = 40
		}
		xs[i] = v * (1 + 0.03*math.Sin(float64(i)*1.7))
	}
	return xs
}

func TestMADZ(t *testing.T) {
	m := DefaultMADZ()
	flat := make([]float64, 30)
	for i := range flat {
		flat[i] = 100 * (1 + 0.03*math.Sin(float64(i)*1.7))
	}
	week := weekly(35)
	for _, tt := range []struct {
		name    string
		history []float64
		x       float64
		want    bool
	}{
		{"an ordinary day", flat, 101, false},
		{"a spike", flat, 150, true},
		{"a drop", flat, 60, true},
		{"a weekend dip it does not know", week[:33], week[33] * 0.4, true},
		{"a constant series, the same", make([]float64, 28), 0, false},
		{"a constant series, anything else", make([]float64, 28), 0.01, true},
	} {
		if got := m.Anomalous(tt.history, tt.x); got != tt.want {
			t.Errorf("%s: anomalous %v (z %.2f), want %v", tt.name, got, m.Score(tt.history, tt.x), tt.want)
		}
	}
}

func TestSHESD(t *testing.T) {
	h := DefaultSHESD()
	week := weekly(40)
	for _, tt := range []struct {
		name    string
		history []float64
		x       float64
		want    bool
	}{
		{"a weekday", week[:30], week[30], false},
		{"a weekend day, seasonal", week[:33], week[33], false},
		{"a weekday spike", week[:30], 160, true},
		{"a weekend day at a weekday's cost", week[:33], 100, true},
		{"a constant series: the MAD is zero, the test stops", make([]float64, 28), 50, false},
	} {
		if got := h.Anomalous(tt.history, tt.x); got != tt.want {
			t.Errorf("%s: anomalous %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The critical values of NIST's worked example of the generalized ESD
// test (Engineering Statistics Handbook 1.3.5.17.3: 54 points, alpha
// 0.05).
func TestLambda(t *testing.T) {
	for i, want := range []float64{3.159, 3.151, 3.144, 3.136, 3.128, 3.120, 3.112, 3.103, 3.094, 3.085} {
		if got := lambda(54, i+1, 0.05); math.Abs(got-want) > 0.0015 {
			t.Errorf("lambda(54, %d) = %.4f, want %.3f", i+1, got, want)
		}
	}
}

func TestExpected(t *testing.T) {
	week := weekly(35)
	if got := DefaultMADZ().Expected(week[:28]); math.Abs(got-100) > 3 {
		t.Errorf("MADZ expects %.2f of a weekly series, want its weekday level, about 100", got)
	}
	// The day after 33 days is the 34th, index 33: a weekend day (i%7 = 5).
	if got := DefaultSHESD().Expected(week[:33]); math.Abs(got-40) > 2 {
		t.Errorf("SHESD expects %.2f of a weekend day, want about 40", got)
	}
}
