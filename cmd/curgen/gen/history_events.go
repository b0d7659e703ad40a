package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// event is one planted anomaly in one series, before its figures are
// taken from the costs.
type event struct {
	kind       AnomalyKind
	s          *hseries
	start, end int
	group      string
	material   bool
	delivery   int // for a restated spike: the delivery that held it
	comp       int
}

// planter plants anomalies in a history's series.
type planter struct {
	h     *HistoryData
	r     *rand.Rand
	pairs int
}

// tries bounds the attempts at placing one anomaly before plant gives up.
const tries = 4000

// plant plants the anomalies the config counts, the hardest to place
// first. Each attempt draws a series, a day and a size, and keeps them only
// if the impact is on the intended side of the materiality bar with a
// margin.
func (h *HistoryData) plant(r *rand.Rand) error {
	p := &planter{h: h, r: r}
	e := h.Config.Events
	steps := []struct {
		name string
		n    int
		try  func(i int) bool
	}{
		{"new_account", e.NewAccounts, func(int) bool { return p.newAccount() }},
		{"new_service", e.NewServices, func(int) bool { return p.newService() }},
		{"masked_pair", e.MaskedPairs, func(int) bool { return p.maskedPair() }},
		{"restated_spike", e.RestatedSpikes, func(int) bool { return p.restatedSpike() }},
		{"drift", e.Drifts, func(int) bool { return p.drift() }},
		{"level_shift", e.LevelShifts, func(int) bool { return p.levelShift(0.25, 1, true) }},
		{"spike", e.Spikes, func(int) bool { return p.spike() }},
		{"bump", e.Bumps, func(i int) bool { return p.bump(i%2 == 0) }},
	}
	for _, st := range steps {
		for i := 0; i < st.n; i++ {
			ok := false
			for k := 0; k < tries && !ok; k++ {
				ok = st.try(i)
			}
			if !ok {
				return fmt.Errorf("could not plant %s %d of %d: too few series or days for them", st.name, i+1, st.n)
			}
		}
	}
	return nil
}

// bar is the materiality bar for an expected cost e: max(50, 20% of e).
func bar(e int64) int64 { return max(50*unit, e/5) }

// material tells whether impact x clears the bar of expected e with a
// margin wide enough for the payer's discount and rounding.
func material(x, e int64) bool { return x >= bar(e)*5/4 }

// small tells whether x stays well below the bar of e.
func small(x, e int64) bool { return x <= bar(e)*3/4 }

// day draws a start day after the warm-up, not a 1st of a month, leaving
// room for n days from it.
func (p *planter) day(n int) (int, bool) {
	cfg := p.h.Config
	span := cfg.Days - n - cfg.Warmup + 1
	if span <= 0 {
		return 0, false
	}
	t := cfg.Warmup + p.r.IntN(span)
	return t, p.h.Days[t].Day() != 1
}

// pick draws a series with no anomaly yet, of payer py unless nil.
func (p *planter) pick(py *payer) *hseries {
	var c []*hseries
	for _, s := range p.h.ser {
		if !s.monthly && !s.isNew && !s.label && (py == nil || s.payer == py) {
			c = append(c, s)
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[p.r.IntN(len(c))]
}

func (p *planter) record(e event) {
	e.s.label = true
	p.h.events = append(p.h.events, e)
}

// uniform draws from [lo, hi).
func (p *planter) uniform(lo, hi float64) float64 { return lo + (hi-lo)*p.r.Float64() }

func (p *planter) spike() bool {
	s, t, x, ok := p.oneDay(2, 10)
	if !ok || !material(x, s.dayClean(t)) {
		return false
	}
	c := p.r.IntN(len(s.comps))
	s.extra[s.at(t, c)] += x
	p.record(event{kind: KindSpike, s: s, start: t, end: t, material: true, comp: c})
	return true
}

// oneDay draws a series, a day and the extra of a spike of lo to hi times
// the day's usage.
func (p *planter) oneDay(lo, hi float64) (*hseries, int, int64, bool) {
	s := p.pick(nil)
	t, ok := p.day(1)
	if s == nil || !ok {
		return nil, 0, 0, false
	}
	x := int64((p.uniform(lo, hi) - 1) * float64(s.dayUsage(t)))
	return s, t, x, x < maxUnits/4
}

// restatedSpike puts a spike on the newest complete day of an older
// delivery: the next one holds that day without it.
func (p *planter) restatedSpike() bool {
	h := p.h
	var older []int
	for di, dv := range h.deliveries {
		t := dv.last - 1
		if !dv.current && t >= dv.first && t >= h.Config.Warmup && h.Days[t].Day() != 1 {
			older = append(older, di)
		}
	}
	s := p.pick(nil)
	if len(older) == 0 || s == nil {
		return false
	}
	di := older[p.r.IntN(len(older))]
	t := h.deliveries[di].last - 1
	x := int64((p.uniform(3, 8) - 1) * float64(s.dayUsage(t)))
	if x >= maxUnits/4 || !material(x, s.dayClean(t)) {
		return false
	}
	c := p.r.IntN(len(s.comps))
	if h.restated == nil {
		h.restated = map[restatement]int64{}
	}
	h.restated[restatement{di, s.id, t, c}] = x
	p.record(event{kind: KindRestatedSpike, s: s, start: t, end: t, group: h.deliveries[di].id, material: true, delivery: di, comp: c})
	return true
}

// levelShift adds lo to hi of each day's usage from a start day for 3 to
// 21 days, or until the end for three in ten (if long).
func (p *planter) levelShift(lo, hi float64, long bool) bool {
	n := 3 + p.r.IntN(19)
	if !long {
		n = 3 + p.r.IntN(8)
	}
	s := p.pick(nil)
	t, ok := p.day(n)
	if s == nil || !ok {
		return false
	}
	end := t + n - 1
	if long && p.r.IntN(10) < 3 {
		end = p.h.Config.Days - 1
	}
	f := p.uniform(lo, hi)
	x, e := int64(f*float64(s.dayUsage(t))), s.dayClean(t)
	if (long && !material(x, e)) || (!long && (!small(x, e) || x < unit/10)) || x >= maxUnits/4 {
		return false
	}
	c := p.r.IntN(len(s.comps))
	for d := t; d <= end; d++ {
		s.extra[s.at(d, c)] += int64(f * float64(s.dayUsage(d)))
	}
	p.record(event{kind: KindLevelShift, s: s, start: t, end: end, material: long, comp: c})
	return true
}

// drift grows one component by 2% to 5% of the day's usage a day, for 7
// to 21 days, to at least 30% more; the cost then stays there.
func (p *planter) drift() bool {
	n := 7 + p.r.IntN(15)
	g := p.uniform(0.02, 0.05)
	s := p.pick(nil)
	t, ok := p.day(n)
	grown := math.Pow(1+g, float64(n)) - 1
	if s == nil || !ok || grown < 0.3 {
		return false
	}
	end := t + n - 1
	if x := int64(grown * float64(s.dayUsage(end))); x >= maxUnits/4 || !material(x, s.dayClean(t)) {
		return false
	}
	c := p.r.IntN(len(s.comps))
	for d := t; d < p.h.Config.Days; d++ {
		f := grown
		if d <= end {
			f = math.Pow(1+g, float64(d-t+1)) - 1
		}
		s.extra[s.at(d, c)] += int64(f * float64(s.dayUsage(d)))
	}
	p.record(event{kind: KindDrift, s: s, start: t, end: end, material: true, comp: c})
	return true
}

// bump plants an anomaly below the bar: a spike or a short level shift of
// 5% to 14% (30% to 80% on series under 40 a day).
func (p *planter) bump(spike bool) bool {
	if !spike {
		if p.r.IntN(2) == 0 {
			return p.levelShift(0.05, 0.14, false)
		}
		return p.levelShift(0.3, 0.8, false)
	}
	lo, hi := 1.05, 1.14
	if p.r.IntN(2) == 0 {
		lo, hi = 1.3, 1.8
	}
	s, t, x, ok := p.oneDay(lo, hi)
	if !ok || !small(x, s.dayClean(t)) || x < unit/10 {
		return false
	}
	c := p.r.IntN(len(s.comps))
	s.extra[s.at(t, c)] += x
	p.record(event{kind: KindSpike, s: s, start: t, end: t, comp: c})
	return true
}

// maskedPair moves a fixed amount X from one series of a payer to
// another for 3 to 14 days (or until the end, one time in five): one
// rises by X a day, the other falls by X give or take 3%.
func (p *planter) maskedPair() bool {
	h := p.h
	py := h.d.payers[p.r.IntN(len(h.d.payers))]
	up, down := p.pick(py), p.pick(py)
	n := 3 + p.r.IntN(12)
	t, ok := p.day(n)
	if up == nil || down == nil || up == down || !ok {
		return false
	}
	end := t + n - 1
	if p.r.IntN(5) == 0 {
		end = h.Config.Days - 1
	}
	// The fall lands on the first component of down, the biggest by
	// share, and takes at most 80% of its smallest day in the window.
	low := int64(math.MaxInt64)
	for d := t; d <= end; d++ {
		low = min(low, down.usage[down.at(d, 0)])
	}
	x := int64(p.uniform(0.5, 0.8) * float64(low))
	if x >= maxUnits/4 || !material(x, up.dayClean(t)) || !material(x, down.dayClean(t)) {
		return false
	}
	c := p.r.IntN(len(up.comps))
	for d := t; d <= end; d++ {
		up.extra[up.at(d, c)] += x
		down.extra[down.at(d, 0)] -= int64(float64(x) * p.uniform(0.97, 1.03))
	}
	p.pairs++
	g := fmt.Sprintf("pair-%d", p.pairs)
	p.record(event{kind: KindMaskedPair, s: up, start: t, end: end, group: g, material: true, comp: c})
	p.record(event{kind: KindMaskedPair, s: down, start: t, end: end, group: g, material: true})
	return true
}

// newService starts a service new to an existing account.
func (p *planter) newService() bool {
	h := p.h
	base := h.ser[p.r.IntN(len(h.ser))]
	if base.monthly || base.isNew {
		return false
	}
	has := map[string]bool{}
	for _, s := range h.ser {
		if s.acct == base.acct {
			has[s.svc.code] = true
		}
	}
	svcs := pickServices(p.r, 1, has)
	t, ok := p.day(8)
	if len(svcs) == 0 || !ok {
		return false
	}
	s := p.newcomer(base.acct, svcs[0], homeRegion(p.r), t)
	if s == nil {
		return false
	}
	h.ser = append(h.ser, s)
	p.record(event{kind: KindNewService, s: s, start: t, end: t, material: true})
	return true
}

// newAccount opens a usage account in a payer, with spend in two to four
// services from its first day.
func (p *planter) newAccount() bool {
	h := p.h
	py := h.d.payers[p.r.IntN(len(h.d.payers))]
	t, ok := p.day(8)
	if !ok {
		return false
	}
	used := map[string]bool{}
	for _, a := range h.d.accounts {
		used[a.id] = true
	}
	a := &account{id: accountID(p.r, used, len(h.d.accounts)), payer: py, index: len(h.d.accounts)}
	a.costCats = [2]string{businessUnit[p.r.IntN(len(businessUnit))], ccEnvs[p.r.IntN(len(ccEnvs))]}
	home := homeRegion(p.r)
	var ser []*hseries
	for _, si := range pickServices(p.r, 2+p.r.IntN(3), nil) {
		s := p.newcomer(a, si, home, t)
		if s == nil {
			return false
		}
		ser = append(ser, s)
	}
	h.d.accounts = append(h.d.accounts, a)
	py.accounts = append(py.accounts, a)
	for _, s := range ser {
		h.ser = append(h.ser, s)
		p.record(event{kind: KindNewAccount, s: s, start: t, end: t, material: true})
	}
	return true
}

// newcomer draws a series of service si from day t with material spend
// on that day, or nil if twenty draws miss.
func (p *planter) newcomer(a *account, si int, home region, t int) *hseries {
	for range 20 {
		s := p.h.newSeries(p.r, a, &serviceDefs[si], home, t, 150*math.Pow(2000.0/150, p.r.Float64()))
		if material(s.dayClean(t), 0) && s.dayUsage(t) < maxUnits/4 {
			s.isNew = true
			return s
		}
	}
	return nil
}
