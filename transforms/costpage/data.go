// Package costpage turns committed daily totals, anomaly records,
// month-end forecasts and savings findings into the cost report page: one
// self-contained HTML file whose data are the exact decimal strings of
// the totals, summed to the series the page draws, with the chart code and
// styles inline so the page opens from file:// with no network.
//
// The data are views: one per scope (all payers, a payer, an account),
// currency, measure and grouping (by service or by account). Each view
// holds a series per group for every day of the range, the largest
// groups by cost over the range named and the rest summed as "Other", so
// that a day's series add up exactly to the day's total of the scope.
// The findings' sums per scope and per rule are summed here too, exactly,
// so that the page only rounds them for display.
package costpage

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/findings"
	"github.com/curpipe/curpipe/transforms/forecast"
	"github.com/curpipe/curpipe/transforms/totals"
)

// Measures are the measures a view may show, by their page names.
var Measures = []string{"net_unblended", "unblended", "amortized"}

// Groupings are the ways a view groups its series.
var Groupings = []string{"service", "account"}

// Other names the series holding every group past the top ones.
const Other = "Other"

// DefaultTop is how many groups a view names when Options.Top is 0.
const DefaultTop = 8

// Options shape the page.
type Options struct {
	Title string
	// Top is how many groups a view names before "Other"; 0 means
	// DefaultTop.
	Top int
	// Movers is how many movers of each kind a view lists; 0 means 10.
	Movers int
	// Findings are the standing savings findings the page's panel
	// shows, in any order.
	Findings []findings.Finding
	// FindingRows is how many findings the panel lists for a choice of
	// filters; 0 means DefaultFindingRows.
	FindingRows int
}

// Data are the page's data, as its JSON blob carries them.
type Data struct {
	Title     string     `json:"title"`
	Days      []string   `json:"days"`
	Payers    []string   `json:"payers"`
	Accounts  []Account  `json:"accounts"`
	Views     []View     `json:"views"`
	Anomalies []Anomaly  `json:"anomalies"`
	Forecasts []Forecast `json:"forecasts"`
	// Findings are the savings findings, in every scope the page offers.
	Findings FindingsPanel `json:"findings"`
}

// Account is a usage account and the payer it bills to.
type Account struct {
	ID    string `json:"id"`
	Payer string `json:"payer"`
}

// View is what the page draws for one choice of filters. Payer and
// Account are "" for all; an account's view has no payer.
type View struct {
	Payer    string   `json:"payer"`
	Account  string   `json:"account"`
	Currency string   `json:"currency"`
	Measure  string   `json:"measure"`
	Group    string   `json:"group"`
	Series   []Series `json:"series"`
	// Total is the scope's cost of each day, exact.
	Total       []string    `json:"total"`
	MonthToDate MonthToDate `json:"monthToDate"`
	Movers      []Mover     `json:"movers"`
}

// Series is one group's cost of each day of Data.Days, exact.
type Series struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// MonthToDate is the cost of the last day's month through that day.
type MonthToDate struct {
	Month   string `json:"month"`
	Through string `json:"through"`
	Value   string `json:"value"`
	// Previous is the cost of the previous month through the same day of
	// the month (or its last day), for comparison.
	Previous string `json:"previous"`
}

// Mover is a group whose cost changed most between two days: Kind "day"
// compares the last day with the one before, "week" with the same
// weekday a week before.
type Mover struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	From   string `json:"from"`
	To     string `json:"to"`
	Before string `json:"before"`
	After  string `json:"after"`
	Change string `json:"change"`
}

// Anomaly is an anomaly record as the page marks it.
type Anomaly struct {
	Payer    string `json:"payer"`
	Account  string `json:"account"`
	Service  string `json:"service"`
	Currency string `json:"currency"`
	Kind     string `json:"kind"`
	Start    string `json:"start"`
	End      string `json:"end"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	Impact   string `json:"impact"`
	Status   string `json:"status"`
}

// Forecast is a payer's month-end forecast with its 80% interval.
type Forecast struct {
	Payer       string `json:"payer"`
	Currency    string `json:"currency"`
	Measure     string `json:"measure"`
	Month       string `json:"month"`
	AsOf        string `json:"asOf"`
	MonthToDate string `json:"monthToDate"`
	Forecast    string `json:"forecast"`
	Lower80     string `json:"lower80"`
	Upper80     string `json:"upper80"`
}

// measureOf picks a measure of s by its page name.
func measureOf(s *totals.Sums, m string) decimal.Decimal {
	switch m {
	case "unblended":
		return s.Unblended
	case "amortized":
		return s.Amortized
	}
	return s.NetUnblended
}

// Build computes the page's data from the detail totals, the anomaly
// records and the forecast rows. The days run from the first day of tab
// to its last, days without cost included, so that the chart's axis has
// no gaps.
func Build(tab totals.Table, anomalies []alert.Record, forecasts []forecast.Row, opt Options) (Data, error) {
	if opt.Top <= 0 {
		opt.Top = DefaultTop
	}
	if opt.Movers <= 0 {
		opt.Movers = 10
	}
	if opt.FindingRows <= 0 {
		opt.FindingRows = DefaultFindingRows
	}
	d := Data{Title: opt.Title, Anomalies: []Anomaly{}, Forecasts: []Forecast{}}
	days, err := dayRange(tab)
	if err != nil {
		return Data{}, err
	}
	d.Days = days
	dayIndex := make(map[string]int, len(days))
	for i, day := range days {
		dayIndex[day] = i
	}
	payers, accounts, currencies := map[string]bool{}, map[string]string{}, map[string]bool{}
	for k := range tab {
		payers[k.Payer] = true
		accounts[k.Account] = k.Payer
		currencies[k.Currency] = true
	}
	d.Payers = sortedKeys(payers)
	for _, a := range sortedKeys(accounts) {
		d.Accounts = append(d.Accounts, Account{ID: a, Payer: accounts[a]})
	}
	for _, s := range scopes(d.Payers, d.Accounts) {
		for _, cur := range sortedKeys(currencies) {
			for _, m := range Measures {
				for _, g := range Groupings {
					v := buildView(tab, s, cur, m, g, days, dayIndex, opt)
					if v.Series != nil {
						d.Views = append(d.Views, v)
					}
				}
			}
		}
	}
	for _, r := range anomalies {
		d.Anomalies = append(d.Anomalies, Anomaly{Payer: r.Payer, Account: r.Account, Service: r.Service,
			Currency: r.Currency, Kind: r.Kind, Start: r.Start, End: r.End, Expected: r.Expected.String(),
			Actual: r.Actual.String(), Impact: r.Impact.String(), Status: fmt.Sprint(r.Status)})
	}
	for _, r := range forecasts {
		if r.Account != "" || r.Service != "" {
			continue // the page shows payers' forecasts
		}
		d.Forecasts = append(d.Forecasts, Forecast{Payer: r.Payer, Currency: r.Currency, Measure: r.Measure,
			Month: r.Month.String()[:7], AsOf: r.AsOf.String(), MonthToDate: r.MonthToDate.String(),
			Forecast: r.Forecast.String(), Lower80: r.Lower80.String(), Upper80: r.Upper80.String()})
	}
	d.Findings = buildFindings(opt.Findings, opt.FindingRows)
	return d, nil
}

// scope is a choice of payer and account; "" is all.
type scope struct{ payer, account string }

func (s scope) has(k totals.Dims) bool {
	return (s.payer == "" || k.Payer == s.payer) && (s.account == "" || k.Account == s.account)
}

// scopes lists all payers, each payer, and each account. An account
// bills to one payer, so its view is kept once, under no payer, and the
// page looks it up by the account alone.
func scopes(payers []string, accounts []Account) []scope {
	out := []scope{{}}
	for _, p := range payers {
		out = append(out, scope{payer: p})
	}
	for _, a := range accounts {
		out = append(out, scope{account: a.ID})
	}
	return out
}

// dayRange lists every day from tab's first to its last.
func dayRange(tab totals.Table) ([]string, error) {
	var first, last string
	for k := range tab {
		if first == "" || k.Day < first {
			first = k.Day
		}
		if k.Day > last {
			last = k.Day
		}
	}
	if first == "" {
		return []string{}, nil
	}
	a, err := time.Parse(time.DateOnly, first)
	if err != nil {
		return nil, fmt.Errorf("costpage: day %q: %w", first, err)
	}
	b, err := time.Parse(time.DateOnly, last)
	if err != nil {
		return nil, fmt.Errorf("costpage: day %q: %w", last, err)
	}
	var days []string
	for t := a; !t.After(b); t = t.AddDate(0, 0, 1) {
		days = append(days, t.Format(time.DateOnly))
	}
	return days, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// rank orders groups by their cost over the range, largest first, then
// by name, so that the top groups are stable.
func rank(sums map[string][]decimal.Decimal) []string {
	type ranked struct {
		name  string
		total decimal.Decimal
	}
	var rs []ranked
	for name, vs := range sums {
		var t decimal.Decimal
		for _, v := range vs {
			t = t.Add(v)
		}
		rs = append(rs, ranked{name, t})
	}
	slices.SortFunc(rs, func(a, b ranked) int {
		if c := b.total.Cmp(a.total); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	})
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.name
	}
	return out
}
