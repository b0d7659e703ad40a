package main

import (
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
)

// delivery is the totals of one report version alone: one billing period,
// from its first day to the newest day the version holds.
type delivery struct {
	name          string
	cells         []cell
	first, newest anomaly.Day
	// complete: the version reaches its period's last day. Otherwise its
	// newest day is still being billed, as in every delivery of a month
	// in progress, and is judged as a partial day.
	complete bool
	payers   map[string]bool
}

// readDelivery reads one report version's daily_detail.csv.
func readDelivery(path string) (*delivery, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cells, err := scanCells(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dv := &delivery{name: path, cells: cells, first: cells[0].day, newest: cells[0].day, payers: map[string]bool{}}
	for _, c := range cells {
		dv.first, dv.newest = min(dv.first, c.day), max(dv.newest, c.day)
		dv.payers[c.key.Payer] = true
	}
	for !dv.first.MonthStart() {
		dv.first--
	}
	if dv.newest.PrevMonthStart() >= dv.first {
		return nil, fmt.Errorf("%s: days from %s to %s: a report version holds one billing period", path, dv.first, dv.newest)
	}
	dv.complete = (dv.newest + 1).MonthStart()
	return dv, nil
}

// replayDeliveries replays report versions in the order they were
// delivered, as a deployment sees them: each version replaces the figures
// of its period's days, up to its newest day, for its payers' series (a
// series it lacks costs nothing on them now); then each series whose
// figures changed, or which has days not judged yet, is judged from its
// first such day to the version's newest, in order, that newest day as a
// partial one unless the version completes its period. It returns the
// alerts raised (each marked resolved when a later version took it back)
// and the history the last versions leave.
func replayDeliveries(ds []*delivery, d detector) ([]alert, *history) {
	series := map[anomaly.Key]*anomaly.Series{}
	judged := map[anomaly.Key]anomaly.Day{}
	payerStart := map[string]anomaly.Day{}
	j := d.newJudge()
	type id struct {
		k anomaly.Key
		d anomaly.Day
	}
	var opened []alert
	resolved := map[id]bool{}
	for _, dv := range ds {
		next := map[anomaly.Key]map[anomaly.Day]decimal.Decimal{}
		add := func(k anomaly.Key, day anomaly.Day, c decimal.Decimal) {
			if next[k] == nil {
				next[k] = map[anomaly.Day]decimal.Decimal{}
			}
			next[k][day] = next[k][day].Add(c)
		}
		for _, c := range dv.cells {
			add(c.key, c.day, c.cost)
			add(anomaly.PayerTotal(c.key.Payer), c.day, c.cost)
		}
		for p := range dv.payers {
			if _, ok := payerStart[p]; !ok {
				payerStart[p] = dv.first
			}
		}
		keys := slices.Collect(maps.Keys(next))
		for k := range series {
			if dv.payers[k.Payer] && next[k] == nil {
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, compareKeys)
		for _, k := range keys {
			s := series[k]
			if s == nil {
				s = anomaly.NewSeries(k, payerStart[k.Payer])
				series[k] = s
				judged[k] = s.Start() - 1
			}
			from := judged[k] + 1
			for day := dv.first; day <= dv.newest; day++ {
				if c := next[k][day]; !s.Cost(day).Equal(c) {
					if err := s.Set(day, c); err != nil {
						panic(err) // days are never before the payer's first
					}
					from = min(from, day)
				}
			}
			for day := from; day <= dv.newest; day++ {
				j.day(s, day, day == dv.newest && !dv.complete,
					func(a alert) { opened = append(opened, a) },
					func(a alert) { resolved[id{a.key, a.start}] = true })
			}
			judged[k] = max(judged[k], dv.newest)
		}
	}
	for i, a := range opened {
		opened[i].resolved = resolved[id{a.key, a.start}]
	}
	h := &history{series: series, payerStart: payerStart, keys: slices.SortedFunc(maps.Keys(series), compareKeys)}
	h.first, h.last = ds[0].first, ds[0].newest
	for _, dv := range ds {
		h.first, h.last = min(h.first, dv.first), max(h.last, dv.newest)
	}
	return distinct(opened), h
}

// nopJudge judges nothing: a replay for its history alone.
type nopJudge struct{}

func (nopJudge) day(*anomaly.Series, anomaly.Day, bool, func(alert), func(alert)) {}

// sameCosts reports the first series and day whose cost differs between
// two histories.
func sameCosts(a, b *history) error {
	for _, k := range a.keys {
		if k.IsPayerTotal() {
			continue
		}
		s, t := a.series[k], b.series[k]
		for d := min(a.first, b.first); d <= max(a.last, b.last); d++ {
			x, y := s.Cost(d), decimal.Decimal{}
			if t != nil {
				y = t.Cost(d)
			}
			if !x.Equal(y) {
				return fmt.Errorf("%v on %s: %s, not %s", k, d, y, x)
			}
		}
	}
	for _, k := range b.keys {
		if _, ok := a.series[k]; !ok && !k.IsPayerTotal() {
			for d := b.first; d <= b.last; d++ {
				if !b.series[k].Cost(d).IsZero() {
					return fmt.Errorf("%v on %s: %s, not 0", k, d, b.series[k].Cost(d))
				}
			}
		}
	}
	return nil
}
