package forecast

import (
	"errors"
	"fmt"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// ErrMixed is returned by Sum for parts forecast as of different days.
var ErrMixed = errors.New("forecast: parts forecast as of different days")

// Sum reconciles the forecasts of a payer's parts (its usage accounts,
// or its services) into the payer's total, bottom-up: the total's
// MonthToDate, Steps and Forecast, this month's and the next's, are the
// exact sums of the parts', so the parts always add up to the total
// shown. Each bound is the exact sum of the parts' bounds: the parts'
// errors taken as moving together, which a shift of a whole account or
// a restated month makes them do (taken as independent instead, the
// payer intervals of bench/forecast held a third to a half of the
// totals, not 80%). UsageDays is the largest of the parts'.
//
// The parts must be forecast as of one day; none is an error.
func Sum(parts []Result) (Result, error) {
	if len(parts) == 0 {
		return Result{}, errors.New("forecast: no parts to sum")
	}
	t := Result{AsOf: parts[0].AsOf, Month: parts[0].Month, Days: parts[0].Days}
	var mtd, steps decimal.Sum
	this, next := make([]Estimate, len(parts)), make([]Estimate, len(parts))
	for i, p := range parts {
		if p.AsOf != t.AsOf {
			return Result{}, fmt.Errorf("%w: %v and %v", ErrMixed, t.AsOf, p.AsOf)
		}
		mtd.Add(p.MonthToDate)
		steps.Add(p.Steps)
		this[i], next[i] = p.Estimate, p.Next
		t.UsageDays = max(t.UsageDays, p.UsageDays)
	}
	t.MonthToDate, t.Steps = mtd.Value(), steps.Value()
	t.Estimate, t.Next = sumEstimates(this), sumEstimates(next)
	return t, nil
}

// sumEstimates adds the forecasts and each bound exactly.
func sumEstimates(es []Estimate) Estimate {
	var f, l80, u80, l95, u95 decimal.Sum
	for _, e := range es {
		f.Add(e.Forecast)
		l80.Add(e.Lower80)
		u80.Add(e.Upper80)
		l95.Add(e.Lower95)
		u95.Add(e.Upper95)
	}
	return Estimate{Forecast: f.Value(), Lower80: l80.Value(), Upper80: u80.Value(), Lower95: l95.Value(), Upper95: u95.Value()}
}
