package costpage

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/findings"
	"github.com/curpipe/curpipe/transforms/totals"
)

func dec(t testing.TB, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sample is a table of two payers, three accounts and services s0..s4
// over 2026-02-20..2026-03-10, with amounts that floats cannot hold
// exactly.
func sample(t testing.TB) totals.Table {
	tab := totals.Table{}
	accounts := [][2]string{{"111111111111", "222222222222"}, {"111111111111", "333333333333"}, {"444444444444", "555555555555"}}
	day := 0
	for _, d := range dayList("2026-02-20", 19) {
		for ai, a := range accounts {
			for s := 0; s < 5; s++ {
				// s0 is largest; s4 jumps on the last day, a mover.
				amount := fmt.Sprintf("%d.0000000001", (5-s)*10+ai+day%3)
				if s == 4 && d == "2026-03-10" {
					amount = "100.1234567891"
				}
				v := dec(t, amount)
				tab.Add(totals.Dims{Day: d, Provider: "AWS", Payer: a[0], Account: a[1], Service: fmt.Sprintf("s%d", s), Currency: "USD"},
					v, v.Sub(dec(t, "0.1")), v)
			}
		}
		day++
	}
	return tab
}

func dayList(first string, n int) []string {
	t, _ := time.Parse(time.DateOnly, first)
	out := make([]string, n)
	for i := range out {
		out[i] = t.AddDate(0, 0, i).Format(time.DateOnly)
	}
	return out
}

func find(t *testing.T, d Data, payer, account, measure, group string) View {
	t.Helper()
	for _, v := range d.Views {
		if v.Payer == payer && v.Account == account && v.Currency == "USD" && v.Measure == measure && v.Group == group {
			return v
		}
	}
	t.Fatalf("no view %q %q %s %s", payer, account, measure, group)
	return View{}
}

func TestTopAndOther(t *testing.T) {
	d, err := Build(sample(t), nil, nil, Options{Top: 2})
	if err != nil {
		t.Fatal(err)
	}
	v := find(t, d, "", "", "net_unblended", "service")
	var names []string
	for _, s := range v.Series {
		names = append(names, s.Name)
	}
	if got, want := fmt.Sprint(names), "[s0 s1 Other]"; got != want {
		t.Errorf("series = %s, want %s", got, want)
	}
	// With a top of 4 and five services, "Other" would hold one: name it.
	d, _ = Build(sample(t), nil, nil, Options{Top: 4})
	if n := len(find(t, d, "", "", "net_unblended", "service").Series); n != 5 {
		t.Errorf("top 4 of 5: %d series, want 5 named", n)
	}
}

// TestSeriesSumToDetail checks exactness: each day's series add up to the
// sum of daily_detail's entries of that day in the view's scope.
func TestSeriesSumToDetail(t *testing.T) {
	tab := sample(t)
	d, err := Build(tab, nil, nil, Options{Top: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range d.Views {
		for i, day := range d.Days {
			var want, got decimal.Decimal
			for k, s := range tab {
				if k.Day == day && k.Currency == v.Currency && (v.Payer == "" || k.Payer == v.Payer) && (v.Account == "" || k.Account == v.Account) {
					want = want.Add(measureOf(s, v.Measure))
				}
			}
			for _, s := range v.Series {
				got = got.Add(dec(t, s.Values[i]))
			}
			if !got.Equal(want) || v.Total[i] != want.String() {
				t.Fatalf("%+v %s: series sum %s, total %s, detail %s", v.Group, day, got, v.Total[i], want)
			}
		}
	}
	v := find(t, d, "", "333333333333", "unblended", "service")
	if got, want := v.Series[0].Values[0], "51.0000000001"; got != want {
		t.Errorf("s0 on the first day = %s, want %s", got, want)
	}
}

func TestMonthToDate(t *testing.T) {
	d, _ := Build(sample(t), nil, nil, Options{})
	m := find(t, d, "444444444444", "", "unblended", "account").MonthToDate
	// 2026-03-01..10 of account 555555555555: services 50+40+30+20+10
	// (+2, days 9..18 cycling 0,1,2) and s4's jump on the 10th.
	var want, prev decimal.Decimal
	for i, day := range dayList("2026-02-20", 19) {
		var v decimal.Decimal
		for s := 0; s < 5; s++ {
			amount := fmt.Sprintf("%d.0000000001", (5-s)*10+2+i%3)
			if s == 4 && day == "2026-03-10" {
				amount = "100.1234567891"
			}
			v = v.Add(dec(t, amount))
		}
		if day >= "2026-03-01" {
			want = want.Add(v)
		} else if day <= "2026-02-10" {
			prev = prev.Add(v)
		}
	}
	if m.Month != "2026-03" || m.Through != "2026-03-10" || m.Value != want.String() {
		t.Errorf("month to date = %+v, want 2026-03 through 2026-03-10 of %s", m, want)
	}
	if m.Previous != "" {
		t.Errorf("previous = %q, want none: the range starts on 2026-02-20", m.Previous)
	}
}

func TestMovers(t *testing.T) {
	d, _ := Build(sample(t), nil, nil, Options{Movers: 2})
	v := find(t, d, "", "555555555555", "unblended", "service")
	if len(v.Movers) != 4 {
		t.Fatalf("movers = %+v, want 2 of each kind", v.Movers)
	}
	day, week := v.Movers[0], v.Movers[2]
	// s4 jumps from 10+2+17%3 to 100.12...: the largest mover both ways.
	if day.Kind != "day" || day.Name != "s4" || day.From != "2026-03-09" || day.Before != "14.0000000001" || day.Change != "86.123456789" {
		t.Errorf("day mover = %+v", day)
	}
	if week.Kind != "week" || week.Name != "s4" || week.From != "2026-03-03" || week.After != "100.1234567891" {
		t.Errorf("week mover = %+v", week)
	}
}

// sampleFindings are findings of sample's payers and accounts, with
// savings that floats cannot add exactly.
func sampleFindings(t testing.TB) []findings.Finding {
	mk := func(rule, id, payer, account, cost, saving string) findings.Finding {
		return findings.Finding{Rule: rule, ResourceID: id, Payer: payer, UsageAccount: account, Region: "eu-west-1",
			FirstSeen: "2026-02-20", LastSeen: "2026-03-10", MonthlyCost: dec(t, cost), MonthlySaving: dec(t, saving), DaysSeen: 10}
	}
	return []findings.Finding{
		mk(findings.RuleIdlePublicIP, "eipalloc-1", "111111111111", "222222222222", "3.6", "3.6000000001"),
		mk(findings.RuleGP2ToGP3, "vol-1", "111111111111", "222222222222", "100.1", "20.0200000003"),
		mk(findings.RuleGP2ToGP3, "vol-2", "111111111111", "333333333333", "0.3", "0.0600000007"),
		mk(findings.RuleOldSnapshot, "snap-1", "111111111111", "333333333333", "0.1000000001", "0.1000000001"),
		mk(findings.RuleIdleNATGateway, "nat-1", "444444444444", "555555555555", "32.85", "32.8500000002"),
		mk(findings.RuleOldSnapshot, "snap-2", "444444444444", "555555555555", "1234567.0000000007", "1234567.0000000007"),
		mk(findings.RuleIdlePublicIP, "eipalloc-2", "444444444444", "555555555555", "3.6", "3.6000000001"),
	}
}

// TestPageFindingsSums checks the panel's sums against the findings, per
// scope and per rule, exactly, and that the rows hold each scope's
// largest findings in order.
func TestPageFindingsSums(t *testing.T) {
	fs := sampleFindings(t)
	d, err := Build(sample(t), nil, nil, Options{Findings: fs, FindingRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	p := d.Findings
	if len(p.Scopes) != 1+2+3 {
		t.Fatalf("scopes = %+v, want all, 2 payers and 3 accounts", p.Scopes)
	}
	for _, sc := range p.Scopes {
		in := func(f findings.Finding) bool {
			return (sc.Payer == "" || f.Payer == sc.Payer) && (sc.Account == "" || f.UsageAccount == sc.Account)
		}
		var total decimal.Decimal
		n := 0
		perRule := map[string]decimal.Decimal{}
		counts := map[string]int{}
		for _, f := range fs {
			if in(f) {
				total = total.Add(f.MonthlySaving)
				perRule[f.Rule] = perRule[f.Rule].Add(f.MonthlySaving)
				counts[f.Rule]++
				n++
			}
		}
		if sc.Saving != total.String() || sc.Count != n {
			t.Errorf("scope %q %q: %d findings saving %s, want %d saving %s", sc.Payer, sc.Account, sc.Count, sc.Saving, n, total)
		}
		if len(sc.Rules) != len(perRule) {
			t.Errorf("scope %q %q: rules %+v, want %d", sc.Payer, sc.Account, sc.Rules, len(perRule))
		}
		for i, r := range sc.Rules {
			if r.Saving != perRule[r.Rule].String() || r.Count != counts[r.Rule] {
				t.Errorf("scope %q %q rule %s: %d saving %s, want %d saving %s", sc.Payer, sc.Account, r.Rule, r.Count, r.Saving, counts[r.Rule], perRule[r.Rule])
			}
			if i > 0 && dec(t, sc.Rules[i-1].Saving).Cmp(dec(t, r.Saving)) < 0 {
				t.Errorf("scope %q %q: rules out of order: %+v", sc.Payer, sc.Account, sc.Rules)
			}
		}
		// The page filters the rows to the scope and lists the first
		// Limit: the scope's largest.
		sorted := slices.Clone(fs)
		findings.Sort(sorted)
		var want, got []string
		for _, f := range sorted {
			if in(f) && len(want) < p.Limit {
				want = append(want, f.ResourceID+" "+f.MonthlySaving.String())
			}
		}
		for _, r := range p.Rows {
			if (sc.Payer == "" || r.Payer == sc.Payer) && (sc.Account == "" || r.Account == sc.Account) && len(got) < p.Limit {
				got = append(got, r.ResourceID+" "+r.MonthlySaving)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("scope %q %q lists %v, want %v", sc.Payer, sc.Account, got, want)
		}
	}
	all := p.Scopes[0]
	if all.Payer != "" || all.Account != "" || all.Saving != "1234627.2300000022" || all.Count != 7 {
		t.Errorf("all findings: %+v, want 7 saving 1234627.2300000022", all)
	}
	if r := all.Rules[0]; r.Rule != findings.RuleOldSnapshot || r.Saving != "1234567.1000000008" || r.Count != 2 {
		t.Errorf("largest rule: %+v, want old-snapshot, 2, 1234567.1000000008", r)
	}
	// eipalloc-2 is third in its payer and account, and no scope's 2
	// largest: the page has no row for it.
	for _, r := range p.Rows {
		if r.ResourceID == "eipalloc-2" {
			t.Errorf("row %+v listed past every scope's limit", r)
		}
	}
	if p.Formulas[findings.RuleGP2ToGP3] != findings.Formula(findings.RuleGP2ToGP3) || p.Formulas[findings.RuleGP2ToGP3] == "" {
		t.Errorf("formulas = %v", p.Formulas)
	}

	d, _ = Build(sample(t), nil, nil, Options{})
	if len(d.Findings.Rows) != 0 || len(d.Findings.Scopes) != 0 || d.Findings.Limit != DefaultFindingRows {
		t.Errorf("no findings: %+v", d.Findings)
	}
}
