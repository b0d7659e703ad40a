package alert

import (
	"cmp"
	"slices"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// MaxRootCauses is how many root causes an anomaly carries at most.
const MaxRootCauses = 5

// Line is the cost of one billing line of a payer on one day: what the
// curated files hold, summed by usage account, service, region and usage
// type.
type Line struct {
	Day                                                  string // YYYY-MM-DD
	Payer, Account, Service, Currency, Region, UsageType string
	Cost                                                 decimal.Decimal // net unblended
}

// CauseDays returns the days whose lines explain a: its last days, seven
// at most, and as many baseline days on the same weekdays in the whole
// weeks just before Start. Comparing like weekdays keeps a weekly rhythm
// out of the contributions; stopping at a week keeps a long drift's
// causes about where it stands now.
func CauseDays(a Anomaly) (actual, baseline []string) {
	start, err1 := parseDay(a.Start)
	end, err2 := parseDay(a.End)
	if err1 != nil || err2 != nil || end.Before(start) {
		return nil, nil
	}
	days := a.Days()
	n := min(days, 7)
	back := 7 * ((days + 6) / 7) // whole weeks, so every baseline day is before Start
	for i := n - 1; i >= 0; i-- {
		d := end.AddDate(0, 0, -i)
		actual = append(actual, d.Format(time.DateOnly))
		baseline = append(baseline, d.AddDate(0, 0, -back).Format(time.DateOnly))
	}
	return actual, baseline
}

// Explain sets a's root causes from lines: the region and usage type
// lines (and, for a payer's total, their account and service) of a's
// series whose cost on CauseDays' actual days minus their cost on its
// baseline days moved the way the impact did, largest first, at most
// MaxRootCauses. Lines of other series, currencies or days are ignored,
// so the lines of several anomalies' days can be passed at once.
func Explain(a *Anomaly, lines []Line) {
	actual, baseline := CauseDays(*a)
	type key struct{ account, service, region, usageType string }
	sums := map[key]*decimal.Sum{}
	add := func(k key, d decimal.Decimal) {
		s := sums[k]
		if s == nil {
			s = new(decimal.Sum)
			sums[k] = s
		}
		s.Add(d)
	}
	whole := a.Account == "" && a.Service == ""
	for _, l := range lines {
		if l.Payer != a.Payer || l.Currency != a.Currency || !whole && (l.Account != a.Account || l.Service != a.Service) {
			continue
		}
		k := key{region: l.Region, usageType: l.UsageType}
		if whole {
			k.account, k.service = l.Account, l.Service
		}
		switch {
		case slices.Contains(actual, l.Day):
			add(k, l.Cost)
		case slices.Contains(baseline, l.Day):
			add(k, l.Cost.Neg())
		}
	}
	sign := a.Impact.Sign()
	if sign == 0 {
		sign = 1
	}
	var causes []RootCause
	for k, s := range sums {
		c := s.Value()
		if c.Sign() != sign {
			continue
		}
		causes = append(causes, RootCause{Account: k.account, Service: k.service, Region: k.region, UsageType: k.usageType, Contribution: c})
	}
	slices.SortFunc(causes, func(x, y RootCause) int {
		if c := abs(y.Contribution).Cmp(abs(x.Contribution)); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(x.Account, y.Account), cmp.Compare(x.Service, y.Service),
			cmp.Compare(x.Region, y.Region), cmp.Compare(x.UsageType, y.UsageType))
	})
	if len(causes) > MaxRootCauses {
		causes = causes[:MaxRootCauses]
	}
	a.RootCauses = causes
}
