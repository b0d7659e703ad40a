package anomaly

import (
	"fmt"
	"strconv"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Key names a series: the cost of one service in one usage account of a
// payer, or, with Account and Service empty, the payer's total.
type Key struct {
	Payer   string // payer (management) account id
	Account string // usage account id; empty for the payer's total
	Service string // product code (AmazonEC2, AWSDataTransfer, ...); empty for the payer's total
}

// PayerTotal returns the key of payer's total series.
func PayerTotal(payer string) Key { return Key{Payer: payer} }

// IsPayerTotal reports whether k names a payer's total.
func (k Key) IsPayerTotal() bool { return k.Account == "" && k.Service == "" }

// String returns "payer/account/service", or "payer (total)".
func (k Key) String() string {
	if k.IsPayerTotal() {
		return k.Payer + " (total)"
	}
	return k.Payer + "/" + k.Account + "/" + k.Service
}

// Series is the exact daily cost of one Key, one figure per day from the
// first day its payer's data covers. A day never set costs zero: billing
// data has no row for a day without charges.
//
// A Series keeps a float64 copy of each figure beside the exact one, for
// the statistics (scales and scores); expected values and impacts are
// computed from the exact figures only.
type Series struct {
	Key    Key
	start  Day
	cost   []decimal.Decimal
	approx []float64
	first  int // index of the first non-zero cost, or -1
	used   int // index of the first non-zero cost not on a month start, or -1
}

// NewSeries returns an empty series of k whose history begins on start,
// the first day of its payer's data: a series with no cost between start
// and a day is new on that day, so start must not be later than the
// payer's first delivery.
func NewSeries(k Key, start Day) *Series { return &Series{Key: k, start: start, first: -1, used: -1} }

// Start returns the first day of s.
func (s *Series) Start() Day { return s.start }

// End returns the day after the last day set.
func (s *Series) End() Day { return s.start + Day(len(s.cost)) }

// Set records the cost of day d, replacing any figure d had: a newer
// report version restates the days it covers. Days between the last one
// set and d cost zero. A day before Start is an error.
func (s *Series) Set(d Day, cost decimal.Decimal) error {
	if d < s.start {
		return fmt.Errorf("anomaly: %v: day %v is before the series' start %v", s.Key, d, s.start)
	}
	i := int(d - s.start)
	for len(s.cost) <= i {
		s.cost = append(s.cost, decimal.Decimal{})
		s.approx = append(s.approx, 0)
	}
	s.cost[i] = cost
	f, err := strconv.ParseFloat(cost.String(), 64)
	if err != nil {
		// Only a magnitude past float64's range gets here; such a figure
		// is no cost, but its statistics still need an order.
		f = float64(cost.Sign()) * 1e300
	}
	s.approx[i] = f
	s.first = s.firstFrom(s.first, i, false)
	s.used = s.firstFrom(s.used, i, true)
	return nil
}

// Add adds cost to day d's figure, as Set does with their sum.
func (s *Series) Add(d Day, cost decimal.Decimal) error {
	return s.Set(d, s.Cost(d).Add(cost))
}

// Cost returns the cost of day d: zero outside the days set.
func (s *Series) Cost(d Day) decimal.Decimal {
	if i := int(d - s.start); d >= s.start && i < len(s.cost) {
		return s.cost[i]
	}
	return decimal.Decimal{}
}

// at returns the float64 copy of day d's cost.
func (s *Series) at(d Day) float64 {
	if i := int(d - s.start); d >= s.start && i < len(s.approx) {
		return s.approx[i]
	}
	return 0
}

// firstFrom returns the index of the first non-zero cost (not on a month
// start, if usage) after day index i was set, given it was was before.
func (s *Series) firstFrom(was, i int, usage bool) int {
	counts := func(j int) bool {
		return !s.cost[j].IsZero() && !(usage && (s.start + Day(j)).MonthStart())
	}
	switch {
	case counts(i) && (was < 0 || i <= was):
		return i
	case i != was:
		return was
	}
	for j := i + 1; j < len(s.cost); j++ {
		if counts(j) {
			return j
		}
	}
	return -1
}

// firstSpend returns the first day before end with a non-zero cost, and
// false when there is none.
func (s *Series) firstSpend(end Day) (Day, bool) { return s.firstBefore(s.first, end) }

// firstUsage returns the first day before end that is not a month start
// and has a non-zero cost, and false when there is none: the day the
// series began to be used, whatever monthly charges (such as the tax of
// the month it began in, dated on the 1st) came before it.
func (s *Series) firstUsage(end Day) (Day, bool) { return s.firstBefore(s.used, end) }

func (s *Series) firstBefore(i int, end Day) (Day, bool) {
	if i < 0 || s.start+Day(i) >= end {
		return 0, false
	}
	return s.start + Day(i), true
}
