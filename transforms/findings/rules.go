package findings

import (
	"math/big"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Findings applies the rules to every resource accumulated and returns
// the findings whose estimated monthly saving reaches cfg.MinMonthlySaving,
// sorted by Sort.
func (a *Acc) Findings(cfg Config) []Finding {
	var out []Finding
	for k, r := range a.res {
		if len(r.days) == 0 {
			continue
		}
		v := newView(k, r)
		f, ok := rules[k.kind](v, cfg)
		if !ok || f.MonthlySaving.Cmp(cfg.MinMonthlySaving) < 0 || f.MonthlySaving.Sign() <= 0 {
			continue
		}
		out = append(out, f)
	}
	Sort(out)
	return out
}

// rules maps each kind to its rule. A rule returns the finding and true
// when it flags the resource.
var rules = [kindCount]func(view, Config) (Finding, bool){
	kindNone:               func(view, Config) (Finding, bool) { return Finding{}, false },
	kindPublicIP:           idlePublicIP,
	kindNATGateway:         idleNATGateway,
	kindVPCEndpoint:        idleNATGateway, // the same test on VpcEndpoint-Hours and -Bytes
	kindLoadBalancer:       idleLoadBalancer,
	kindGP2Volume:          gp2ToGP3,
	kindSnapshot:           oldSnapshot,
	kindPreviousGeneration: previousGenerationInstance,
	kindReservedInstance:   unusedReservedInstance,
	kindSavingsPlan:        unusedSavingsPlan,
	kindS3Bucket:           idleS3Standard,
}

// idlePublicIP flags an Elastic IP or public IPv4 address billed as idle
// (usage types *ElasticIP:IdleAddress*, *PublicIPv4:IdleAddress*): an
// address in use is billed under InUseAddress and never reaches the rule.
//
//	saving = monthly cost of the idle hours (release the address)
func idlePublicIP(v view, _ Config) (Finding, bool) {
	cost := v.monthly(1)
	return v.finding(cost, cost), cost.Sign() > 0
}

// idleNATGateway flags a NAT gateway (or VPC endpoint) billed for its
// hours on at least N = cfg.IdleDays days that processed at most
// cfg.IdleGBPerDay GB a day on average over its last N days billed.
//
//	monthly cost = monthly hours cost + monthly GB processed cost
//	saving       = monthly hours cost
//
// The processing charge is left out of the saving: traffic that still
// flows moves to another path and is billed there.
func idleNATGateway(v view, cfg Config) (Finding, bool) {
	if !idle(v, cfg.IdleDays, cfg.IdleGBPerDay) {
		return Finding{}, false
	}
	return v.finding(v.monthly(1, 3), v.monthly(1)), true
}

// idleLoadBalancer flags a load balancer billed for LoadBalancerUsage
// hours on at least N = cfg.LoadBalancerIdleDays days with at most
// cfg.LoadBalancerUnitsPerDay LCU-hours (or, for a Classic load balancer,
// GB processed) a day on average over its last N days billed.
//
//	saving = monthly cost of the hours + the LCU or data processed
func idleLoadBalancer(v view, cfg Config) (Finding, bool) {
	if !idle(v, cfg.LoadBalancerIdleDays, cfg.LoadBalancerUnitsPerDay) {
		return Finding{}, false
	}
	cost := v.monthly(1, 3)
	return v.finding(cost, cost), true
}

// idle reports whether the resource was billed hours (slot 0) on at least
// n days and its work (slot 2) over its last n days is at most n x perDay.
func idle(v view, n int, perDay decimal.Decimal) bool {
	n = max(n, 1)
	hoursDays := 0
	for _, d := range v.days {
		if v.r.days[d][0].Sign() > 0 {
			hoursDays++
		}
	}
	if hoursDays < n {
		return false
	}
	limit := mul(rat(perDay), ratInt(n))
	return rat(v.recentSum(n, 2)).Cmp(limit) <= 0
}

// gp2ToGP3 prices moving a gp2 volume to gp3 with the formula of the
// dashboards' EBS view (kpi_ebs_storage_view): gp3 storage costs 20% less
// per GB in every region, and gp3 must buy the IOPS and throughput gp2
// gives with size above gp3's baseline of 3,000 IOPS and 125 MiB/s. With G
// the volume's GB-months a month, C its storage cost a month and
// u = 0.8 C / G gp3's price of a GB-month:
//
//	extra IOPS       = min(max(3 G, 3000), 16000) - 3000
//	extra throughput = 125 if G > 150 else 0   (MiB/s)
//	gp3 cost         = 0.8 C + 0.06 u x extra IOPS + 0.5 u x extra throughput
//	saving           = C - gp3 cost
//
// (an IOPS-month of gp3 costs about 6% of its GB-month and a MiB/s-month
// 50%). A volume whose saving is not positive, one large enough to need
// most of its IOPS bought back, is not flagged.
func gp2ToGP3(v view, _ Config) (Finding, bool) {
	g, c := v.monthly(0), v.monthly(1)
	if g.Sign() <= 0 || c.Sign() <= 0 {
		return Finding{}, false
	}
	saving := gp3Saving(g, c)
	return v.finding(c, saving), saving.Sign() > 0
}

func gp3Saving(g, c *big.Rat) *big.Rat {
	eighty := big.NewRat(8, 10)
	u := quo(mul(eighty, c), g)
	iops := mul(g, ratInt(3))
	if iops.Cmp(ratInt(3000)) < 0 {
		iops = ratInt(3000)
	}
	if iops.Cmp(ratInt(16000)) > 0 {
		iops = ratInt(16000)
	}
	iops.Sub(iops, ratInt(3000))
	throughput := new(big.Rat)
	if g.Cmp(ratInt(150)) > 0 {
		throughput = ratInt(125)
	}
	gp3 := mul(eighty, c)
	gp3.Add(gp3, mul(mul(big.NewRat(6, 100), u), iops))
	gp3.Add(gp3, mul(mul(big.NewRat(1, 2), u), throughput))
	return new(big.Rat).Sub(c, gp3)
}

// oldSnapshot flags an EBS snapshot (usage type *EBS:SnapshotUsage*)
// first billed at least cfg.SnapshotAgeMonths calendar months before its
// last day billed, its first day being the earlier of this Acc's and
// cfg.FirstSeen's.
//
//	saving = monthly storage cost
//
// It is an upper bound: snapshots are incremental, and blocks a newer
// snapshot shares stay billed to that one. The dashboards show old
// snapshots without counting them in their savings total.
func oldSnapshot(v view, cfg Config) (Finding, bool) {
	first := v.first()
	if prev, ok := cfg.FirstSeen[v.k.id]; ok && validDay(prev) && prev < first {
		first = prev
	}
	if first > monthsBefore(v.last(), cfg.SnapshotAgeMonths) {
		return Finding{}, false
	}
	cost := v.monthly(1)
	f := v.finding(cost, cost)
	f.FirstSeen = first
	return f, true
}

// previousGenerationInstance flags on-demand usage (line item type Usage,
// so neither Reserved Instance nor Savings Plan covered) of an instance
// whose family is of a previous generation.
//
//	saving = cfg.PreviousGenerationPercent (5) % of the monthly cost
//
// The bill holds no price of the current-generation type of the same
// size, so the saving is the dashboards' stated percentage, not a
// difference of prices.
func previousGenerationInstance(v view, cfg Config) (Finding, bool) {
	cost := v.monthly(1)
	return v.finding(cost, percent(cost, cfg.PreviousGenerationPercent)), cost.Sign() > 0
}

// unusedReservedInstance flags a Reserved Instance whose RIFee lines of
// the month of its last line show unused fees, as the dashboards' summary
// view amortizes them:
//
//	monthly cost = amortized upfront fee + recurring fee
//	saving       = unused amortized upfront fee + unused recurring fee
//
// RIFee lines are monthly, so they are not scaled by days seen.
func unusedReservedInstance(v view, _ Config) (Finding, bool) {
	sum := func(slots ...int) *big.Rat {
		var s decimal.Decimal
		for _, slot := range slots {
			s = s.Add(v.monthSum(slot))
		}
		return rat(s)
	}
	saving := sum(0, 1)
	return v.finding(sum(2, 3), saving), saving.Sign() > 0
}

// unusedSavingsPlan flags a Savings Plan whose SavingsPlanRecurringFee
// lines show commitment not used, as the dashboards' summary view does:
//
//	monthly cost = monthly total commitment to date
//	saving       = monthly (total commitment to date - used commitment)
func unusedSavingsPlan(v view, _ Config) (Finding, bool) {
	total := v.monthly(0)
	saving := new(big.Rat).Sub(total, v.monthly(1))
	return v.finding(total, saving), saving.Sign() > 0
}

// idleS3Standard flags a bucket billed on at least cfg.S3IdleDays days
// whose last cfg.S3IdleDays days billed show Standard storage, no other
// storage class and no requests.
//
//	saving = cfg.S3SavingPercent (30) % of the monthly Standard storage cost
//
// the dashboards' estimate of moving the data to an infrequent-access
// class; the bill does not say how the data will be read.
func idleS3Standard(v view, cfg Config) (Finding, bool) {
	n := max(cfg.S3IdleDays, 1)
	if len(v.days) < n || v.recentSum(n, 1).Sign() <= 0 ||
		!v.recentSum(n, 2).IsZero() || !v.recentSum(n, 3).IsZero() || !v.recentSum(n, 4).IsZero() {
		return Finding{}, false
	}
	cost := v.monthly(1)
	return v.finding(cost, percent(cost, cfg.S3SavingPercent)), true
}
