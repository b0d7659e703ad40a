package findings

import (
	"math/big"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// view is what the rules see of one resource: its days in order, and
// sums over the month of its last day and over recent windows.
type view struct {
	k     key
	r     *resource
	days  []string // ascending
	month []string // the days of the month of the last day
}

func newView(k key, r *resource) view {
	days := sortedDays(r.days)
	last := days[len(days)-1]
	i := len(days)
	for i > 0 && days[i-1][:7] == last[:7] {
		i--
	}
	return view{k: k, r: r, days: days, month: days[i:]}
}

func (v view) first() string { return v.days[0] }
func (v view) last() string  { return v.days[len(v.days)-1] }

// monthSum is the exact sum of a slot over the month of the last day.
func (v view) monthSum(slot int) decimal.Decimal {
	return v.sum(v.month, slot)
}

// recentSum is the exact sum of a slot over the last n days billed.
func (v view) recentSum(n, slot int) decimal.Decimal {
	return v.sum(v.days[max(len(v.days)-n, 0):], slot)
}

func (v view) sum(days []string, slot int) decimal.Decimal {
	var s decimal.Sum
	for _, d := range days {
		s.Add(v.r.days[d][slot])
	}
	return s.Value()
}

// scale is (days in the month) / (days seen in it): the factor that
// projects the month's sums to the whole calendar month.
func (v view) scale() *big.Rat {
	return big.NewRat(int64(daysInMonth(v.last())), int64(len(v.month)))
}

// monthly is the month's sum of the slots, projected to the whole month.
func (v view) monthly(slots ...int) *big.Rat {
	var s decimal.Decimal
	for _, slot := range slots {
		s = s.Add(v.monthSum(slot))
	}
	return mul(rat(s), v.scale())
}

// finding builds a finding of the view's resource with the month's sums
// as evidence.
func (v view) finding(cost, saving *big.Rat) Finding {
	f := Finding{
		Rule:          ruleNames[v.k.kind],
		ResourceID:    v.k.id,
		UsageAccount:  v.k.account,
		Region:        v.k.region,
		Payer:         v.k.payer,
		FirstSeen:     v.first(),
		LastSeen:      v.last(),
		MonthlyCost:   toDecimal(cost),
		MonthlySaving: toDecimal(saving),
		DaysSeen:      len(v.month),
		Detail:        v.r.detail,
		Evidence:      Evidence{UsageTypes: append([]string(nil), v.r.usageTypes...)},
	}
	for slot, name := range slotNames[v.k.kind] {
		if name != "" {
			f.Evidence.Figures = append(f.Evidence.Figures, Measure{Name: name, Value: v.monthSum(slot)})
		}
	}
	return f
}
