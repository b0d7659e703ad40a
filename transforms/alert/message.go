package alert

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Message is an anomaly's SNS message: Subject and Body for people (the
// body ends with the figures as JSON), Attributes for subscription filter
// policies.
type Message struct {
	Subject    string
	Body       string
	Attributes map[string]string
}

// Compose writes the message announcing a's status.
func Compose(a Anomaly, status Status) (Message, error) {
	doc, err := json.MarshalIndent(document(a, status), "", "  ")
	if err != nil {
		return Message{}, fmt.Errorf("alert %s: %w", a.ID(), err)
	}
	var b strings.Builder
	b.WriteString(headline(a, status))
	b.WriteString("\n\n")
	rows := [][2]string{
		{"expected", money(a.Expected, a.Currency)},
		{"actual", money(a.Actual, a.Currency)},
		{"impact", signedMoney(a.Impact, a.Currency) + percent(a.ImpactPercent) + ", largest day " + signedMoney(a.MaxImpact, a.Currency)},
		{"days", fmt.Sprintf("%s to %s (%d), %s", a.Start, a.End, a.Days(), kindWords(a.Kind))},
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-9s %s\n", r[0], r[1])
	}
	if len(a.RootCauses) > 0 {
		b.WriteString("\nTop causes:\n")
		for _, c := range a.RootCauses {
			if c.Account != "" || c.Service != "" {
				fmt.Fprintf(&b, "  %s in %s\n", orDash(c.Service), orDash(c.Account))
			}
			fmt.Fprintf(&b, "  %-16s %-40s %s\n", orDash(c.Region), orDash(c.UsageType), signedMoney(c.Contribution, a.Currency))
		}
	}
	b.WriteString("\n")
	b.Write(doc)
	b.WriteString("\n")
	attrs := map[string]string{"type": "anomaly", "status": string(status), "payer": a.Payer, "currency": a.Currency}
	if a.Account != "" {
		attrs["account"] = a.Account
	}
	if a.Service != "" {
		attrs["service"] = a.Service
	}
	return Message{Subject: subject(a, status), Body: b.String(), Attributes: attrs}, nil
}

// what names the series: "Amazon EC2 in 123456789012", or the payer's
// total.
func what(a Anomaly) string {
	if a.Account == "" && a.Service == "" {
		return "payer " + a.Payer + " total"
	}
	return a.Service + " in " + a.Account
}

func subject(a Anomaly, status Status) string {
	lead := "Cost anomaly"
	switch {
	case status == Resolved:
		lead = "Resolved cost anomaly"
	case status == Grown:
		lead = "Cost anomaly grew"
	case a.Kind == "new":
		lead = "New spend"
	}
	return fmt.Sprintf("%s: %s %s%s since %s", lead, what(a), signedMoney(a.Impact, a.Currency), percent(a.ImpactPercent), a.Start)
}

func headline(a Anomaly, status Status) string {
	dir := "more"
	if a.Impact.Sign() < 0 {
		dir = "less"
	}
	where := what(a)
	if a.Account != "" || a.Service != "" {
		where = a.Service + " in account " + a.Account + " (payer " + a.Payer + ")"
	}
	s := fmt.Sprintf("%s cost %s %s than expected over %d day(s) since %s%s.", where, money(abs(a.Impact), a.Currency), dir, a.Days(), a.Start, percent(a.ImpactPercent))
	switch status {
	case Grown:
		s = "Grown: " + s
	case Resolved:
		s = "Resolved, no longer anomalous after a restatement or later days: " + s
	}
	return s
}

func kindWords(k string) string {
	switch k {
	case "spike":
		return "a spike"
	case "shift":
		return "a level shift"
	case "drift":
		return "a drift"
	case "new":
		return "new spend"
	}
	return k
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// money prints d rounded to cents with thousands separators: "USD 1,234.57".
func money(d decimal.Decimal, currency string) string {
	s := d.Round(2).String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	var g []string
	for len(whole) > 3 {
		g = append([]string{whole[len(whole)-3:]}, g...)
		whole = whole[:len(whole)-3]
	}
	g = append([]string{whole}, g...)
	out := currency + " " + strings.Join(g, ",") + "." + frac
	if neg {
		return "-" + out
	}
	return out
}

// signedMoney is money with a "+" on a positive figure.
func signedMoney(d decimal.Decimal, currency string) string {
	if d.Sign() > 0 {
		return "+" + money(d, currency)
	}
	return money(d, currency)
}

// percent is " (+250.00%)", or "" when there is none.
func percent(p *decimal.Decimal) string {
	if p == nil {
		return ""
	}
	s := p.Round(2).String()
	if !strings.Contains(s, ".") {
		s += ".00"
	} else if i := strings.IndexByte(s, '.'); len(s)-i == 2 {
		s += "0"
	}
	if p.Sign() > 0 {
		s = "+" + s
	}
	return " (" + s + "%)"
}

// The JSON of a message: AWS Cost Anomaly Detection's names (Anomaly,
// Impact, RootCause), money as exact decimal strings.
type (
	jsonAnomaly struct {
		Type             string      `json:"type"`
		Status           Status      `json:"status"`
		AnomalyID        string      `json:"AnomalyId"`
		AnomalyStartDate string      `json:"AnomalyStartDate"`
		AnomalyEndDate   string      `json:"AnomalyEndDate"`
		DimensionValue   string      `json:"DimensionValue"`
		PayerAccountID   string      `json:"PayerAccountId"`
		LinkedAccount    string      `json:"LinkedAccount,omitempty"`
		Service          string      `json:"Service,omitempty"`
		Currency         string      `json:"Currency"`
		Kind             string      `json:"Kind"`
		AnomalyScore     jsonScore   `json:"AnomalyScore"`
		Impact           jsonImpact  `json:"Impact"`
		RootCauses       []jsonCause `json:"RootCauses"`
	}
	jsonScore struct {
		MaxScore float64 `json:"MaxScore"`
	}
	jsonImpact struct {
		MaxImpact             decimal.Decimal  `json:"MaxImpact"`
		TotalActualSpend      decimal.Decimal  `json:"TotalActualSpend"`
		TotalExpectedSpend    decimal.Decimal  `json:"TotalExpectedSpend"`
		TotalImpact           decimal.Decimal  `json:"TotalImpact"`
		TotalImpactPercentage *decimal.Decimal `json:"TotalImpactPercentage,omitempty"`
	}
	jsonCause struct {
		Service       string           `json:"Service,omitempty"`
		LinkedAccount string           `json:"LinkedAccount,omitempty"`
		Region        string           `json:"Region,omitempty"`
		UsageType     string           `json:"UsageType,omitempty"`
		Impact        jsonContribution `json:"Impact"`
	}
	jsonContribution struct {
		Contribution decimal.Decimal `json:"Contribution"`
	}
)

func document(a Anomaly, status Status) jsonAnomaly {
	dim := a.Service
	if dim == "" {
		dim = a.Payer
	}
	score := a.Score
	if math.IsNaN(score) || math.IsInf(score, 0) {
		score = 0 // JSON has no NaN; a new series has no scale
	}
	doc := jsonAnomaly{
		Type: "anomaly", Status: status, AnomalyID: a.ID(), AnomalyStartDate: a.Start, AnomalyEndDate: a.End,
		DimensionValue: dim, PayerAccountID: a.Payer, LinkedAccount: a.Account, Service: a.Service, Currency: a.Currency, Kind: a.Kind,
		AnomalyScore: jsonScore{MaxScore: math.Round(score*100) / 100},
		Impact: jsonImpact{MaxImpact: a.MaxImpact, TotalActualSpend: a.Actual, TotalExpectedSpend: a.Expected,
			TotalImpact: a.Impact, TotalImpactPercentage: a.ImpactPercent},
		RootCauses: []jsonCause{},
	}
	for _, c := range a.RootCauses {
		doc.RootCauses = append(doc.RootCauses, jsonCause{Service: cmp.Or(c.Service, a.Service), LinkedAccount: cmp.Or(c.Account, a.Account), Region: c.Region,
			UsageType: c.UsageType, Impact: jsonContribution{Contribution: c.Contribution}})
	}
	return doc
}

func parseDay(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }
