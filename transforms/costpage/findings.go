package costpage

import (
	"cmp"
	"slices"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/findings"
)

// DefaultFindingRows is how many findings the panel lists for a choice of
// filters when Options.FindingRows is 0.
const DefaultFindingRows = 200

// FindingsPanel is what the savings findings panel shows: the sums of each
// scope, computed here exactly, and the findings it lists.
type FindingsPanel struct {
	// Rows are the findings, largest saving first: those among the Limit
	// largest of some scope, so that the page, filtering them to a scope
	// in order, lists exactly that scope's Limit largest.
	Rows []FindingRow `json:"rows"`
	// Scopes hold the sums of all findings, each payer's and each usage
	// account's; an account's scope has no payer, as a view's has none.
	// A scope with no findings is left out.
	Scopes []FindingScope `json:"scopes"`
	// Formulas are the saving formulas of the rules found.
	Formulas map[string]string `json:"formulas"`
	Limit    int               `json:"limit"`
}

// FindingRow is a finding as the panel lists it, money exact.
type FindingRow struct {
	Rule          string `json:"rule"`
	ResourceID    string `json:"resourceId"`
	Payer         string `json:"payer"`
	Account       string `json:"account"`
	Region        string `json:"region"`
	Detail        string `json:"detail"`
	FirstSeen     string `json:"firstSeen"`
	LastSeen      string `json:"lastSeen"`
	MonthlyCost   string `json:"monthlyCost"`
	MonthlySaving string `json:"monthlySaving"`
}

// FindingScope sums the findings of a scope: their count and estimated
// monthly saving, in all and per rule.
type FindingScope struct {
	Payer   string    `json:"payer"`
	Account string    `json:"account"`
	Count   int       `json:"count"`
	Saving  string    `json:"saving"`
	Rules   []RuleSum `json:"rules"`
}

// RuleSum is one rule's findings in a scope; a scope's RuleSums run from
// the largest saving down.
type RuleSum struct {
	Rule   string `json:"rule"`
	Count  int    `json:"count"`
	Saving string `json:"saving"`
}

// buildFindings makes the panel's data from fs, in the scopes of all
// payers, each payer and each usage account that fs name.
func buildFindings(fs []findings.Finding, limit int) FindingsPanel {
	fs = slices.Clone(fs)
	findings.Sort(fs)
	p := FindingsPanel{Rows: []FindingRow{}, Scopes: []FindingScope{}, Formulas: map[string]string{}, Limit: limit}
	if len(fs) == 0 {
		return p
	}
	payers, accounts := map[string]bool{}, map[string]bool{}
	for _, f := range fs {
		payers[f.Payer] = true
		accounts[f.UsageAccount] = true
		p.Formulas[f.Rule] = findings.Formula(f.Rule)
	}
	ss := []scope{{}}
	for _, py := range sortedKeys(payers) {
		ss = append(ss, scope{payer: py})
	}
	for _, a := range sortedKeys(accounts) {
		ss = append(ss, scope{account: a})
	}
	listed := make([]bool, len(fs))
	for _, s := range ss {
		sc := FindingScope{Payer: s.payer, Account: s.account}
		var total decimal.Decimal
		rules := map[string]*RuleSum{}
		savings := map[string]decimal.Decimal{}
		for i, f := range fs {
			if (s.payer != "" && f.Payer != s.payer) || (s.account != "" && f.UsageAccount != s.account) {
				continue
			}
			if sc.Count < limit {
				listed[i] = true
			}
			sc.Count++
			total = total.Add(f.MonthlySaving)
			r := rules[f.Rule]
			if r == nil {
				r = &RuleSum{Rule: f.Rule}
				rules[f.Rule] = r
			}
			r.Count++
			savings[f.Rule] = savings[f.Rule].Add(f.MonthlySaving)
		}
		if sc.Count == 0 {
			continue
		}
		sc.Saving = total.String()
		for name, r := range rules {
			r.Saving = savings[name].String()
			sc.Rules = append(sc.Rules, *r)
		}
		slices.SortFunc(sc.Rules, func(a, b RuleSum) int {
			return cmp.Or(savings[b.Rule].Cmp(savings[a.Rule]), cmp.Compare(a.Rule, b.Rule))
		})
		p.Scopes = append(p.Scopes, sc)
	}
	for i, f := range fs {
		if !listed[i] {
			continue
		}
		p.Rows = append(p.Rows, FindingRow{Rule: f.Rule, ResourceID: f.ResourceID, Payer: f.Payer,
			Account: f.UsageAccount, Region: f.Region, Detail: f.Detail, FirstSeen: f.FirstSeen,
			LastSeen: f.LastSeen, MonthlyCost: f.MonthlyCost.String(), MonthlySaving: f.MonthlySaving.String()})
	}
	return p
}
