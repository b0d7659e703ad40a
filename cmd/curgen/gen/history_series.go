package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// unit is how many of the history's money units make one of a currency:
// every figure is a whole number of 10^-8.
const unit = 100_000_000

// maxUnits bounds a line's figure, so that it has at most 15 significant
// digits and its double prints back as the same decimal (see amount).
const maxUnits = 100_000_000_000_000 // 1,000,000.00000000

// units returns m units as an exact decimal.
func units(m int64) decimal.Decimal {
	return decimal.MustParse(strconv.FormatInt(m, 10) + "e-8")
}

// asFloat returns m units as the double whose shortest form is their value.
func asFloat(m int64) float64 { return float64(m) / unit }

// taxRates are the tax of each invoicing entity, in basis points of a
// series' month of charges. The EMEA payer buys with its VAT number
// (reverse charge): no tax lines.
var taxRates = map[string]int64{"Sales Tax": 700, "VAT": 0, "Canada Tax": 500, "JCT": 1000}

// hseries is one series of the history and how its costs are drawn.
type hseries struct {
	id      uint64 // creation order: the seed of its line items' ids
	payer   *payer
	acct    *account
	svc     *serviceDef
	comps   []*profile // the line items of a day: a usage type in a region each
	first   int        // the first day it costs anything
	monthly bool       // AWS Support: one fee on the 1st of each month
	isNew   bool       // a new account's or a new service's
	label   bool       // holds a planted anomaly
	base    float64    // mean cost a day at the start, in currency units

	usage    []int64 // clean cost of each day and component, [day*len(comps)+c]
	extra    []int64 // planted extra of each day and component
	credit   []int64 // clean daily credit (negative), nil for most series
	refund   map[int]int64
	riHourly int64 // the monthly RI fee per hour, 0 for none

	tags      [len(tagColumns)]string
	resources []string
}

// at returns the index of day t's component c.
func (s *hseries) at(t, c int) int { return t*len(s.comps) + c }

// dayUsage returns the clean usage of day t, all components.
func (s *hseries) dayUsage(t int) int64 {
	var u int64
	for c := range s.comps {
		u += s.usage[s.at(t, c)]
	}
	return u
}

// dayClean returns the clean gross cost of day t: usage, credit, refund.
func (s *hseries) dayClean(t int) int64 {
	u := s.dayUsage(t)
	if s.credit != nil {
		u += s.credit[t]
	}
	return u + s.refund[t]
}

// netOf returns the net unblended figure of a usage or credit line of
// unblended figure u: the payer's discount off, rounded half away from
// zero to the unit.
func netOf(p *payer, u int64) int64 {
	bp := int64(math.Round(p.discount * 10000))
	if bp == 0 {
		return u
	}
	n := u * (10000 - bp)
	if n < 0 {
		return -((-n + 5000) / 10000)
	}
	return (n + 5000) / 10000
}

// buildSeries draws the series of the accounts newDataset made, each
// account some services, and the monthly support series of each payer.
func (h *HistoryData) buildSeries(r *rand.Rand) {
	cfg, d := h.Config, h.d
	// Every account gets three services (or its share, if fewer), the
	// rest go to accounts drawn by a skewed weight: a few accounts run
	// most services.
	counts := make([]int, len(d.accounts))
	weights := make([]float64, len(d.accounts))
	sum := 0.0
	for i := range counts {
		counts[i] = min(3, cfg.Series/len(d.accounts))
		u := r.Float64()
		weights[i] = 0.3 + u*u*u*3
		sum += weights[i]
	}
	for rest := cfg.Series - counts[0]*len(counts); rest > 0; {
		x := r.Float64() * sum
		i := 0
		for ; i < len(weights)-1 && x >= weights[i]; i++ {
			x -= weights[i]
		}
		if counts[i] < len(serviceDefs) {
			counts[i]++
			rest--
		}
	}
	for i, a := range d.accounts {
		home := homeRegion(r)
		for _, si := range pickServices(r, counts[i], nil) {
			s := h.newSeries(r, a, &serviceDefs[si], home, 0, 5*math.Pow(1000, r.Float64()))
			h.ser = append(h.ser, s)
		}
	}
	// One in two big EC2 series pays a monthly RI fee of half a day's to a
	// day and a half's cost.
	for _, s := range h.ser {
		if s.svc.code == "AmazonEC2" && s.base >= 100 && r.IntN(2) == 0 {
			s.riHourly = int64(s.base * (0.5 + r.Float64()) / 720 * unit)
		}
	}
	// A few series get daily credits of 2% to 8%, a few others one-off
	// refunds, each below the materiality bar.
	for n := 0; n < 4; n++ {
		s := h.ser[r.IntN(len(h.ser))]
		if s.credit != nil || s.base < 20 {
			continue
		}
		rate := 0.02 + 0.06*r.Float64()
		s.credit = make([]int64, cfg.Days)
		for t := range s.credit {
			s.credit[t] = -int64(math.Round(float64(s.dayUsage(t)) * rate))
		}
	}
	for n := 0; n < 3; n++ {
		s := h.ser[r.IntN(len(h.ser))]
		t := 1 + r.IntN(cfg.Days-1)
		if h.Days[t].Day() == 1 {
			continue
		}
		if s.refund == nil {
			s.refund = map[int]int64{}
		}
		s.refund[t] = -min(40*unit, s.dayUsage(t)/10)
	}
	for _, p := range d.payers {
		h.nextID++
		h.ser = append(h.ser, &hseries{id: h.nextID, payer: p, acct: p.accounts[0], svc: supportService, monthly: true})
	}
}

// homeRegion draws the region an account runs most in: us-east-1 for
// four in ten.
func homeRegion(r *rand.Rand) region {
	if r.IntN(10) < 4 {
		return regions[0]
	}
	return regions[1+r.IntN(len(regions)-1)]
}

// pickServices draws n distinct services by their weight, none of has.
func pickServices(r *rand.Rand, n int, has map[string]bool) []int {
	var left []int
	total := 0
	for i, s := range serviceDefs {
		if !has[s.code] {
			left = append(left, i)
			total += s.weight
		}
	}
	var out []int
	for ; n > 0 && len(left) > 0; n-- {
		x := r.IntN(total)
		k := 0
		for ; x >= serviceDefs[left[k]].weight; k++ {
			x -= serviceDefs[left[k]].weight
		}
		out = append(out, left[k])
		total -= serviceDefs[left[k]].weight
		left = append(left[:k], left[k+1:]...)
	}
	sort.Ints(out)
	return out
}

// newSeries draws a series of svc in account a from day first, with a mean
// of base a day at the start: its components, seasonality, noise, trend.
func (h *HistoryData) newSeries(r *rand.Rand, a *account, svc *serviceDef, home region, first int, base float64) *hseries {
	days := h.Config.Days
	h.nextID++
	s := &hseries{id: h.nextID, payer: a.payer, acct: a, svc: svc, first: first, base: base}
	s.comps = pickComponents(r, h.d.byService[serviceIndex(svc)], home, 2+r.IntN(3))
	shares := make([]float64, len(s.comps))
	total := 0.0
	for c := range shares {
		shares[c] = 1
		if c > 0 {
			shares[c] = 0.1 + 0.8*r.Float64()
		}
		total += shares[c]
	}
	// Weekends: flat for two in five, a little lower for three in ten,
	// much lower (dev and office workloads) for the rest.
	weekend := 1.0
	switch k := r.IntN(10); {
	case k >= 7:
		weekend = 0.25 + 0.35*r.Float64()
	case k >= 4:
		weekend = 0.8 + 0.15*r.Float64()
	}
	sigma := 0.015 + 0.045*r.Float64()
	trend := 0.0
	if r.IntN(10) < 3 {
		trend = 0.0002 + 0.0013*r.Float64()
		if r.IntN(10) < 3 {
			trend = -trend
		}
	}
	s.usage = make([]int64, days*len(s.comps))
	s.extra = make([]int64, days*len(s.comps))
	for t := first; t < days; t++ {
		mean := base * math.Pow(1+trend, float64(t-first))
		if wd := h.Days[t].Weekday(); wd == 0 || wd == 6 {
			mean *= weekend
		}
		day := math.Exp(sigma * r.NormFloat64())
		for c := range s.comps {
			v := mean * shares[c] / total * day * math.Exp(sigma/2*r.NormFloat64())
			s.usage[s.at(t, c)] = max(1000, int64(v*unit))
		}
	}
	for i := range s.tags {
		if pool := tagPools[i]; r.IntN(4) != 0 {
			s.tags[i] = pool[r.IntN(len(pool))]
		}
	}
	for c, p := range s.comps {
		s.resources = append(s.resources, resourceID(p, a, c, r.Uint64()))
	}
	return s
}

func serviceIndex(svc *serviceDef) int {
	for i := range serviceDefs {
		if &serviceDefs[i] == svc {
			return i
		}
	}
	return 0
}

// pickComponents draws n distinct products of one service: the first in
// the home region, the others there or, one time in three, elsewhere.
func pickComponents(r *rand.Rand, ps []*profile, home region, n int) []*profile {
	var here, away []*profile
	for _, p := range ps {
		if p.region == home {
			here = append(here, p)
		} else {
			away = append(away, p)
		}
	}
	var out []*profile
	take := func(from *[]*profile) {
		k := r.IntN(len(*from))
		out = append(out, (*from)[k])
		*from = append((*from)[:k:k], (*from)[k+1:]...)
	}
	take(&here)
	for len(out) < n && len(here)+len(away) > 0 {
		if len(away) > 0 && (len(here) == 0 || r.IntN(3) == 0) {
			take(&away)
		} else {
			take(&here)
		}
	}
	return out
}

// resourceID names the resource of a component, as AWS forms its ids.
func resourceID(p *profile, a *account, c int, h uint64) string {
	team := tagTeams[h%uint64(len(tagTeams))]
	switch f := p.svc.resource; {
	case f == "":
		return ""
	case f == "i-":
		if p.unit != "Hrs" {
			return fmt.Sprintf("vol-%017x", h>>4)
		}
		return fmt.Sprintf("i-%017x", h>>4)
	case f == "bucket":
		return fmt.Sprintf("%s-data-%d", team, h%1000)
	default:
		return fmt.Sprintf(f, p.region.code, a.id, fmt.Sprintf("%s-%x%d", team, h>>48, c))
	}
}
