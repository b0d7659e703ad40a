package main

import (
	"math"
	"strconv"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/forecast"
)

// forecastDays are the days of the month a forecast is made on, with the
// month's days through them known.
var forecastDays = []int{5, 10, 20}

// The scopes a point is scored in.
const (
	scopePayer  = "payer totals"
	scopeClean  = "series, clean"
	scopeEvents = "series, with events"
	scopeAll    = "series, all"
)

var scopes = []string{scopePayer, scopeClean, scopeEvents, scopeAll}

// The methods compared.
const (
	methodCurpipe = "curpipe"
	methodRunRate = "run rate"
	methodNaive   = "seasonal naive"
)

var methods = []string{methodCurpipe, methodRunRate, methodNaive}

// score sums one (scope, day, method)'s errors.
type score struct {
	points, zero int     // points scored; points left out because the month cost nothing
	ape          float64 // sum of absolute percentage errors
	in80, in95   int     // points whose month total fell within the interval (curpipe)
}

func (s score) mape() float64 { return 100 * s.ape / float64(max(s.points, 1)) }
func (s score) cover80() float64 {
	return float64(s.in80) / float64(max(s.points, 1))
}
func (s score) cover95() float64 {
	return float64(s.in95) / float64(max(s.points, 1))
}

type scoreKey struct {
	scope, method string
	day           int
}

// backtest forecasts every complete month of every series from each of
// forecastDays, reading only the days up to the forecast day, and scores
// the forecasts against the month's total; from day 20 it also scores
// the next month's forecast, when the history holds that month whole.
func backtest(h *history, events []event) (map[scoreKey]*score, error) {
	out := map[scoreKey]*score{}
	for _, k := range h.keys {
		s := h.series[k]
		scopes := within(scopeOf(k, events))
		for month := monthStart(h.first); ; month = monthStart(month + 31) {
			next := monthStart(month + 31)
			if next-1 > h.last {
				break
			}
			if month < s.Start() {
				continue
			}
			actual := total(s, month, next)
			for _, day := range forecastDays {
				asOf := month + anomaly.Day(day-1)
				r, err := forecastOf(h, k, asOf)
				if err != nil {
					return nil, err
				}
				mtd := toFloat(r.MonthToDate)
				p := point{actual: actual, curpipe: r.Estimate,
					runRate: mtd / float64(day) * float64(next-month),
					naive:   mtd + seasonalNaive(s, asOf, next)}
				for _, scope := range scopes {
					p.add(out, scope, day)
				}
				after := monthStart(next + 31)
				if day != nextFrom || after-1 > h.last {
					continue
				}
				p = point{actual: total(s, next, after), curpipe: r.Next,
					runRate: mtd / float64(day) * float64(after-next),
					naive:   seasonalNaive(s, asOf, after) - seasonalNaive(s, asOf, next)}
				for _, scope := range scopes {
					p.add(out, nextMonth+scope, day)
				}
			}
		}
	}
	return out, nil
}

// nextFrom is the forecast day the next month's forecast is scored from.
const nextFrom = 20

// nextMonth prefixes the scopes of the next month's forecasts.
const nextMonth = "next month: "

// point is one forecast of one month's total by every method.
type point struct {
	actual         float64
	curpipe        forecast.Estimate
	runRate, naive float64
}

// add scores p in scope.
func (p point) add(out map[scoreKey]*score, scope string, day int) {
	for _, m := range methods {
		sk := scoreKey{scope, m, day}
		sc := out[sk]
		if sc == nil {
			sc = &score{}
			out[sk] = sc
		}
		if p.actual == 0 {
			sc.zero++
			continue
		}
		f := p.runRate
		switch m {
		case methodCurpipe:
			f = toFloat(p.curpipe.Forecast)
			if toFloat(p.curpipe.Lower80) <= p.actual && p.actual <= toFloat(p.curpipe.Upper80) {
				sc.in80++
			}
			if toFloat(p.curpipe.Lower95) <= p.actual && p.actual <= toFloat(p.curpipe.Upper95) {
				sc.in95++
			}
		case methodNaive:
			f = p.naive
		}
		sc.points++
		sc.ape += math.Abs(f-p.actual) / math.Abs(p.actual)
	}
}

// total returns the cost of s over [from, to).
func total(s *anomaly.Series, from, to anomaly.Day) float64 {
	var sum decimal.Sum
	for d := from; d < to; d++ {
		sum.Add(s.Cost(d))
	}
	return toFloat(sum.Value())
}

// forecastOf returns curpipe's forecast of series k: a payer's total is
// the bottom-up sum of its series' forecasts (forecast.Sum).
func forecastOf(h *history, k anomaly.Key, asOf anomaly.Day) (forecast.Result, error) {
	if !k.IsPayerTotal() {
		return forecast.Forecast(h.series[k], asOf)
	}
	var parts []forecast.Result
	for _, p := range h.keys {
		if p.Payer != k.Payer || p.IsPayerTotal() {
			continue
		}
		r, err := forecast.Forecast(h.series[p], asOf)
		if err != nil {
			return forecast.Result{}, err
		}
		parts = append(parts, r)
	}
	return forecast.Sum(parts)
}

// within returns the scopes a series of scope is scored in.
func within(scope string) []string {
	if scope == scopePayer {
		return []string{scope}
	}
	return []string{scope, scopeAll}
}

// scopeOf returns a series' scope: a payer total, a series no planted
// event touches, or one that an event in the current totals touches.
func scopeOf(k anomaly.Key, events []event) string {
	if k.IsPayerTotal() {
		return scopePayer
	}
	for _, e := range events {
		if e.current && e.covers(k) {
			return scopeEvents
		}
	}
	return scopeClean
}

// seasonalNaive is the cost of the days after asOf up to end, each the
// cost of the same weekday in the seven days through asOf; a weekday
// before the series' first day takes the mean of the days it has.
func seasonalNaive(s *anomaly.Series, asOf, end anomaly.Day) float64 {
	var known float64
	var n int
	var last [7]float64
	var have [7]bool
	for d := asOf - 6; d <= asOf; d++ {
		if d < s.Start() {
			continue
		}
		c := toFloat(s.Cost(d))
		last[d.Weekday()], have[d.Weekday()] = c, true
		known += c
		n++
	}
	var f float64
	for d := asOf + 1; d < end; d++ {
		if have[d.Weekday()] {
			f += last[d.Weekday()]
		} else if n > 0 {
			f += known / float64(n)
		}
	}
	return f
}

func toFloat(d decimal.Decimal) float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

func monthStart(d anomaly.Day) anomaly.Day {
	t := d.Time()
	return d - anomaly.Day(t.Day()-1)
}
