package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// rowGen draws the line items of one data file.
type rowGen struct {
	d    *dataset
	r    *rand.Rand
	per  *period
	days int // days of the period that this report version covers
	it   item
}

func newRowGen(d *dataset, per *period, days int, seed1, seed2 uint64) *rowGen {
	return &rowGen{d: d, r: rand.New(rand.NewPCG(seed1, seed2)), per: per, days: days}
}

// next returns the next line item, valid until the following call.
func (g *rowGen) next() *item {
	r := g.r
	it := &g.it
	*it = item{}
	// Squaring skews usage towards a few big accounts, as in real orgs.
	u := r.Float64()
	it.acct = g.d.accounts[int(u*u*float64(len(g.d.accounts)))]
	it.payer, it.per = it.acct.payer, g.per
	it.id = lineItemID(r)
	it.typ = typeTable[r.IntN(len(typeTable))]
	it.billType, it.billingEntity, it.term = "Anniversary", "AWS", "OnDemand"
	disc := it.payer.discount
	switch it.typ {
	case "Usage":
		g.usage(g.product(), disc)
		if r.IntN(20) == 0 {
			it.cost, it.blended = val(0), val(0) // free tier
			if it.net.set {
				it.net = val(0)
			}
		}
	case "DiscountedUsage":
		g.usage(g.d.reserved[r.IntN(len(g.d.reserved))], disc)
		eff := money(r, -3, 0)
		it.cost, it.blended, it.rate, it.blendedRate = val(0), val(0), val(0), val(0)
		it.pubCost = val(eff * 1.6)
		it.riEffective = val(eff)
		it.riAmortUsage = val(frac(r, eff, 0.3, 0.6))
		it.riRecurUsage = val(eff - it.riAmortUsage.f)
		it.term, it.offeringClass, it.purchaseOption, it.leaseTerm = "Reserved", "standard", "Partial Upfront", "1yr"
		it.desc = fmt.Sprintf("USD %s hourly fee per %s, %s instance", trimRate(it.prof.rate*0.6), "Linux/UNIX (Amazon VPC)", it.prof.product[productIndex["instanceType"]])
		g.reservation()
		if disc > 0 {
			it.net, it.riNetEffective = val(0), val(eff*(1-disc))
		}
	case "SavingsPlanCoveredUsage":
		g.usage(g.d.covered[r.IntN(len(g.d.covered))], disc)
		it.spEffective = val(frac(r, it.cost.f, 0.55, 0.8))
		it.spRate = val(it.rate.f * 0.72)
		if disc > 0 {
			it.spNetEffective = val(it.spEffective.f * (1 - disc))
		}
		g.savingsPlan()
	case "SavingsPlanNegation":
		g.usage(g.d.covered[r.IntN(len(g.d.covered))], disc)
		it.negate()
		it.desc = fmt.Sprintf("SavingsPlanNegation used by AccountId : %s and UsageSku : %s", it.acct.id, it.prof.sku)
		g.savingsPlan()
	case "SavingsPlanRecurringFee":
		g.monthly(spService)
		c := money(r, 1, 3)
		it.cost, it.blended = val(c), val(c)
		it.spTotal, it.spRecurCommit = val(c), val(c)
		it.spUsed = val(frac(r, c, 0.6, 1.0))
		it.usageType, it.desc = "ComputeSP:1yrNoUpfront", "1 year No Upfront Compute Savings Plan"
		g.savingsPlan()
	case "SavingsPlanUpfrontFee":
		g.monthly(spService)
		c := money(r, 2, 4)
		it.cost, it.blended, it.billType = val(c), val(c), "Purchase"
		it.usageType, it.desc = "ComputeSP:3yrAllUpfront", "3 year All Upfront Compute Savings Plan"
		g.savingsPlan()
	case "RIFee":
		p := g.d.reserved[r.IntN(len(g.d.reserved))]
		g.monthly(p.svc)
		c := money(r, 0, 3)
		it.cost, it.blended = val(c), val(c)
		it.riUnusedUpfront = val(frac(r, c, 0, 0.3))
		it.riUnusedRecur = val(frac(r, c, 0, 0.2))
		it.riAmortPeriod = val(frac(r, c, 0.5, 1.5))
		it.riUpfront = val(money(r, 2, 4))
		it.usageType = p.region.prefix + "HeavyUsage:" + p.product[productIndex["instanceType"]]
		it.desc = "USD 0.0 hourly fee per Linux/UNIX (Amazon VPC), " + p.product[productIndex["instanceType"]] + " instance"
		g.reservation()
	case "Fee":
		if r.IntN(2) == 0 {
			p := g.d.reserved[r.IntN(len(g.d.reserved))]
			g.monthly(p.svc)
			it.billType = "Purchase"
			it.desc = fmt.Sprintf("Sign up charge for subscription: %d, planId: %d", 100000000+r.IntN(900000000), 2000+r.IntN(8000))
			g.reservation() // the reservation's upfront fee: amortized through DiscountedUsage
		} else {
			g.monthly(supportService)
			it.desc = "AWS Support (Business) fee"
		}
		c := money(r, 1, 4)
		it.cost, it.blended = val(c), val(c)
	case "Tax":
		g.monthly(&serviceDefs[g.service()])
		c := money(r, -3, 2)
		it.cost, it.blended, it.usage = val(c), val(c), val(1)
		it.taxType, it.desc = it.payer.taxType, "Tax for product code "+it.svc.code
		it.billingEntity = "AWS"
		// No net figure: a reader must fall back to the unblended one.
	case "Credit":
		g.usage(g.product(), disc)
		if r.IntN(2) == 0 {
			g.monthly(it.svc)
		}
		it.negate()
		it.desc = "AWS Credits, promotional (Activate)"
	case "Refund":
		if r.IntN(3) == 0 {
			g.monthly(spService)
			it.desc = "Refund of Savings Plan upfront fee, \"3yr\" plan"
		} else {
			g.monthly(&serviceDefs[g.service()])
			it.desc = "Refund for service disruption, partial"
		}
		c := -money(r, -2, 2)
		it.cost, it.blended, it.billType = val(c), val(c), "Refund"
	default: // the discounts
		g.usage(g.product(), disc)
		if it.typ == "RiVolumeDiscount" || it.typ == "Discount" {
			g.monthly(it.svc)
		}
		it.negate()
		it.discTotal = it.cost
		if it.typ == "BundledDiscount" {
			it.discBundled = it.cost
		}
		if disc > 0 {
			it.net, it.netRate = val(0), val(0)
		}
		it.desc = it.typ + " for " + it.svc.name
	}
	if scale := g.d.cfg.MaxScale; scale > 0 {
		it.limitScale(scale)
	}
	if it.resource != "" && r.IntN(10) < 7 {
		for i := range it.tags {
			if pool := tagPools[i]; r.IntN(4) != 0 {
				it.tags[i] = pool[r.IntN(len(pool))]
			}
		}
	}
	return it
}

// service picks a service index by its usage weight.
func (g *rowGen) service() int {
	w := g.d.weights
	n := g.r.IntN(w[len(w)-1])
	for i, c := range w {
		if n < c {
			return i
		}
	}
	return len(w) - 1
}

func (g *rowGen) product() *profile {
	ps := g.d.byService[g.service()]
	return ps[g.r.IntN(len(ps))]
}

// usage fills an hour of on-demand usage of p.
func (g *rowGen) usage(p *profile, disc float64) {
	r, it := g.r, &g.it
	it.prof, it.svc = p, p.svc
	it.start = g.per.start.Add(time.Duration(r.IntN(g.days)*24+r.IntN(24)) * time.Hour)
	it.end = it.start.Add(time.Hour)
	it.usageType, it.operation, it.desc = p.usageType, p.operation, p.desc
	if p.unit == "Hrs" {
		it.usage = val(1)
		if r.IntN(5) == 0 {
			it.usage = val(float64(1+r.IntN(3599)) / 3600)
		}
		it.az = p.region.code + string(rune('a'+r.IntN(3)))
		if nf := p.product[productIndex["normalizationSizeFactor"]]; nf != "" {
			f, _ := strconv.ParseFloat(nf, 64)
			it.normFactor, it.normUsage = val(f), val(f*it.usage.f)
		}
	} else {
		it.usage = val(money(r, -4, 3))
	}
	c := money(r, p.svc.lo, p.svc.hi)
	it.cost, it.blended = val(c), val(c)
	it.rate, it.blendedRate = val(p.rate), val(p.rate)
	it.pubCost, it.pubRate = val(c), val(p.rate)
	if disc > 0 {
		it.net, it.netRate = val(c*(1-disc)), val(p.rate*(1-disc))
	}
	it.resource = g.resource(p)
}

// monthly makes it a line for the whole period, which starts on the 1st.
func (g *rowGen) monthly(s *serviceDef) {
	it := &g.it
	it.svc = s
	if it.prof != nil && it.prof.svc != s {
		it.prof = nil
	}
	it.start, it.end = g.per.start, g.per.end
}

// negate turns the line's figures into the credit that offsets them.
func (it *item) negate() {
	for _, a := range []*amount{&it.cost, &it.blended, &it.net} {
		if a.set {
			a.f = -a.f
		}
	}
}

func (g *rowGen) reservation() {
	r, it := g.r, &g.it
	n := r.IntN(40)
	it.riARN = fmt.Sprintf("arn:aws:ec2:us-east-1:%s:reserved-instances/%08x-%04x-4%03x-8%03x-%012x",
		it.payer.id, n*7919, n, n, n, n*104729)
	it.riStart = g.per.start.AddDate(0, -n%11, 0).Format("2006-01-02T15:04:05.000Z")
	it.riEnd = g.per.start.AddDate(1, -n%11, 0).Format("2006-01-02T15:04:05.000Z")
	it.riModStatus, it.riSubID = "Original", strconv.Itoa(1000000000+n*7)
	it.riCount = val(float64(1 + n%10))
	it.riUnits = val(float64(744 * (1 + n%10)))
	it.riNormUnits = val(float64(2976 * (1 + n%10)))
	if it.typ == "RIFee" {
		it.riUnusedQty = val(float64(r.IntN(100)))
	}
}

func (g *rowGen) savingsPlan() {
	it := &g.it
	n := int(it.payer.invoiceNo % 97)
	it.spARN = fmt.Sprintf("arn:aws:savingsplans::%s:savingsplan/%08x-%04x-4%03x-9%03x-%012x", it.payer.id, n*31, n, n, n, n*7)
	it.spStart = g.per.start.AddDate(0, -3, 0).Format("2006-01-02T15:04:05.000Z")
	it.spEnd = g.per.start.AddDate(1, -3, 0).Format("2006-01-02T15:04:05.000Z")
	it.spOffering, it.spPayment, it.spTerm, it.spRegion = "ComputeSavingsPlans", "No Upfront", "1yr", "Any"
}

// resource returns one of a dozen resources per account and product, so
// that resources repeat hour after hour as real ones do.
func (g *rowGen) resource(p *profile) string {
	it := &g.it
	h := uint64(it.acct.index+1)*0x9e3779b97f4a7c15 ^ uint64(g.r.IntN(12)+1)*0xbf58476d1ce4e5b9 ^ uint64(len(p.usageType))<<40
	switch f := p.svc.resource; {
	case f == "":
		return ""
	case f == "i-":
		if p.unit != "Hrs" {
			return fmt.Sprintf("vol-%017x", h>>4)
		}
		return fmt.Sprintf("i-%017x", h>>4)
	case f == "bucket":
		return fmt.Sprintf("%s-data-%d", tagTeams[h%uint64(len(tagTeams))], h%1000)
	default:
		return fmt.Sprintf(f, p.region.code, it.acct.id, fmt.Sprintf("%s-%x", tagTeams[h%uint64(len(tagTeams))], h>>48))
	}
}

const idChars = "abcdefghijklmnopqrstuvwxyz234567"

// lineItemID is identity/LineItemId: 52 base-32 characters, as AWS writes.
func lineItemID(r *rand.Rand) string {
	var b [52]byte
	for i := 0; i < len(b); i += 12 {
		v := r.Uint64()
		for j := i; j < i+12 && j < len(b); j++ {
			b[j] = idChars[v&31]
			v >>= 5
		}
	}
	return string(b[:])
}
