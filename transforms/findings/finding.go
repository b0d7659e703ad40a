package findings

import (
	"cmp"
	"slices"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Finding is one resource a rule flags, with what it costs a month and
// what acting on it would save a month (see the package doc for
// "monthly").
type Finding struct {
	Rule          string // one of the Rule* names
	ResourceID    string
	UsageAccount  string
	Region        string
	Payer         string
	FirstSeen     string // first usage day billed, YYYY-MM-DD
	LastSeen      string // last usage day billed
	MonthlyCost   decimal.Decimal
	MonthlySaving decimal.Decimal // estimated, by the rule's Formula
	DaysSeen      int             // days billed in the month of LastSeen
	Detail        string          // instance type or volume type, when the rule has one
	Evidence      Evidence
}

// Evidence is what a person checks a finding against: the usage types
// billed and the rule's sums over the month of LastSeen, unscaled, as
// they can be summed from the lake.
type Evidence struct {
	UsageTypes []string  // sorted; at most 8
	Figures    []Measure // in the rule's order
}

// Measure is one named sum: a usage amount (hours, GB-months, GB,
// requests) or a cost.
type Measure struct {
	Name  string
	Value decimal.Decimal
}

// Sort orders findings by estimated monthly saving, largest first; ties by
// rule, then resource id, usage account and payer, so the order is total.
func Sort(fs []Finding) {
	slices.SortFunc(fs, func(x, y Finding) int {
		return cmp.Or(y.MonthlySaving.Cmp(x.MonthlySaving), cmp.Compare(x.Rule, y.Rule),
			cmp.Compare(x.ResourceID, y.ResourceID), cmp.Compare(x.UsageAccount, y.UsageAccount),
			cmp.Compare(x.Payer, y.Payer))
	})
}

// Formula returns the saving formula of a rule, as the README quotes it,
// or "" for an unknown rule.
func Formula(rule string) string { return formulas[rule] }

var formulas = map[string]string{
	RuleIdlePublicIP:   "saving = monthly cost of the IdleAddress hours (release the address)",
	RuleIdleNATGateway: "idle when GB processed over the last N days billed <= N x idle GB a day; saving = monthly cost of the NatGateway-Hours",
	RuleIdleVPCEndpoint: "idle when GB processed over the last N days billed <= N x idle GB a day; " +
		"saving = monthly cost of the VpcEndpoint-Hours",
	RuleIdleLoadBalancer: "idle when LCU-hours (or Classic GB processed) over the last N days billed <= N x idle units a day; " +
		"saving = monthly cost of the LoadBalancerUsage hours + the LCU or data processed",
	RuleGP2ToGP3: "G = GB-months, C = storage cost a month, u = 0.8 C / G; " +
		"saving = C - (0.8 C + 0.06 u x (min(max(3G, 3000), 16000) - 3000) + 0.5 u x (125 if G > 150 else 0))",
	RuleOldSnapshot:        "old when first billed at least 12 months (default) before its last day billed; saving = its monthly storage cost (an upper bound: incremental blocks a newer snapshot shares stay billed)",
	RulePreviousGeneration: "saving = 5% (default) of the monthly on-demand cost (a stated percentage, not a price table)",
	RuleUnusedReserved:     "saving = unused amortized upfront fee + unused recurring fee of the billing period",
	RuleUnusedSavingsPlan:  "saving = monthly total commitment - used commitment",
	RuleIdleS3Standard:     "idle when only Standard storage and no requests over the last 60 days billed (default); saving = 30% (default) of the monthly Standard storage cost",
}

// ID names a finding across reports and runs: the same rule, payer,
// usage account and resource make the same finding.
func (f Finding) ID() string {
	return f.Rule + "|" + f.Payer + "|" + f.UsageAccount + "|" + f.ResourceID
}
