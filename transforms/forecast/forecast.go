package forecast

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
)

// The model's fixed choices; see the package doc for the figures behind
// them.
const (
	levelDays   = 7   // the newest days a shift is looked for in
	levelWindow = 14  // usage days the level is the mean of
	shiftDays   = 3   // days in a row that make a shift
	shiftBefore = 3   // days before them it needs
	shiftNoise  = 3.0 // how far they must be, in noise deviations
	seasonDays  = 56  // usage days the weekday factors are learnt from
	minPerDay   = 1   // days a weekday needs for a factor of its own
	scaleDays   = 28  // usage days the noise scale is measured on
	// floorScale is the relative daily noise assumed when the history
	// is too short to measure one: an honest, wide interval.
	floorScale = 0.5
	// drift is how far the level may have moved by a day k days ahead,
	// as a share of it per day (a standard deviation of drift x level x
	// k): shifts and drifts happen.
	drift = 0.003
	// inflate widens the Gaussian intervals for the heavy tails of
	// daily cost.
	inflate = 1.15
)

// ErrNoHistory is returned for a day before the series' first day.
var ErrNoHistory = errors.New("forecast: no history on or before the day")

// Estimate is the forecast of one month's total with its prediction
// intervals: the true total falls between Lower80 and Upper80 four times
// in five, and between Lower95 and Upper95 nineteen times in twenty.
type Estimate struct {
	Forecast         decimal.Decimal
	Lower80, Upper80 decimal.Decimal
	Lower95, Upper95 decimal.Decimal
}

// Result is the forecast of a series' month as of a day.
type Result struct {
	AsOf  anomaly.Day // the last day read
	Month anomaly.Day // the first day of AsOf's month
	Days  int         // days in the month
	// MonthToDate is the exact cost of the month through AsOf.
	MonthToDate decimal.Decimal
	// Steps is the part of the month's 1st above its usage: the month's
	// fees, RI and Savings Plan fees, tax and support, known once the 1st
	// is billed. It is in MonthToDate.
	Steps decimal.Decimal
	// Estimate is the month-end total: MonthToDate plus the forecast
	// usage of the days after AsOf, rounded to cents.
	Estimate
	// Next is the following month's total: its step charges (this
	// month's again) plus its usage.
	Next Estimate
	// UsageDays counts the days of usage history the forecast learnt
	// from; fewer than two weeks gives the wide default noise scale.
	UsageDays int
}

// Forecast returns the forecast of the month of asOf from s's days up to
// and including asOf: no later day is read.
func Forecast(s *anomaly.Series, asOf anomaly.Day) (Result, error) {
	if asOf < s.Start() {
		return Result{}, fmt.Errorf("%w: %v is before %v's first day %v", ErrNoHistory, asOf, s.Key, s.Start())
	}
	month := monthStart(asOf)
	next := monthStart(month + 31)
	r := Result{AsOf: asOf, Month: month, Days: int(next - month)}
	var mtd decimal.Sum
	for d := max(month, s.Start()); d <= asOf; d++ {
		mtd.Add(s.Cost(d))
	}
	r.MonthToDate = mtd.Value()

	m := fit(s, asOf)
	r.UsageDays = m.n
	if month >= s.Start() {
		r.Steps = s.Cost(month).Sub(cents(m.predict(month)))
	}
	// This month: the days after asOf.
	var mean, variance float64
	for d := asOf + 1; d < next; d++ {
		mean += m.predict(d)
	}
	h := float64(next - asOf - 1)
	variance = m.variance(h, 0)
	r.Estimate = estimate(r.MonthToDate, mean, variance)

	// Next month: its 1st carries this month's step charges again.
	after := monthStart(next + 31)
	mean = 0
	for d := next; d < after; d++ {
		mean += m.predict(d)
	}
	variance = m.variance(float64(after-next), h)
	r.Next = estimate(r.Steps, mean, variance)
	return r, nil
}

// estimate returns known plus a forecast of the given mean and variance,
// the figures rounded to cents.
func estimate(known decimal.Decimal, mean, variance float64) Estimate {
	sd := math.Sqrt(variance)
	return Estimate{
		Forecast: known.Add(cents(mean)),
		Lower80:  known.Add(cents(mean - 1.2816*inflate*sd)),
		Upper80:  known.Add(cents(mean + 1.2816*inflate*sd)),
		Lower95:  known.Add(cents(mean - 1.9600*inflate*sd)),
		Upper95:  known.Add(cents(mean + 1.9600*inflate*sd)),
	}
}

// model is a series' usage as of a day: a level, weekday factors and the
// daily noise around them.
type model struct {
	level  float64
	factor [7]float64
	scale  float64 // standard deviation of one day's cost
	n      int     // usage days seen
}

func (m *model) predict(d anomaly.Day) float64 { return m.level * m.factor[d.Weekday()] }

// variance of the sum of h days' usage starting gap days after the last
// day seen: independent daily noise, the level's own error, and a drift
// that grows with the distance.
func (m *model) variance(h, gap float64) float64 {
	s2 := m.scale * m.scale
	levelErr := s2 / float64(max(min(m.n, levelWindow), 1))
	w := drift * m.level
	// day k ahead adds (w k)²: the sum of k² over k = gap+1..gap+h
	walk := w * w * (h*gap*gap + gap*h*(h+1) + h*(h+1)*(2*h+1)/6)
	return h*s2 + h*h*levelErr + walk
}

// fit learns the usage model from the days up to asOf, leaving out the
// 1sts of months and the days before the series was first used.
func fit(s *anomaly.Series, asOf anomaly.Day) model {
	var days []anomaly.Day
	var costs []float64
	for d := asOf; d >= s.Start() && len(days) < seasonDays; d-- {
		if d.MonthStart() {
			continue
		}
		days = append(days, d)
		costs = append(costs, toFloat(s.Cost(d)))
	}
	// Drop the days before the first usage: a new series' zeros are not
	// its level.
	for len(costs) > 0 && costs[len(costs)-1] == 0 {
		days, costs = days[:len(days)-1], costs[:len(costs)-1]
	}
	m := model{n: len(days)}
	for w := range m.factor {
		m.factor[w] = 1
	}
	if m.n == 0 {
		// Only a 1st seen (or nothing used): its cost may be all usage.
		if !asOf.MonthStart() || asOf < s.Start() {
			return m
		}
		m.level = toFloat(s.Cost(asOf))
		m.scale = floorScale * math.Abs(m.level)
		m.n = 1
		return m
	}
	// A weekday's factor is its days' cost relative to the mean of the
	// seven usage days around each, so that a change of level does not
	// pass for seasonality.
	var by [7][]float64
	for i, d := range days {
		if i < 3 || i+3 >= len(days) {
			continue
		}
		var around float64
		for _, c := range costs[i-3 : i+4] {
			around += c
		}
		if around > 0 {
			by[d.Weekday()] = append(by[d.Weekday()], costs[i]/(around/7))
		}
	}
	var sum float64
	var n int
	for w := range by {
		if len(by[w]) >= minPerDay {
			m.factor[w] = trimmedMean(by[w])
			sum += m.factor[w]
			n++
		}
	}
	if n == 7 && sum > 0 {
		for w := range m.factor {
			m.factor[w] *= 7 / sum
		}
	} else if overall := trimmedMean(costs); overall > 0 {
		// Under three weeks: each weekday against all the days.
		var by [7][]float64
		for i, d := range days {
			by[d.Weekday()] = append(by[d.Weekday()], costs[i])
		}
		for w := range by {
			m.factor[w] = 1
			if len(by[w]) > 0 {
				m.factor[w] = trimmedMean(by[w]) / overall
			}
		}
	} else {
		m.factor = [7]float64{1, 1, 1, 1, 1, 1, 1}
	}
	var x []float64 // the deseasonalized days, newest first
	for i := 0; i < len(days) && i < scaleDays; i++ {
		if f := m.factor[days[i].Weekday()]; f != 0 {
			x = append(x, costs[i]/f)
		}
	}
	m.level = level(x)
	var dev []float64
	for i := 0; i < len(days) && i < scaleDays; i++ {
		dev = append(dev, math.Abs(costs[i]-m.predict(days[i])))
	}
	m.scale = 1.4826 * median(dev)
	if m.n < 14 {
		m.scale = max(m.scale, floorScale*math.Abs(m.level)*float64(14-m.n)/13)
	}
	return m
}

// level returns the usage level from the deseasonalized days x, newest
// first: the trimmed mean of the last levelDays, or, when the newest days
// all moved the same way, well clear of the noise, from the days before
// them (a level shift), the mean of the newest days alone.
func level(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	diffs := make([]float64, 0, len(x))
	for i := 1; i < len(x); i++ {
		diffs = append(diffs, math.Abs(x[i]-x[i-1]))
	}
	noise := 1.4826 * median(diffs) / math.Sqrt2
	for j := min(levelDays, len(x)-shiftBefore); j >= shiftDays; j-- {
		before := median(x[j:min(len(x), j+levelDays)])
		up, down := true, true
		for _, v := range x[:j] {
			up = up && v > before+shiftNoise*noise
			down = down && v < before-shiftNoise*noise
		}
		if up || down {
			return trimmedMean(x[:j])
		}
	}
	lv := trimmedMean(x[:min(len(x), levelWindow)])
	return lv
}

// trimmedMean returns the mean of x without its values more than three
// robust deviations from its median: a spike does not move it, and it
// wastes less of the data than a median.
func trimmedMean(x []float64) float64 {
	med := median(x)
	dev := make([]float64, len(x))
	for i, v := range x {
		dev[i] = math.Abs(v - med)
	}
	lim := 3 * 1.4826 * median(dev)
	var sum float64
	var n int
	for _, v := range x {
		if math.Abs(v-med) <= lim {
			sum += v
			n++
		}
	}
	if n == 0 {
		return med
	}
	return sum / float64(n)
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	y := slices.Clone(x)
	slices.Sort(y)
	if n := len(y); n%2 == 1 {
		return y[n/2]
	} else {
		return (y[n/2-1] + y[n/2]) / 2
	}
}

// toFloat returns d as a float64 for the statistics.
func toFloat(d decimal.Decimal) float64 {
	f, err := strconv.ParseFloat(d.String(), 64)
	if err != nil {
		return float64(d.Sign()) * math.MaxFloat64
	}
	return f
}

// cents converts a statistic to money once: rounded to cents, halves away
// from zero.
func cents(f float64) decimal.Decimal {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return decimal.Decimal{}
	}
	return decimal.MustParse(strconv.FormatFloat(f, 'f', -1, 64)).Round(2)
}

// monthStart returns the first day of d's month.
func monthStart(d anomaly.Day) anomaly.Day {
	t := d.Time()
	return anomaly.DayOf(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC))
}
