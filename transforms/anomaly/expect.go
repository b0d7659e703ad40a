package anomaly

import (
	"math"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// past is what is known of a series' days before the judged one, besides
// their costs: the anomalies found on them.
type past struct {
	// skip holds the days of anomalies shorter than Config.Accept: what
	// a series cost during an anomaly is not what it normally costs, so
	// no expectation learns from them.
	skip map[Day]bool
	// regime is the first day of the latest anomaly that lasted
	// Config.Accept days or more (hasRegime): such a change is the
	// series' new level, and expectations learn from its days only.
	regime    Day
	hasRegime bool
}

func (p past) skips(d Day) bool { return p.skip[d] }

// expectation is what the days before a day say of it.
type expectation struct {
	expected decimal.Decimal // the day's expected cost, exact
	scale    float64         // the robust standard deviation of a day around its expected cost
	// gradual is the median deviation of the seven days before, from
	// their own weekday's median: far from zero when the change built
	// up over the week (a drift) rather than arriving at once.
	gradual float64
	// feesUnknown: the day is a month start and no earlier month start
	// of the series is known, so its fees are unknown.
	feesUnknown bool
	// seasonal: the expected cost is the median of at least two days of
	// the same weekday. Otherwise it is the median of every day of the
	// window, which knows no weekly pattern, and the day may extend an
	// anomaly but not open one.
	seasonal bool
}

// monthStart returns the expectation of month start d of s: the usual
// day (when the series has been used for Learn days; zero before) plus
// the month-start charges, learnt as what earlier month starts cost above
// their own usual day. feesUnknown is set when no earlier month start
// with a cost is known.
func (c Config) monthStart(s *Series, d Day, p past) expectation {
	x := expectation{scale: approx(c.MinImpact) / 100}
	first, used := s.firstUsage(d)
	if used && int(d-first) >= c.Learn {
		if u, ok := c.usual(s, d, first, p); ok {
			x = u
		}
	}
	since, ok := s.firstSpend(d)
	var extra []decimal.Decimal
	var extraF []float64
	for m, n := d.PrevMonthStart(), 0; ok && m >= since && n < c.Months; m, n = m.PrevMonthStart(), n+1 {
		if p.skips(m) {
			continue
		}
		e := s.Cost(m).Sub(c.around(s, m, since, d, p))
		extra = append(extra, e)
		extraF = append(extraF, approx(e))
	}
	if len(extra) == 0 {
		x.feesUnknown = true
		return x
	}
	fee := medianDecimal(extra)
	x.expected = x.expected.Add(fee)
	feeF := approx(fee)
	// Month-start charges follow the month's usage (tax is a share of
	// the month's charges, support of the payer's), which moves by tens
	// of percent from month to month: a fifth of the charges is the
	// least spread they are given.
	spread := 0.2 * math.Abs(feeF)
	if len(extraF) > 1 {
		for i := range extraF {
			extraF[i] = math.Abs(extraF[i] - feeF)
		}
		spread = math.Max(spread, mad1*medianFloat(extraF))
	}
	x.scale = math.Hypot(x.scale, spread)
	return x
}

// around returns what month start m of s would have cost were it not a
// month start: the median of the days of its weekday within four weeks
// of it either side (before d, from first on), or of all those days when
// fewer than two are of its weekday, or zero when there are none.
func (c Config) around(s *Series, m, first, d Day, p past) decimal.Decimal {
	var same, all []Day
	for u := max(first, s.start, m-28); u < min(d, m+29); u++ {
		if u.MonthStart() || p.skips(u) {
			continue
		}
		if (m-u)%7 == 0 {
			same = append(same, u)
		}
		all = append(all, u)
	}
	switch {
	case len(same) >= 2:
		return medianOf(s, same)
	case len(all) > 0:
		return medianOf(s, all)
	}
	return decimal.Decimal{}
}

// usual returns the expectation of day d of s as a day that is not a
// month start: the median of the same weekday over the last Weeks weeks
// (since the regime's start, if later), or, with fewer than two of
// those, the median of every day of that window (then the day may extend
// an anomaly, not open one). Month starts and the days of short
// anomalies are left out of both, and of the scale.
//
// The scale is the noise of a day around its weekday's level, measured
// from week-over-week differences over twice the window: a difference of
// two days carries twice a day's variance, so the scale is 1.4826 ×
// median |x(u) - x(u-7)| / sqrt 2, each difference taken relative to the
// pair's mean and the result times the expected cost (absolute when most
// pairs have no positive mean). Differences keep a level shift to one
// week's worth of large values and a drift to its weekly step, where
// residuals from the window's median would let either inflate the scale
// until it hid itself. The scale is widened by the error of a median of n
// weeks, sqrt(1 + pi/2n), and is at least 1% of the expected cost and
// MinImpact/100.
func (c Config) usual(s *Series, d, first Day, p past) (x expectation, ok bool) {
	lo := max(first, s.start, d-Day(7*c.Weeks))
	if p.hasRegime {
		lo = max(lo, p.regime)
	}
	var byDay [7][]Day // by distance in weekdays: [0] is d's weekday
	var skipped [7][]Day
	var diffs []float64
	for u := d - 1; u >= lo; u-- { // newest first
		k := int(d-u) % 7
		switch {
		case u.MonthStart():
		case p.skips(u):
			skipped[k] = append(skipped[k], u)
		default:
			byDay[k] = append(byDay[k], u)
		}
	}
	// A weekday left with fewer than two days by anomalies takes back
	// its latest anomalous days: an expectation gone wrong (a weekday
	// judged against a week too young to show it) must not keep itself
	// wrong by leaving out every day that shows the error.
	var all []Day
	for k := range byDay {
		for len(byDay[k]) < 2 && len(skipped[k]) > 0 {
			byDay[k] = append(byDay[k], skipped[k][0])
			skipped[k] = skipped[k][1:]
		}
		all = append(all, byDay[k]...)
	}
	if len(all) < 2 {
		return x, false
	}
	// Week-over-week differences over twice the window (the noise of a
	// series changes more slowly than its level), each also relative to
	// the pair's mean when that is positive.
	var rel []float64
	slo := max(first, s.start, d-Day(14*c.Weeks))
	if p.hasRegime {
		slo = max(slo, p.regime)
	}
	for u := slo + 7; u < d; u++ {
		v := u - 7
		if u.MonthStart() || v.MonthStart() || p.skips(u) || p.skips(v) {
			continue
		}
		a, b := s.at(u), s.at(v)
		diff := math.Abs(a - b)
		diffs = append(diffs, diff)
		if m := (a + b) / 2; m > 0 {
			rel = append(rel, diff/m)
		}
	}
	if len(diffs) == 0 {
		return x, false
	}
	n := len(byDay[0])
	x.seasonal = n >= 2
	if n >= 2 {
		x.expected = medianOf(s, byDay[0])
		// How the last week stood against its weekdays' medians.
		var recent []float64
		for _, days := range byDay {
			if len(days) < 2 {
				continue
			}
			m := center(s, days)
			for _, u := range days {
				if u >= d-7 {
					recent = append(recent, s.at(u)-m)
				}
			}
		}
		if len(recent) >= 4 {
			x.gradual = medianFloat(recent)
		}
	} else {
		n = len(all)
		x.expected = medianOf(s, all)
	}
	// Costs vary in proportion to their level (a weekend at a third of a
	// weekday varies a third as much): when most differences have a
	// level, the scale is their relative spread times the expected cost.
	widen := math.Sqrt(1 + math.Pi/(2*float64(n)))
	if 2*len(rel) > len(diffs) {
		x.scale = mad1 * medianFloat(rel) / math.Sqrt2 * math.Abs(approx(x.expected)) * widen
	} else {
		x.scale = mad1 * medianFloat(diffs) / math.Sqrt2 * widen
	}
	floor := math.Max(0.01*math.Abs(approx(x.expected)), approx(c.MinImpact)/100)
	x.scale = math.Max(x.scale, floor)
	return x, true
}

// center returns the median of the costs of days, in float64.
func center(s *Series, days []Day) float64 {
	v := make([]float64, len(days))
	for i, u := range days {
		v[i] = s.at(u)
	}
	return medianFloat(v)
}
