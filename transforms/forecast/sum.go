package forecast

import "errors"

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
	var t Total
	for _, p := range parts {
		if err := t.Add(p); err != nil {
			return Result{}, err
		}
	}
	return t.Result()
}
