package forecast

import (
	"errors"
	"fmt"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Total adds forecasts of a payer's parts up to the payer's total, one
// part at a time, so that a payer of many series needs no list of them
// (see Sum for how). The zero value is an empty total.
type Total struct {
	n          int
	r          Result
	mtd, steps decimal.Sum
	this, next sums
}

// sums is an Estimate being added up.
type sums struct{ f, l80, u80, l95, u95 decimal.Sum }

func (s *sums) add(e Estimate) {
	s.f.Add(e.Forecast)
	s.l80.Add(e.Lower80)
	s.u80.Add(e.Upper80)
	s.l95.Add(e.Lower95)
	s.u95.Add(e.Upper95)
}

func (s *sums) value() Estimate {
	return Estimate{Forecast: s.f.Value(), Lower80: s.l80.Value(), Upper80: s.u80.Value(), Lower95: s.l95.Value(), Upper95: s.u95.Value()}
}

// Add adds a part; it must be forecast as of the day of the first.
func (t *Total) Add(p Result) error {
	if t.n == 0 {
		t.r = Result{AsOf: p.AsOf, Month: p.Month, Days: p.Days}
	} else if p.AsOf != t.r.AsOf {
		return fmt.Errorf("%w: %v and %v", ErrMixed, t.r.AsOf, p.AsOf)
	}
	t.n++
	t.mtd.Add(p.MonthToDate)
	t.steps.Add(p.Steps)
	t.this.add(p.Estimate)
	t.next.add(p.Next)
	t.r.UsageDays = max(t.r.UsageDays, p.UsageDays)
	return nil
}

// Result returns the total of the parts added; an error when there are
// none.
func (t *Total) Result() (Result, error) {
	if t.n == 0 {
		return Result{}, errors.New("forecast: no parts to sum")
	}
	r := t.r
	r.MonthToDate, r.Steps = t.mtd.Value(), t.steps.Value()
	r.Estimate, r.Next = t.this.value(), t.next.value()
	return r, nil
}
