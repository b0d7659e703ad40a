package findings

import (
	"testing"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

const (
	testPayer   = "111111111111"
	testAccount = "222222222222"
	testRegion  = "us-east-1"
)

func dec(s string) decimal.Decimal { return decimal.MustParse(s) }

// usage returns a Usage line of the test payer and account.
func usage(day, service, usageType, id, amount, cost string) Line {
	return Line{
		UsageDay: day, BillingPeriod: day[:7], Payer: testPayer, UsageAccount: testAccount,
		Service: service, LineItemType: "Usage", UsageType: usageType, Region: testRegion,
		ResourceID: id, PricingTerm: "OnDemand",
		UsageAmount: dec(amount), UnblendedCost: dec(cost), NetUnblendedCost: dec(cost), AmortizedCost: dec(cost),
	}
}

// days returns n consecutive days from first (YYYY-MM-DD).
func days(first string, n int) []string {
	t, err := time.Parse(time.DateOnly, first)
	if err != nil {
		panic(err)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = t.AddDate(0, 0, i).Format(time.DateOnly)
	}
	return out
}

// daily returns one line a day for each of the days, made by mk.
func daily(ds []string, mk func(day string) Line) []Line {
	out := make([]Line, len(ds))
	for i, d := range ds {
		out[i] = mk(d)
	}
	return out
}

func feed(t testing.TB, lines []Line) *Acc {
	t.Helper()
	var a Acc
	for i := range lines {
		if err := a.Add(&lines[i]); err != nil {
			t.Fatal(err)
		}
	}
	return &a
}

func concat(ls ...[]Line) []Line {
	var out []Line
	for _, l := range ls {
		out = append(out, l...)
	}
	return out
}

// june is every day of June 2025 (30 days).
var june = days("2025-06-01", 30)
