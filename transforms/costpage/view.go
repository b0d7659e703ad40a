package costpage

import (
	"slices"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

// buildView sums tab's entries in scope s and currency cur to one series
// per group; a view with no entries has nil Series.
func buildView(tab totals.Table, s scope, cur, measure, group string, days []string, dayIndex map[string]int, opt Options) View {
	v := View{Payer: s.payer, Account: s.account, Currency: cur, Measure: measure, Group: group}
	groups := map[string][]decimal.Decimal{}
	for k, sums := range tab {
		if k.Currency != cur || !s.has(k) {
			continue
		}
		name := k.Service
		if group == "account" {
			name = k.Account
		}
		vs := groups[name]
		if vs == nil {
			vs = make([]decimal.Decimal, len(days))
			groups[name] = vs
		}
		i := dayIndex[k.Day]
		vs[i] = vs[i].Add(measureOf(sums, measure))
	}
	if len(groups) == 0 {
		return v
	}
	order := rank(groups)
	total := make([]decimal.Decimal, len(days))
	for _, vs := range groups {
		for i, x := range vs {
			total[i] = total[i].Add(x)
		}
	}
	named := order
	if len(order) > opt.Top+1 { // "Other" for a single group would hide a name for nothing
		named = order[:opt.Top]
	}
	for _, name := range named {
		v.Series = append(v.Series, Series{Name: name, Values: exact(groups[name])})
	}
	if len(named) < len(order) {
		other := make([]decimal.Decimal, len(days))
		for _, name := range order[len(named):] {
			for i, x := range groups[name] {
				other[i] = other[i].Add(x)
			}
		}
		v.Series = append(v.Series, Series{Name: Other, Values: exact(other)})
	}
	v.Total = exact(total)
	v.MonthToDate = monthToDate(days, total)
	v.Movers = movers(days, groups, opt.Movers)
	return v
}

// exact gives each value as its exact decimal string.
func exact(vs []decimal.Decimal) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}

// monthToDate sums the last day's month through it, and the previous
// month through the same day of the month, when the range holds it.
func monthToDate(days []string, total []decimal.Decimal) MonthToDate {
	if len(days) == 0 {
		return MonthToDate{}
	}
	last := days[len(days)-1]
	month, dom := last[:7], last[8:]
	prevMonth := previousMonth(month)
	var cur, prev decimal.Decimal
	sawPrev := false
	for i, day := range days {
		switch {
		case day[:7] == month:
			cur = cur.Add(total[i])
		case day[:7] == prevMonth && day[8:] <= dom:
			prev = prev.Add(total[i])
			sawPrev = true
		}
	}
	m := MonthToDate{Month: month, Through: last, Value: cur.String()}
	if sawPrev {
		m.Previous = prev.String()
	}
	return m
}

// previousMonth returns the month before "YYYY-MM".
func previousMonth(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return "" // days come from dayRange, which parsed them
	}
	return t.AddDate(0, -1, 0).Format("2006-01")
}

// movers lists the groups whose cost changed most from the day before the
// last, and from a week before it, n of each, by size of change.
func movers(days []string, groups map[string][]decimal.Decimal, n int) []Mover {
	out := []Mover{}
	last := len(days) - 1
	for _, k := range []struct {
		kind string
		back int
	}{{"day", 1}, {"week", 7}} {
		from := last - k.back
		if from < 0 {
			continue
		}
		var ms []Mover
		var changes []decimal.Decimal
		for name, vs := range groups {
			c := vs[last].Sub(vs[from])
			if c.IsZero() {
				continue
			}
			ms = append(ms, Mover{Kind: k.kind, Name: name, From: days[from], To: days[last],
				Before: vs[from].String(), After: vs[last].String(), Change: c.String()})
			changes = append(changes, c)
		}
		idx := make([]int, len(ms))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			ca, cb := abs(changes[a]), abs(changes[b])
			if c := cb.Cmp(ca); c != 0 {
				return c
			}
			if ms[a].Name < ms[b].Name {
				return -1
			}
			return 1
		})
		for i, j := range idx {
			if i == n {
				break
			}
			out = append(out, ms[j])
		}
	}
	return out
}

func abs(d decimal.Decimal) decimal.Decimal {
	if d.Sign() < 0 {
		return d.Neg()
	}
	return d
}
