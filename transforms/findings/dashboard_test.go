package findings

import (
	"math/big"
	"testing"
)

// These tests compute the AWS Cloud Intelligence Dashboards' savings
// columns step by step as their SQL does (kpi_ebs_storage_view.sql for
// gp2, summary_view.sql for reservations and Savings Plans), on hand-made
// lines, and check that the findings carry the same figure to the cent.

func r(s string) *big.Rat {
	v, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return v
}

// cents formats a rational as the dashboards show it.
func cents(x *big.Rat) string { return x.FloatString(2) }

func TestDashboardGP2(t *testing.T) {
	// 600 GB of gp2 for June at eu-central-1's 0.119 a GB-month: 20
	// GB-months and 2.38 a day.
	lines := daily(june, func(d string) Line { return gp2(d, vol, "20", "2.38") })

	// The view, per volume and month.
	usageStorageGBMo := r("600")  // SUM(line_item_usage_amount) of EBS:VolumeUsage
	costStorageGBMo := r("71.40") // SUM(line_item_unblended_cost)
	ebsGP2Cost := costStorageGBMo // gp2 has no IOPS or throughput lines
	estimatedGP3UnitCost := new(big.Rat).Quo(new(big.Rat).Mul(costStorageGBMo, r("0.8")), usageStorageGBMo)
	gp2UsageAddedIOPSMo := r("0")       // 600 x 3 < 3000 THEN 3000 - 3000
	gp2UsageAddedThroughput := r("125") // usage_storage_gb_mo > 150
	gp3 := new(big.Rat).Mul(costStorageGBMo, r("0.8"))
	gp3.Add(gp3, new(big.Rat).Mul(new(big.Rat).Mul(estimatedGP3UnitCost, r("0.5")), gp2UsageAddedThroughput))
	gp3.Add(gp3, new(big.Rat).Mul(new(big.Rat).Mul(estimatedGP3UnitCost, r("0.06")), gp2UsageAddedIOPSMo))
	ebsGP3PotentialSavings := new(big.Rat).Sub(ebsGP2Cost, gp3)
	if got := cents(ebsGP3PotentialSavings); got != "8.33" { // 71.40 - (57.12 + 5.95)
		t.Fatalf("the dashboard's formula by hand: %s, want 8.33", got)
	}

	fs := feed(t, lines).Findings(DefaultConfig())
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1", len(fs))
	}
	if got := fs[0].MonthlySaving.Round(2).String(); got != cents(ebsGP3PotentialSavings) {
		t.Errorf("gp2-to-gp3 saving %s, the dashboard's %s", got, cents(ebsGP3PotentialSavings))
	}
}

func TestDashboardReservedInstance(t *testing.T) {
	// A partial-upfront reservation used 600 of June's 720 hours: its
	// RIFee line amortizes 36.00 of upfront and bills 36.00 recurring,
	// one sixth of each unused.
	line := riFee("2025-06-01", "36", "6", "36", "6")

	// summary_view: amortized cost of an RIFee line =
	// reservation_unused_amortized_upfront_fee_for_billing_period + reservation_unused_recurring_fee.
	unused := new(big.Rat).Add(r("6"), r("6"))

	fs := feed(t, []Line{line}).Findings(DefaultConfig())
	if len(fs) != 1 || fs[0].MonthlySaving.Round(2).String() != "12" || cents(unused) != "12.00" {
		t.Fatalf("findings %+v, want one saving the dashboard's %s", fs, cents(unused))
	}
}

func TestDashboardSavingsPlan(t *testing.T) {
	// 0.50 an hour committed, 0.42 used: daily lines of 12.00 and 10.08.
	lines := daily(june, func(d string) Line { return spFee(d, "12", "10.08") })

	// summary_view: amortized cost of a SavingsPlanRecurringFee line =
	// savings_plan_total_commitment_to_date - savings_plan_used_commitment, summed over June.
	unused := new(big.Rat)
	for range lines {
		unused.Add(unused, new(big.Rat).Sub(r("12"), r("10.08")))
	}
	if cents(unused) != "57.60" {
		t.Fatalf("the dashboard's formula by hand: %s", cents(unused))
	}

	fs := feed(t, lines).Findings(DefaultConfig())
	if len(fs) != 1 || fs[0].MonthlySaving.Cmp(toDecimal(unused)) != 0 || !fs[0].MonthlyCost.Equal(dec("360")) {
		t.Fatalf("findings %+v, want saving %s of a commitment of 360", fs, cents(unused))
	}
}
