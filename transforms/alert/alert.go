// Package alert turns cost anomalies into what people and tables see: the
// alert thresholds that decide which anomalies are published, the SNS
// message of an anomaly (a subject and a body a person reads at a glance,
// then the figures as JSON named as AWS Cost Anomaly Detection names
// them), and the rows `curpipe anomalies` lists.
//
// Every money figure is an exact decimal; the text rounds to cents for
// reading, the JSON and the rows carry the figures whole.
package alert

import (
	"errors"
	"fmt"
	"strings"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Status is where an anomaly stands in its life.
type Status string

// The statuses an alert announces.
const (
	Open     Status = "open"     // first seen
	Grown    Status = "grown"    // its impact grew materially since it was announced
	Resolved Status = "resolved" // a restatement took it away, or its days came back to normal
)

// Anomaly is one anomaly of one series: a run of days whose cost was not
// what the days before them said it would be.
type Anomaly struct {
	Payer    string // payer account id
	Account  string // usage account id; "" for the payer's total
	Service  string // "" for the payer's total
	Currency string
	Kind     string // spike, shift, drift, new
	Start    string // first day, YYYY-MM-DD
	End      string // last day so far
	// Expected and Actual are the cost of its days; Impact is Actual -
	// Expected; MaxImpact is the impact of its day furthest from expected.
	Expected, Actual, Impact, MaxImpact decimal.Decimal
	// ImpactPercent is Impact / Expected in percent, rounded to 2 places;
	// nil when Expected is 0 (a new account or service).
	ImpactPercent *decimal.Decimal
	// Score is the largest robust z-score of its days (a statistic).
	Score float64
	// RootCauses are the region and usage type lines that contribute
	// most to the impact, largest first (see Explain).
	RootCauses []RootCause
}

// RootCause is one line of an anomaly's series: its contribution is its
// cost on the anomaly's days minus its cost on as many days before them
// (CauseDays). Account and Service are set for a payer's total, whose
// lines span its series; a series' causes are all its own.
type RootCause struct {
	Account, Service string
	Region           string
	UsageType        string
	Contribution     decimal.Decimal
}

// ID names an anomaly for as long as it lives: its series and first day.
// Redeliveries, reruns and later windows find it under the same ID.
func (a Anomaly) ID() string {
	return strings.Join([]string{a.Payer, a.Account, a.Service, a.Currency, a.Start}, "|")
}

// Days returns the number of days from Start to End.
func (a Anomaly) Days() int {
	s, err1 := parseDay(a.Start)
	e, err2 := parseDay(a.End)
	if err1 != nil || err2 != nil || e.Before(s) {
		return 0
	}
	return int(e.Sub(s).Hours()/24) + 1
}

// Mode joins the two thresholds.
type Mode string

// The ways thresholds join, as AWS Cost Anomaly Detection's subscriptions
// join theirs.
const (
	And Mode = "and" // both the absolute and the percentage impact must be reached
	Or  Mode = "or"  // either is enough
)

// Thresholds decide which anomalies are published; every anomaly is
// recorded whatever they say.
type Thresholds struct {
	MinImpact  decimal.Decimal // absolute impact, in the anomaly's currency
	MinPercent decimal.Decimal // impact percentage
	Mode       Mode
}

// DefaultThresholds publish an anomaly of at least 100 and at least 20%.
func DefaultThresholds() Thresholds {
	return Thresholds{MinImpact: decimal.MustParse("100"), MinPercent: decimal.MustParse("20"), Mode: And}
}

// Validate says what is wrong with t, if anything.
func (t Thresholds) Validate() error {
	var errs []error
	if t.MinImpact.Sign() < 0 {
		errs = append(errs, fmt.Errorf("--alert-min-impact %s: must be 0 or more", t.MinImpact))
	}
	if t.MinPercent.Sign() < 0 {
		errs = append(errs, fmt.Errorf("--alert-min-percent %s: must be 0 or more", t.MinPercent))
	}
	if t.Mode != And && t.Mode != Or {
		errs = append(errs, fmt.Errorf("--alert-threshold-mode %q: want and or or", t.Mode))
	}
	return errors.Join(errs...)
}

// Pass reports whether a is worth publishing: its total impact, up or
// down, against MinImpact and its impact percentage against MinPercent,
// joined by Mode. An anomaly without a percentage (nothing was expected)
// passes the percentage.
func (t Thresholds) Pass(a Anomaly) bool {
	byImpact := abs(a.Impact).Cmp(t.MinImpact) >= 0
	byPercent := a.ImpactPercent == nil || abs(*a.ImpactPercent).Cmp(t.MinPercent) >= 0
	if t.Mode == Or {
		return byImpact || byPercent
	}
	return byImpact && byPercent
}

func abs(d decimal.Decimal) decimal.Decimal {
	if d.Sign() < 0 {
		return d.Neg()
	}
	return d
}
