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
// the forecasts against the month's total.
func backtest(h *history, events []event) (map[scoreKey]*score, error) {
	out := map[scoreKey]*score{}
	for _, k := range h.keys {
		s := h.series[k]
		scope := scopeOf(k, events)
		for month := monthStart(h.first); ; month = monthStart(month + 31) {
			next := monthStart(month + 31)
			if next-1 > h.last {
				break
			}
			if month < s.Start() {
				continue
			}
			var sum decimal.Sum
			for d := month; d < next; d++ {
				sum.Add(s.Cost(d))
			}
			actual := toFloat(sum.Value())
			for _, day := range forecastDays {
				asOf := month + anomaly.Day(day-1)
				r, err := forecastOf(h, k, asOf)
				if err != nil {
					return nil, err
				}
				for _, m := range methods {
					for _, scope := range within(scope) {
						add(out, scoreKey{scope, m, day}, s, r, month, next, actual)
					}
				}
			}
		}
	}
	return out, nil
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

// add scores one method's forecast of one month as of r.AsOf.
func add(out map[scoreKey]*score, sk scoreKey, s *anomaly.Series, r forecast.Result, month, next anomaly.Day, actual float64) {
	sc := out[sk]
	if sc == nil {
		sc = &score{}
		out[sk] = sc
	}
	if actual == 0 {
		sc.zero++
		return
	}
	day := int(r.AsOf-month) + 1
	var f float64
	switch sk.method {
	case methodCurpipe:
		f = toFloat(r.Forecast)
		if toFloat(r.Lower80) <= actual && actual <= toFloat(r.Upper80) {
			sc.in80++
		}
		if toFloat(r.Lower95) <= actual && actual <= toFloat(r.Upper95) {
			sc.in95++
		}
	case methodRunRate:
		f = toFloat(r.MonthToDate) / float64(day) * float64(next-month)
	case methodNaive:
		f = seasonalNaive(s, month, r.AsOf, next)
	}
	sc.points++
	sc.ape += math.Abs(f-actual) / math.Abs(actual)
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

// seasonalNaive is the month to date plus, for each day after asOf, the
// cost of the same weekday in the seven days through asOf; a weekday
// before the series' first day takes the mean of the days it has.
func seasonalNaive(s *anomaly.Series, month, asOf, next anomaly.Day) float64 {
	var mtd, known float64
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
	for d := month; d <= asOf; d++ {
		mtd += toFloat(s.Cost(d))
	}
	f := mtd
	for d := asOf + 1; d < next; d++ {
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
