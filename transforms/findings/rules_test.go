package findings

import (
	"testing"
)

// want is the part of a finding the rule tests check.
type want struct {
	rule, id     string
	cost, saving string
	first, last  string
	daysSeen     int
	detail       string
}

func check(t *testing.T, got []Finding, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		for _, f := range got {
			t.Logf("got %s %s cost %s saving %s", f.Rule, f.ResourceID, f.MonthlyCost, f.MonthlySaving)
		}
		t.Fatalf("got %d findings, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		f := got[i]
		if f.Rule != w.rule || f.ResourceID != w.id {
			t.Errorf("finding %d: %s %s, want %s %s", i, f.Rule, f.ResourceID, w.rule, w.id)
		}
		if !f.MonthlyCost.Equal(dec(w.cost)) || !f.MonthlySaving.Equal(dec(w.saving)) {
			t.Errorf("%s %s: cost %s saving %s, want %s and %s", f.Rule, f.ResourceID, f.MonthlyCost, f.MonthlySaving, w.cost, w.saving)
		}
		if w.first != "" && (f.FirstSeen != w.first || f.LastSeen != w.last) {
			t.Errorf("%s %s: seen %s to %s, want %s to %s", f.Rule, f.ResourceID, f.FirstSeen, f.LastSeen, w.first, w.last)
		}
		if w.daysSeen != 0 && f.DaysSeen != w.daysSeen {
			t.Errorf("%s %s: %d days seen, want %d", f.Rule, f.ResourceID, f.DaysSeen, w.daysSeen)
		}
		if f.Detail != w.detail {
			t.Errorf("%s %s: detail %q, want %q", f.Rule, f.ResourceID, f.Detail, w.detail)
		}
		if f.Payer != testPayer || f.UsageAccount != testAccount || f.Region != testRegion {
			t.Errorf("%s %s: payer %s account %s region %s", f.Rule, f.ResourceID, f.Payer, f.UsageAccount, f.Region)
		}
	}
}

const (
	eip  = "eipalloc-0a1"
	nat  = "arn:aws:ec2:us-east-1:222222222222:natgateway/nat-0a1"
	vpce = "vpce-0a1"
	alb  = "arn:aws:elasticloadbalancing:us-east-1:222222222222:loadbalancer/app/web/0a1"
	clb  = "arn:aws:elasticloadbalancing:us-east-1:222222222222:loadbalancer/legacy"
	vol  = "vol-0a1"
	snap = "arn:aws:ec2:us-east-1:222222222222:snapshot/snap-0a1"
	inst = "i-0a1"
	ri   = "arn:aws:ec2:us-east-1:222222222222:reserved-instances/ri-0a1"
	sp   = "arn:aws:savingsplans::222222222222:savingsplan/sp-0a1"
	bkt  = "quiet-bucket"
)

func TestRules(t *testing.T) {
	tests := []struct {
		name  string
		lines []Line
		cfg   func(*Config)
		want  []want
	}{{
		// 24 idle hours a day at 0.005: 0.12 a day, 3.60 for June.
		name:  "idle elastic IP, whole month",
		lines: daily(june, func(d string) Line { return usage(d, "AmazonEC2", "USE1-ElasticIP:IdleAddress", eip, "24", "0.12") }),
		want:  []want{{rule: RuleIdlePublicIP, id: eip, cost: "3.6", saving: "3.6", first: "2025-06-01", last: "2025-06-30", daysSeen: 30}},
	}, {
		// Seen 10 days in June for 1.20: projected to 30 days, 3.60.
		name:  "idle public IPv4, ten days projected to the month",
		lines: daily(days("2025-06-21", 10), func(d string) Line { return usage(d, "AmazonVPC", "USE1-PublicIPv4:IdleAddress", eip, "24", "0.12") }),
		want:  []want{{rule: RuleIdlePublicIP, id: eip, cost: "3.6", saving: "3.6", first: "2025-06-21", last: "2025-06-30", daysSeen: 10}},
	}, {
		// Three days of July for 0.10 + 0.10 + 0.11 = 0.31: x 31/3 = 3.2033333333 (rounded at 10 places).
		name: "idle address, projection that does not terminate",
		lines: []Line{
			usage("2025-07-01", "AmazonVPC", "USE1-PublicIPv4:IdleAddress", eip, "20", "0.10"),
			usage("2025-07-02", "AmazonVPC", "USE1-PublicIPv4:IdleAddress", eip, "20", "0.10"),
			usage("2025-07-03", "AmazonVPC", "USE1-PublicIPv4:IdleAddress", eip, "22", "0.11"),
		},
		want: []want{{rule: RuleIdlePublicIP, id: eip, cost: "3.2033333333", saving: "3.2033333333", daysSeen: 3}},
	}, {
		name:  "address in use is not flagged",
		lines: daily(june, func(d string) Line { return usage(d, "AmazonVPC", "USE1-PublicIPv4:InUseAddress", eip, "24", "0.12") }),
	}, {
		// Hours 24 x 0.045 = 1.08 a day, 32.40 a month; 0.01 GB a day at 0.045 = 0.00045, 0.0135 a month.
		name: "idle NAT gateway",
		lines: concat(
			daily(june, func(d string) Line { return usage(d, "AmazonEC2", "USE1-NatGateway-Hours", nat, "24", "1.08") }),
			daily(june, func(d string) Line { return usage(d, "AmazonEC2", "USE1-NatGateway-Bytes", nat, "0.01", "0.00045") })),
		want: []want{{rule: RuleIdleNATGateway, id: nat, cost: "32.4135", saving: "32.4", first: "2025-06-01", last: "2025-06-30", daysSeen: 30}},
	}, {
		name: "NAT gateway moving data is not flagged",
		lines: concat(
			daily(june, func(d string) Line { return usage(d, "AmazonEC2", "USE1-NatGateway-Hours", nat, "24", "1.08") }),
			daily(june, func(d string) Line { return usage(d, "AmazonEC2", "USE1-NatGateway-Bytes", nat, "50", "2.25") })),
	}, {
		name: "NAT gateway idle only in the first weeks is not flagged",
		lines: concat(
			daily(june, func(d string) Line { return usage(d, "AmazonEC2", "USE1-NatGateway-Hours", nat, "24", "1.08") }),
			daily(days("2025-06-26", 5), func(d string) Line { return usage(d, "AmazonEC2", "USE1-NatGateway-Bytes", nat, "3", "0.135") })),
	}, {
		name:  "NAT gateway billed fewer than N days is not flagged",
		lines: daily(days("2025-06-25", 6), func(d string) Line { return usage(d, "AmazonEC2", "USE1-NatGateway-Hours", nat, "24", "1.08") }),
	}, {
		// 24 x 0.01 = 0.24 a day, 7.20 a month; no bytes at all.
		name:  "idle VPC endpoint",
		lines: daily(june, func(d string) Line { return usage(d, "AmazonVPC", "USE1-VpcEndpoint-Hours", vpce, "24", "0.24") }),
		want:  []want{{rule: RuleIdleVPCEndpoint, id: vpce, cost: "7.2", saving: "7.2"}},
	}, {
		name: "VPC endpoint moving data is not flagged",
		lines: concat(
			daily(june, func(d string) Line { return usage(d, "AmazonVPC", "USE1-VpcEndpoint-Hours", vpce, "24", "0.24") }),
			daily(june, func(d string) Line { return usage(d, "AmazonVPC", "USE1-VpcEndpoint-Bytes", vpce, "4", "0.04") })),
	}, {
		// Hours 24 x 0.0225 = 0.54 a day (16.20); 0.5 LCU-hours x 0.008 = 0.004 a day (0.12).
		name: "idle application load balancer",
		lines: concat(
			daily(june, func(d string) Line { return usage(d, "AWSELB", "USE1-LoadBalancerUsage", alb, "24", "0.54") }),
			daily(june, func(d string) Line { return usage(d, "AWSELB", "USE1-LCUUsage", alb, "0.5", "0.004") })),
		want: []want{{rule: RuleIdleLoadBalancer, id: alb, cost: "16.32", saving: "16.32"}},
	}, {
		// Classic: 24 x 0.025 = 0.60 a day (18.00); 0.2 GB x 0.008 = 0.0016 a day (0.048).
		name: "idle classic load balancer",
		lines: concat(
			daily(june, func(d string) Line { return usage(d, "AWSELB", "USE1-LoadBalancerUsage", clb, "24", "0.6") }),
			daily(june, func(d string) Line { return usage(d, "AWSELB", "USE1-DataProcessing-Bytes", clb, "0.2", "0.0016") })),
		want: []want{{rule: RuleIdleLoadBalancer, id: clb, cost: "18.048", saving: "18.048"}},
	}, {
		name: "busy load balancer is not flagged",
		lines: concat(
			daily(june, func(d string) Line { return usage(d, "AWSELB", "USE1-LoadBalancerUsage", alb, "24", "0.54") }),
			daily(june, func(d string) Line { return usage(d, "AWSELB", "USE1-LCUUsage", alb, "40", "0.32") })),
	}, {
		// 150 GB: 5 GB-months at 0.50 a day; G = 150, C = 15.00; saving 20% = 3.00.
		name:  "gp2 volume of 150 GB",
		lines: daily(june, func(d string) Line { return gp2(d, vol, "5", "0.5") }),
		want:  []want{{rule: RuleGP2ToGP3, id: vol, cost: "15", saving: "3", detail: "gp2"}},
	}, {
		// 1,200 GB: G = 1200, C = 120, u = 0.08; extra IOPS 600 (2.88), extra throughput 125 (5.00);
		// gp3 = 96 + 2.88 + 5 = 103.88; saving 16.12.
		name:  "gp2 volume of 1,200 GB pays for IOPS and throughput on gp3",
		lines: daily(june, func(d string) Line { return gp2(d, vol, "40", "4") }),
		want:  []want{{rule: RuleGP2ToGP3, id: vol, cost: "120", saving: "16.12", detail: "gp2"}},
	}, {
		// 160 GB: C = 16, saving 3.20 - 5.00 (throughput) < 0.
		name:  "gp2 volume whose throughput costs more on gp3 is not flagged",
		lines: daily(june, func(d string) Line { return gp2(d, vol, "5.3333333333", "0.5333333333") }),
	}, {
		name:  "gp3 volume is not flagged",
		lines: daily(june, func(d string) Line { return usage(d, "AmazonEC2", "EBS:VolumeUsage.gp3", vol, "5", "0.4") }),
	}, {
		// 0.5 GB-months at 0.025 a day: 0.75 for June; first billed 2024-06-01, over 12 months before 2025-06-30.
		name:  "old snapshot from an earlier period's first day",
		lines: daily(june, func(d string) Line { return usage(d, "AmazonEC2", "EBS:SnapshotUsage", snap, "0.5", "0.025") }),
		cfg:   func(c *Config) { c.FirstSeen = map[string]string{snap: "2024-06-01"} },
		want:  []want{{rule: RuleOldSnapshot, id: snap, cost: "0.75", saving: "0.75", first: "2024-06-01", last: "2025-06-30"}},
	}, {
		name: "old snapshot from this accumulator's own days",
		lines: concat(
			[]Line{usage("2024-06-30", "AmazonEC2", "EBS:SnapshotUsage", snap, "0.5", "0.025")},
			daily(june, func(d string) Line { return usage(d, "AmazonEC2", "EBS:SnapshotUsage", snap, "0.5", "0.025") })),
		want: []want{{rule: RuleOldSnapshot, id: snap, cost: "0.75", saving: "0.75", first: "2024-06-30", last: "2025-06-30"}},
	}, {
		name:  "snapshot first billed 11 months before is not flagged",
		lines: daily(june, func(d string) Line { return usage(d, "AmazonEC2", "EBS:SnapshotUsage", snap, "0.5", "0.025") }),
		cfg:   func(c *Config) { c.FirstSeen = map[string]string{snap: "2024-07-01"} },
	}, {
		// m4.large on demand: 24 x 0.10 = 2.40 a day, 72.00 a month; 5% = 3.60.
		name:  "previous-generation instance on demand",
		lines: daily(june, func(d string) Line { return box(d, "m4.large", "2.4") }),
		want:  []want{{rule: RulePreviousGeneration, id: inst, cost: "72", saving: "3.6", detail: "m4.large"}},
	}, {
		name:  "current-generation instance is not flagged",
		lines: daily(june, func(d string) Line { return box(d, "m7i.large", "2.4") }),
	}, {
		name: "previous-generation instance covered by a reservation or a Savings Plan is not flagged",
		lines: concat(
			daily(june, func(d string) Line { l := box(d, "m4.large", "0"); l.LineItemType = "DiscountedUsage"; return l }),
			daily(june, func(d string) Line {
				l := box(d, "m4.large", "2.4")
				l.LineItemType = "SavingsPlanCoveredUsage"
				return l
			}),
			daily(june, func(d string) Line { l := box(d, "m4.large", "0.7"); l.PricingTerm = "Spot"; return l })),
	}, {
		// Amortized upfront 50.00 of which 12.50 unused; recurring 36.50 of which 9.125 unused.
		name:  "unused reserved instance",
		lines: []Line{riFee("2025-06-01", "50", "12.5", "36.5", "9.125")},
		want:  []want{{rule: RuleUnusedReserved, id: ri, cost: "86.5", saving: "21.625", daysSeen: 1}},
	}, {
		name:  "fully used reserved instance is not flagged",
		lines: []Line{riFee("2025-06-01", "50", "0", "36.5", "0")},
	}, {
		// 1.00 an hour committed: 24.00 a day, 18.00 used; 720 and 180 for June.
		name:  "unused Savings Plan",
		lines: daily(june, func(d string) Line { return spFee(d, "24", "18") }),
		want:  []want{{rule: RuleUnusedSavingsPlan, id: sp, cost: "720", saving: "180"}},
	}, {
		name:  "fully used Savings Plan is not flagged",
		lines: daily(june, func(d string) Line { return spFee(d, "24", "24") }),
	}, {
		// 60 days to 2025-06-30 of Standard storage at 0.23 a day; June 6.90, 30% = 2.07.
		name:  "idle S3 Standard bucket",
		lines: daily(days("2025-05-02", 60), func(d string) Line { return s3(d, "USE1-TimedStorage-ByteHrs", "10", "0.23") }),
		want:  []want{{rule: RuleIdleS3Standard, id: bkt, cost: "6.9", saving: "2.07", first: "2025-05-02", last: "2025-06-30"}},
	}, {
		name: "S3 bucket with a request is not flagged",
		lines: concat(
			daily(days("2025-05-02", 60), func(d string) Line { return s3(d, "USE1-TimedStorage-ByteHrs", "10", "0.23") }),
			[]Line{s3("2025-06-10", "USE1-Requests-Tier2", "3", "0.0000012")}),
	}, {
		name: "S3 bucket with another storage class is not flagged",
		lines: concat(
			daily(days("2025-05-02", 60), func(d string) Line { return s3(d, "USE1-TimedStorage-ByteHrs", "10", "0.23") }),
			[]Line{s3("2025-06-10", "USE1-TimedStorage-SIA-ByteHrs", "1", "0.0125")}),
	}, {
		name:  "S3 bucket seen for one month only is not flagged",
		lines: daily(june, func(d string) Line { return s3(d, "USE1-TimedStorage-ByteHrs", "10", "0.23") }),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			check(t, feed(t, tt.lines).Findings(cfg), tt.want)
		})
	}
}

func gp2(day, id, gbMonths, cost string) Line {
	l := usage(day, "AmazonEC2", "EBS:VolumeUsage.gp2", id, gbMonths, cost)
	l.VolumeType = "gp2"
	return l
}

func box(day, instanceType, cost string) Line {
	l := usage(day, "AmazonEC2", "USE1-BoxUsage:"+instanceType, inst, "24", cost)
	l.InstanceType = instanceType
	return l
}

func s3(day, usageType, amount, cost string) Line {
	return usage(day, "AmazonS3", usageType, bkt, amount, cost)
}

func riFee(day, upfront, unusedUpfront, recurring, unusedRecurring string) Line {
	l := usage(day, "AmazonEC2", "HeavyUsage:m5.large", "", "720", recurring)
	l.LineItemType, l.ReservationARN = "RIFee", ri
	l.AmortizedUpfrontFee, l.UnusedAmortizedUpfrontFee, l.UnusedRecurringFee = dec(upfront), dec(unusedUpfront), dec(unusedRecurring)
	return l
}

func spFee(day, total, used string) Line {
	l := usage(day, "ComputeSavingsPlans", "ComputeSP:1yrNoUpfront", "", "24", total)
	l.LineItemType, l.SavingsPlanARN = "SavingsPlanRecurringFee", sp
	l.TotalCommitment, l.UsedCommitment = dec(total), dec(used)
	return l
}

func TestSplitCostRowsNotCounted(t *testing.T) {
	lines := concat(
		daily(june, func(d string) Line { return box(d, "m4.large", "2.4") }),
		daily(june, func(d string) Line { l := box(d, "m4.large", "1.2"); l.Operation = "EKSPod-EC2"; return l }))
	check(t, feed(t, lines).Findings(DefaultConfig()),
		[]want{{rule: RulePreviousGeneration, id: inst, cost: "72", saving: "3.6", detail: "m4.large"}})
}

func TestEveryRuleHasAFormula(t *testing.T) {
	for _, r := range Rules() {
		if Formula(r) == "" {
			t.Errorf("rule %s has no formula", r)
		}
	}
	if len(Rules()) != 10 {
		t.Errorf("%d rules, want the issue's 10", len(Rules()))
	}
}
