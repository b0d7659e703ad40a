// Package baseline holds the two textbook detectors the anomaly benchmark
// measures curpipe's model against, each applied without look-ahead: a
// day is judged from the days before it and itself only, so a replay of
// a history day by day raises what a live deployment would have raised.
//
// MADZ is the trailing median/MAD robust z-score: a day is anomalous when
// |x - median| / (1.4826 × MAD) over the previous Window days exceeds
// Threshold (28 days and 3.5 by default). When the MAD is zero a day
// equal to the median scores 0 and any other day scores ±Inf, so it is
// anomalous.
//
// SHESD is seasonal hybrid ESD (Hochenbaum, Vallis and Kejariwal, 2017,
// as Twitter's AnomalyDetection implements it) on a trailing window: the
// previous Window days and the judged day. The seasonal component is the
// median of each phase of Period days; the residuals are the days minus
// their phase's median (which is the seasonal component plus the
// window's median). On them runs the generalized ESD test with the
// median and the MAD (scaled by 1.4826) in place of the mean and standard
// deviation: at most MaxAnoms × n points, significance Alpha; the judged
// day is anomalous when it is among the points the test rejects. Like
// the reference implementation, the test stops when the MAD of the
// remaining residuals is zero.
//
// Each also says what it expects of a day (Expected: the window's median;
// for SHESD, the median of the day's phase), so that the benchmark can put
// them behind the same materiality bar as curpipe's model. Both work on
// float64: they are statistics, and the benchmark scores only which days
// they raise.
package baseline

import (
	"math"
	"slices"
)

// mad1 scales a median absolute deviation to a normal standard deviation.
const mad1 = 1.4826

// median returns the median of xs, which it reorders; NaN when empty.
func median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// mad returns the median and the scaled median absolute deviation of xs.
func mad(xs []float64) (med, scale float64) {
	v := slices.Clone(xs)
	med = median(v)
	for i, x := range xs {
		v[i] = math.Abs(x - med)
	}
	return med, mad1 * median(v)
}

// MADZ is the trailing median/MAD z-score detector.
type MADZ struct {
	Window    int     // days before the judged one; 28 by default
	Threshold float64 // |z| above which a day is anomalous; 3.5 by default
}

// DefaultMADZ returns the 28-day, |z| > 3.5 detector.
func DefaultMADZ() MADZ { return MADZ{Window: 28, Threshold: 3.5} }

// Score returns the robust z-score of x against history, the Window days
// before it (history's last Window values are used; it must hold them).
func (m MADZ) Score(history []float64, x float64) float64 {
	med, scale := mad(history[len(history)-m.Window:])
	switch {
	case x == med:
		return 0
	case scale == 0:
		return math.Copysign(math.Inf(1), x-med)
	}
	return (x - med) / scale
}

// Anomalous reports whether |Score| > Threshold.
func (m MADZ) Anomalous(history []float64, x float64) bool {
	return math.Abs(m.Score(history, x)) > m.Threshold
}

// Expected returns what MADZ expects of the day after history: the
// median of its last Window values.
func (m MADZ) Expected(history []float64) float64 {
	return median(slices.Clone(history[len(history)-m.Window:]))
}

// SHESD is the seasonal hybrid ESD detector on a trailing window.
type SHESD struct {
	Period   int     // days of a season; 7
	Window   int     // days before the judged one; 28 (four periods)
	MaxAnoms float64 // the most points the test may reject, as a fraction of the window; 0.10
	Alpha    float64 // significance; 0.05
}

// DefaultSHESD returns S-H-ESD with period 7 over 28 days, at most 10% of
// the points anomalous, alpha 0.05.
func DefaultSHESD() SHESD { return SHESD{Period: 7, Window: 28, MaxAnoms: 0.10, Alpha: 0.05} }

// Anomalous reports whether x, the day after history's last Window
// values, is an anomaly of the window they make together.
func (h SHESD) Anomalous(history []float64, x float64) bool {
	w := append(slices.Clone(history[len(history)-h.Window:]), x)
	n := len(w)
	// Residuals: each point minus the median of its phase.
	res := make([]float64, n)
	for p := range h.Period {
		var phase []float64
		for i := p; i < n; i += h.Period {
			phase = append(phase, w[i])
		}
		m := median(phase)
		for i := p; i < n; i += h.Period {
			res[i] = w[i] - m
		}
	}
	last := n - 1
	for _, i := range esd(res, int(h.MaxAnoms*float64(n)), h.Alpha) {
		if i == last {
			return true
		}
	}
	return false
}

// Expected returns what SHESD expects of the day after history: the
// median of the window's days of its phase.
func (h SHESD) Expected(history []float64) float64 {
	w := history[len(history)-h.Window:]
	var phase []float64
	for i := len(w) - h.Period; i >= 0; i -= h.Period {
		phase = append(phase, w[i])
	}
	return median(phase)
}

// esd runs the generalized ESD test with median and MAD on xs and returns
// the indexes of the points it rejects (at most k).
func esd(xs []float64, k int, alpha float64) []int {
	n := len(xs)
	left := make([]int, n)
	for i := range left {
		left[i] = i
	}
	var removed []int
	found := 0
	for i := 1; i <= k && len(left) > 2; i++ {
		vals := make([]float64, len(left))
		for j, idx := range left {
			vals[j] = xs[idx]
		}
		med, scale := mad(vals)
		if scale == 0 {
			break
		}
		worst, r := 0, -1.0
		for j, v := range vals {
			if d := math.Abs(v-med) / scale; d > r {
				worst, r = j, d
			}
		}
		removed = append(removed, left[worst])
		left = slices.Delete(left, worst, worst+1)
		if r > lambda(n, i, alpha) {
			found = i
		}
	}
	return removed[:found]
}

// lambda is the critical value of the i-th step of the generalized ESD
// test on n points (Rosner, 1983).
func lambda(n, i int, alpha float64) float64 {
	p := 1 - alpha/(2*float64(n-i+1))
	df := float64(n - i - 1)
	t := StudentTQuantile(p, df)
	return float64(n-i) * t / math.Sqrt((df+t*t)*float64(n-i+1))
}
