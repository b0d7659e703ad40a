package gen

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// PlantMonths is how many billing periods a planted dataset spans: the
// old snapshot must be billed 12 months before its last day, and one more
// month makes sure of it whatever the days.
const PlantMonths = 13

// plantRecentMonths is how many of the last periods the resources other
// than the old snapshot are billed in: 89 days at least, past the idle
// bucket's 60 and the 7 of the other idle windows.
const plantRecentMonths = 3

// PlantConfig describes a planted dataset: for every findings rule a
// resource the rule must flag, and a busy look-alike it must not.
type PlantConfig struct {
	Seed   uint64
	Start  time.Time // the first billing period's month
	Prefix string    // the report path prefix, as Config's
	Report string    // the report or export name
	Bucket string    // the bucket manifests name
	Level  int       // gzip level for CSV
}

// DefaultPlantConfig is DefaultConfig's seed, start and names.
func DefaultPlantConfig() PlantConfig {
	c := DefaultConfig()
	return PlantConfig{Seed: c.Seed, Start: c.Start, Prefix: c.Prefix, Report: c.Report, Bucket: c.Bucket, Level: c.Level}
}

// Planted is one planted resource and every line billed for it.
type Planted struct {
	Rule    string // the findings rule it is planted for, as findings names it
	Flagged bool   // true: the rule must flag it; false: a busy look-alike it must not
	What    string // a few words on what it is
	// The resource as a finding names it. Region is "" for a Savings Plan,
	// whose lines name none.
	ResourceID, Payer, Account, Region string
	Lines                              []PlantedLine
}

// PlantedLine is what one line of a planted resource bills, exactly as
// every rendering writes it. A line covers one day (usage and Savings
// Plan fees) or one billing period (a Reserved Instance's RIFee, dated
// the 1st).
type PlantedLine struct {
	Day          string // usage start, YYYY-MM-DD
	LineItemType string // CUR's: Usage, RIFee or SavingsPlanRecurringFee
	UsageType    string
	Amount       decimal.Decimal // usage amount; zero for commitment fees
	// Cost is the unblended cost: for an RIFee line the recurring fee,
	// for a SavingsPlanRecurringFee line the commitment (No Upfront).
	Cost decimal.Decimal
	// Unused is, on commitment fee lines, the unused recurring fee (RIFee)
	// or the commitment not used (SavingsPlanRecurringFee); zero elsewhere.
	Unused decimal.Decimal
}

// Plant is a planted dataset: its resources, and the line items that bill
// them in each billing period.
type Plant struct {
	cfg       PlantConfig
	d         *dataset
	Resources []*Planted
	items     [][]*item // by period
}

// NewPlant draws the planted dataset cfg describes. Ids, accounts,
// regions, sizes and amounts are drawn from the seed; which resource each
// rule must flag is not.
func NewPlant(cfg PlantConfig) *Plant {
	d := newDataset(Config{Seed: cfg.Seed, Format: CUR1CSV, Files: 1, Periods: PlantMonths, Versions: 1,
		Payers: 1, Accounts: 3, Start: cfg.Start, Prefix: cfg.Prefix, Report: cfg.Report, Bucket: cfg.Bucket,
		Level: cfg.Level, Workers: 1})
	p := &Plant{cfg: cfg, d: d, items: make([][]*item, PlantMonths)}
	b := &findingsPlanter{p: p, r: rand.New(rand.NewPCG(cfg.Seed, 0x706c616e74))}
	b.plant()
	return p
}

// Items counts the line items of the dataset.
func (p *Plant) Items() int {
	n := 0
	for _, its := range p.items {
		n += len(its)
	}
	return n
}

// findingsPlanter draws the resources and their lines.
type findingsPlanter struct {
	p *Plant
	r *rand.Rand
}

// dec is an exact decimal from its text; the findingsPlanter's figures are all
// written with few digits, which a double's shortest form keeps.
func dec(s string) decimal.Decimal { return decimal.MustParse(s) }

// mulRound returns x * y rounded to places fractional digits, halves
// away from zero, as an exact decimal.
func mulRound(x, y decimal.Decimal, places int) decimal.Decimal {
	rx, _ := new(big.Rat).SetString(x.String())
	ry, _ := new(big.Rat).SetString(y.String())
	r := new(big.Rat).Mul(rx, ry)
	return roundRat(r, places)
}

func roundRat(r *big.Rat, places int) decimal.Decimal {
	// FloatString rounds halves away from zero.
	return decimal.MustParse(r.FloatString(places))
}

// draw returns a decimal in [lo, hi] with places fractional digits.
func (b *findingsPlanter) draw(lo, hi string, places int) decimal.Decimal {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	l, _ := new(big.Rat).SetString(lo)
	h, _ := new(big.Rat).SetString(hi)
	span := new(big.Rat).Mul(new(big.Rat).Sub(h, l), new(big.Rat).SetInt(scale))
	n := span.Num().Int64() / span.Denom().Int64()
	v := new(big.Rat).Add(l, new(big.Rat).SetFrac(big.NewInt(b.r.Int64N(n+1)), scale))
	return roundRat(v, places)
}

// hex returns n hex digits drawn from the seed.
func (b *findingsPlanter) hex(n int) string {
	var s string
	for len(s) < n {
		s += fmt.Sprintf("%016x", b.r.Uint64())
	}
	return s[:n]
}

func (b *findingsPlanter) region() region { return regions[b.r.IntN(len(regions))] }

// account returns a usage account: most resources live in member accounts.
func (b *findingsPlanter) account() *account {
	return b.p.d.accounts[b.r.IntN(len(b.p.d.accounts))]
}

var (
	ec2Service = &serviceDefs[0]
	vpcService = serviceByCode("AmazonVPC")
	elbService = serviceByCode("AWSELB")
	s3Service  = serviceByCode("AmazonS3")
)

func serviceByCode(code string) *serviceDef {
	for i := range serviceDefs {
		if serviceDefs[i].code == code {
			return &serviceDefs[i]
		}
	}
	panic("gen: no service " + code)
}

// plantUsage is one kind of usage a planted resource bills.
type plantUsage struct {
	usageType, operation, unit, family string
	rate                               decimal.Decimal
	attrs                              map[string]string // product attributes beyond the common ones
}

func (b *findingsPlanter) profile(s *serviceDef, reg region, u plantUsage) *profile {
	rate, _ := strconv.ParseFloat(u.rate.String(), 64)
	p := newProfile(b.r, s, reg, usageDef{u.usageType, u.operation, u.unit, u.family, rate})
	for k, v := range u.attrs {
		p.set(k, v)
	}
	p.kvs = productKVs(p)
	return p
}

// resource starts a planted resource.
func (b *findingsPlanter) resource(rule string, flagged bool, what string, acct *account, reg region, id string) *Planted {
	res := &Planted{Rule: rule, Flagged: flagged, What: what, ResourceID: id, Payer: acct.payer.id,
		Account: acct.id, Region: reg.code}
	b.p.Resources = append(b.p.Resources, res)
	return res
}

// days returns the days of the periods from the first'th on, in order.
func (b *findingsPlanter) days(first int) []time.Time {
	var out []time.Time
	for pi := first; pi < len(b.p.d.periods); pi++ {
		per := &b.p.d.periods[pi]
		for t := per.start; t.Before(per.end); t = t.AddDate(0, 0, 1) {
			out = append(out, t)
		}
	}
	return out
}

func (b *findingsPlanter) recentDays() []time.Time { return b.days(PlantMonths - plantRecentMonths) }

// periodOf returns the index of the period day falls in.
func (b *findingsPlanter) periodOf(day time.Time) int {
	for i := range b.p.d.periods {
		if !day.Before(b.p.d.periods[i].start) && day.Before(b.p.d.periods[i].end) {
			return i
		}
	}
	panic("gen: day outside the planted periods")
}

// usageLine bills amount of u on day for res; the cost is amount x rate,
// rounded to 10 places.
func (b *findingsPlanter) usageLine(res *Planted, acct *account, s *serviceDef, p *profile, day time.Time, amount decimal.Decimal) {
	rate := dec(trimRate(p.rate))
	cost := mulRound(amount, rate, 10)
	pi := b.periodOf(day)
	it := &item{id: lineItemID(b.r), typ: "Usage", payer: acct.payer, acct: acct, per: &b.p.d.periods[pi],
		start: day, end: day.AddDate(0, 0, 1), svc: s, prof: p, billType: "Anniversary", billingEntity: "AWS",
		usageType: p.usageType, operation: p.operation, resource: res.ResourceID, desc: p.desc, term: "OnDemand"}
	if p.unit == "Hrs" {
		it.az = p.region.code + "a"
	}
	it.usage = valOf(amount)
	it.cost, it.blended, it.pubCost = valOf(cost), valOf(cost), valOf(cost)
	it.rate, it.blendedRate, it.pubRate = valOf(rate), valOf(rate), valOf(rate)
	b.p.items[pi] = append(b.p.items[pi], it)
	res.Lines = append(res.Lines, PlantedLine{Day: day.Format(time.DateOnly), LineItemType: "Usage",
		UsageType: p.usageType, Amount: amount, Cost: cost})
}

// valOf is the amount that writes d: a double whose shortest form is d's
// digits, which the findingsPlanter keeps to 15 significant digits at most.
func valOf(d decimal.Decimal) amount {
	f, err := strconv.ParseFloat(d.String(), 64)
	if err != nil {
		panic(err)
	}
	if g, _ := decimal.Parse(strconv.FormatFloat(f, 'f', -1, 64)); !g.Equal(d) {
		panic("gen: " + d.String() + " does not survive a double")
	}
	return val(f)
}

// daily bills each day of days for res: the usage amount drawn in
// [lo, hi] with places digits.
func (b *findingsPlanter) daily(res *Planted, acct *account, s *serviceDef, p *profile, days []time.Time, lo, hi string, places int) {
	for _, day := range days {
		b.usageLine(res, acct, s, p, day, b.draw(lo, hi, places))
	}
}

// plant draws every planted resource: for each rule one it must flag,
// then its busy look-alike.
func (b *findingsPlanter) plant() {
	recent := b.recentDays()
	hours := func(rate string) func(string, string, string) plantUsage {
		return func(ut, op, family string) plantUsage {
			return plantUsage{ut, op, "Hrs", family, dec(rate), nil}
		}
	}

	// Public IPv4 addresses: billed idle, and billed in use.
	for _, idle := range []bool{true, false} {
		acct, reg := b.account(), b.region()
		id := "eipalloc-" + b.hex(16)
		ut, what := "PublicIPv4:IdleAddress", "an Elastic IP address attached to nothing"
		if !idle {
			ut, what = "PublicIPv4:InUseAddress", "an Elastic IP address in use"
		}
		res := b.resource("idle-public-ip", idle, what, acct, reg, id)
		p := b.profile(vpcService, reg, hours("0.005")(ut, "AssociateAddressVPC", "VPC Public IPv4 Address"))
		b.daily(res, acct, vpcService, p, recent, "24", "24", 0)
	}

	// NAT gateways and VPC endpoints: hours every day; a trickle of data
	// (at most 12 MB a day) or a workload's (tens of GB).
	for _, kind := range []struct{ rule, name, arn, hoursRate, bytesRate, op string }{
		{"idle-nat-gateway", "NatGateway", "natgateway/nat-", "0.045", "0.045", "NatGateway"},
		{"idle-vpc-endpoint", "VpcEndpoint", "vpc-endpoint/vpce-", "0.01", "0.01", "VpcEndpoint"},
	} {
		for _, idle := range []bool{true, false} {
			acct, reg := b.account(), b.region()
			id := fmt.Sprintf("arn:aws:ec2:%s:%s:%s%s", reg.code, acct.id, kind.arn, b.hex(17))
			what := "a " + kind.name + " moving " + map[bool]string{true: "almost nothing", false: "tens of GB a day"}[idle]
			res := b.resource(kind.rule, idle, what, acct, reg, id)
			ph := b.profile(vpcService, reg, hours(kind.hoursRate)(kind.name+"-Hours", kind.op, kind.name))
			pb := b.profile(vpcService, reg, plantUsage{kind.name + "-Bytes", kind.op, "GB", kind.name, dec(kind.bytesRate), nil})
			for _, day := range recent {
				b.usageLine(res, acct, vpcService, ph, day, dec("24"))
				if idle {
					b.usageLine(res, acct, vpcService, pb, day, b.draw("0", "0.012", 6))
				} else {
					b.usageLine(res, acct, vpcService, pb, day, b.draw("20", "150", 6))
				}
			}
		}
	}

	// Application load balancers: hours every day; under one LCU-hour a
	// day, or tens.
	for _, idle := range []bool{true, false} {
		acct, reg := b.account(), b.region()
		id := fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/%s/%s", reg.code, acct.id, tagTeams[b.r.IntN(len(tagTeams))], b.hex(16))
		what := map[bool]string{true: "a load balancer with no traffic", false: "a load balancer serving traffic"}[idle]
		res := b.resource("idle-load-balancer", idle, what, acct, reg, id)
		ph := b.profile(elbService, reg, hours("0.0225")("LoadBalancerUsage", "LoadBalancing:Application", "Load Balancer-Application"))
		pl := b.profile(elbService, reg, plantUsage{"LCUUsage", "LoadBalancing:Application", "LCU-Hrs", "Load Balancer-Application", dec("0.008"), nil})
		for _, day := range recent {
			b.usageLine(res, acct, elbService, ph, day, dec("24"))
			if idle {
				b.usageLine(res, acct, elbService, pl, day, b.draw("0", "0.9", 4))
			} else {
				b.usageLine(res, acct, elbService, pl, day, b.draw("30", "400", 4))
			}
		}
	}

	// EBS volumes: a gp2 volume, and a gp3 one. A day bills size / 30
	// GB-months, to 6 places. The sizes stay under 150 GB-months a month:
	// a gp2 volume between 150 and 250 gives gp3 no saving, since gp3 must
	// buy back throughput (see the rule).
	for _, gp2 := range []bool{true, false} {
		acct, reg := b.account(), b.region()
		v := map[bool]string{true: "gp2", false: "gp3"}[gp2]
		rate := map[bool]string{true: "0.1", false: "0.08"}[gp2]
		size := b.r.IntN(121) + 20
		res := b.resource("gp2-to-gp3", gp2, fmt.Sprintf("a %d GB %s volume", size, v), acct, reg, "vol-"+b.hex(16)+"a")
		p := b.profile(ec2Service, reg, plantUsage{"EBS:VolumeUsage." + v, "CreateVolume-" + v, "GB-Mo", "Storage", dec(rate),
			map[string]string{"volumeApiName": v, "volumeType": "General Purpose", "storageMedia": "SSD-backed"}})
		perDay := roundRat(big.NewRat(int64(size), 30), 6)
		for _, day := range recent {
			b.usageLine(res, acct, ec2Service, p, day, perDay)
		}
	}

	// EBS snapshots: one billed since the first period, one since the
	// last period began.
	for _, old := range []bool{true, false} {
		acct, reg := b.account(), b.region()
		days := b.days(0)
		what := "a snapshot billed for 13 months"
		if !old {
			days, what = b.days(PlantMonths-1), "a snapshot taken this month"
		}
		id := fmt.Sprintf("arn:aws:ec2:%s:%s:snapshot/snap-%s", reg.code, acct.id, b.hex(16)+"b")
		res := b.resource("old-snapshot", old, what, acct, reg, id)
		p := b.profile(ec2Service, reg, plantUsage{"EBS:SnapshotUsage", "CreateSnapshot", "GB-Mo", "Storage Snapshot", dec("0.05"), nil})
		b.daily(res, acct, ec2Service, p, days, "0.5", "20", 6)
	}

	// Instances running on demand all day: a previous-generation m4, and
	// a current-generation m7i.
	for _, prev := range []bool{true, false} {
		acct, reg := b.account(), b.region()
		typ, rate := "m4.large", "0.1"
		if !prev {
			typ, rate = "m7i.large", "0.1008"
		}
		res := b.resource("previous-generation", prev, "an on-demand "+typ+" instance", acct, reg, "i-"+b.hex(16)+"c")
		p := b.profile(ec2Service, reg, plantUsage{"BoxUsage:" + typ, "RunInstances", "Hrs", "Compute Instance", dec(rate),
			map[string]string{"instanceType": typ, "instanceFamily": "General purpose", "operatingSystem": "Linux", "tenancy": "Shared",
				"currentGeneration": map[bool]string{true: "No", false: "Yes"}[prev]}})
		b.daily(res, acct, ec2Service, p, recent, "24", "24", 0)
	}

	// Reserved Instances, No Upfront: one left partly unused, one fully
	// used. An RIFee line a period, dated the 1st.
	for _, unused := range []bool{true, false} {
		acct, reg := b.account(), b.region()
		arn := fmt.Sprintf("arn:aws:ec2:%s:%s:reserved-instances/%s-%s-4%s-8%s-%s", reg.code, acct.payer.id,
			b.hex(8), b.hex(4), b.hex(3), b.hex(3), b.hex(12))
		what := map[bool]string{true: "a reservation 40% unused", false: "a reservation fully used"}[unused]
		res := b.resource("unused-reserved-instance", unused, what, acct, reg, arn)
		count := int64(1 + b.r.IntN(4))
		p := b.profile(ec2Service, reg, plantUsage{"HeavyUsage:m5.large", "RunInstances", "Hrs", "Compute Instance", dec("0.062"),
			map[string]string{"instanceType": "m5.large"}})
		for pi := PlantMonths - plantRecentMonths; pi < PlantMonths; pi++ {
			per := &b.p.d.periods[pi]
			hrs := decimal.MustParse(strconv.FormatInt(int64(per.days)*24*count, 10))
			fee := mulRound(hrs, dec("0.062"), 10)
			left := decimal.Decimal{}
			if unused {
				left = mulRound(fee, dec("0.4"), 10)
			}
			it := b.commitmentItem(acct, pi, "RIFee", ec2Service, p, per.start, per.end)
			it.desc = fmt.Sprintf("USD 0.062 hourly fee per Linux/UNIX (Amazon VPC), m5.large instance (%s hours purchased)", hrs)
			it.usage, it.cost, it.blended = valOf(hrs), valOf(fee), valOf(fee)
			it.rate, it.blendedRate = valOf(dec("0.062")), valOf(dec("0.062"))
			it.term, it.offeringClass, it.purchaseOption, it.leaseTerm = "Reserved", "standard", "No Upfront", "1yr"
			it.riARN, it.riModStatus, it.riSubID = arn, "Original", strconv.Itoa(1000000000+b.r.IntN(1000000))
			it.riStart = b.p.d.periods[0].start.Format("2006-01-02T15:04:05.000Z")
			it.riEnd = b.p.d.periods[0].start.AddDate(3, 0, 0).Format("2006-01-02T15:04:05.000Z")
			it.riCount, it.riUnits = valOf(decimal.MustParse(strconv.FormatInt(count, 10))), valOf(hrs)
			it.riUnusedUpfront, it.riUnusedRecur, it.riAmortPeriod, it.riUpfront = valOf(decimal.Decimal{}), valOf(left), valOf(decimal.Decimal{}), valOf(decimal.Decimal{})
			if unused {
				it.riUnusedQty = valOf(mulRound(hrs, dec("0.4"), 10))
			} else {
				it.riUnusedQty = valOf(decimal.Decimal{})
			}
			b.p.items[pi] = append(b.p.items[pi], it)
			res.Lines = append(res.Lines, PlantedLine{Day: per.start.Format(time.DateOnly), LineItemType: "RIFee",
				UsageType: p.usageType, Amount: hrs, Cost: fee, Unused: left})
		}
	}

	// Compute Savings Plans, No Upfront: one using three quarters of its
	// commitment, one all of it. A SavingsPlanRecurringFee line a day.
	for _, unused := range []bool{true, false} {
		acct := b.p.d.payers[0].accounts[0] // a plan belongs to the payer
		arn := fmt.Sprintf("arn:aws:savingsplans::%s:savingsplan/%s-%s-4%s-9%s-%s", acct.id, b.hex(8), b.hex(4), b.hex(3), b.hex(3), b.hex(12))
		what := map[bool]string{true: "a Savings Plan using 75% of its commitment", false: "a Savings Plan fully used"}[unused]
		res := b.resource("unused-savings-plan", unused, what, acct, region{}, arn)
		hourly := b.draw("0.5", "9", 3)
		for _, day := range recent {
			pi := b.periodOf(day)
			total := mulRound(hourly, dec("24"), 10)
			used := total
			if unused {
				used = mulRound(total, dec("0.75"), 10)
			}
			it := b.commitmentItem(acct, pi, "SavingsPlanRecurringFee", spService, nil, day, day.AddDate(0, 0, 1))
			it.usageType, it.operation = "ComputeSP:1yrNoUpfront", ""
			it.desc = fmt.Sprintf("1 year No Upfront Compute Savings Plan with %s/hour commitment", hourly)
			it.usage, it.cost, it.blended = valOf(dec("24")), valOf(total), valOf(total)
			it.spARN, it.spOffering, it.spPayment, it.spTerm, it.spRegion = arn, "ComputeSavingsPlans", "No Upfront", "1yr", ""
			it.spStart = b.p.d.periods[0].start.Format("2006-01-02T15:04:05.000Z")
			it.spEnd = b.p.d.periods[0].start.AddDate(1, 1, 0).Format("2006-01-02T15:04:05.000Z")
			it.spTotal, it.spUsed, it.spRecurCommit, it.spAmortUpfront = valOf(total), valOf(used), valOf(total), valOf(decimal.Decimal{})
			b.p.items[pi] = append(b.p.items[pi], it)
			res.Lines = append(res.Lines, PlantedLine{Day: day.Format(time.DateOnly), LineItemType: "SavingsPlanRecurringFee",
				UsageType: it.usageType, Amount: dec("24"), Cost: total, Unused: total.Sub(used)})
		}
	}

	// S3 buckets: Standard storage only, and Standard storage with
	// requests every day.
	for _, idle := range []bool{true, false} {
		acct, reg := b.account(), b.region()
		name := fmt.Sprintf("%s-archive-%s", tagTeams[b.r.IntN(len(tagTeams))], b.hex(8))
		what := map[bool]string{true: "a bucket nobody reads or writes", false: "a bucket in use"}[idle]
		res := b.resource("idle-s3-standard", idle, what, acct, reg, name)
		ps := b.profile(s3Service, reg, plantUsage{"TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", "Storage", dec("0.023"),
			map[string]string{"storageClass": "General Purpose", "volumeType": "Standard"}})
		pg := b.profile(s3Service, reg, plantUsage{"Requests-Tier2", "GetObject", "Requests", "API Request", dec("0.0000004"), nil})
		pp := b.profile(s3Service, reg, plantUsage{"Requests-Tier1", "PutObject", "Requests", "API Request", dec("0.000005"), nil})
		size := b.draw("100", "5000", 0)
		perDay := mulRound(size, oneThirtieth, 6)
		for _, day := range recent {
			b.usageLine(res, acct, s3Service, ps, day, perDay)
			if !idle {
				b.usageLine(res, acct, s3Service, pg, day, b.draw("1000", "90000", 0))
				b.usageLine(res, acct, s3Service, pp, day, b.draw("10", "900", 0))
			}
		}
	}
}

// oneThirtieth is 1/30 to 10 places: a day's share of a month's GB.
var oneThirtieth = dec("0.0333333333")

// commitmentItem starts a commitment fee line of acct in period pi.
func (b *findingsPlanter) commitmentItem(acct *account, pi int, typ string, s *serviceDef, p *profile, start, end time.Time) *item {
	it := &item{id: lineItemID(b.r), typ: typ, payer: acct.payer, acct: acct, per: &b.p.d.periods[pi],
		start: start, end: end, svc: s, prof: p, billType: "Anniversary", billingEntity: "AWS"}
	if p != nil {
		it.usageType, it.operation = p.usageType, p.operation
	}
	return it
}
