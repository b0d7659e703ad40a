package findings

import (
	"strings"
	"testing"
)

func finding(rule, payer, id, first, last, saving string) Finding {
	return Finding{Rule: rule, Payer: payer, UsageAccount: testAccount, ResourceID: id, Region: testRegion,
		FirstSeen: first, LastSeen: last, MonthlyCost: dec(saving), MonthlySaving: dec(saving)}
}

func TestUpdate(t *testing.T) {
	const other = "999999999999"
	stored := []Finding{
		finding(RuleOldSnapshot, testPayer, snap, "2024-05-03", "2025-05-31", "0.70"),
		finding(RuleIdleNATGateway, testPayer, nat, "2025-04-01", "2025-05-31", "32.40"), // deleted in June
		finding(RuleIdlePublicIP, other, eip, "2025-01-01", "2025-05-31", "3.60"),        // another payer
		finding(RuleUnusedSavingsPlan, testPayer, sp, "2025-07-01", "2025-07-31", "180"), // newer than the report
	}
	fresh := []Finding{
		finding(RuleOldSnapshot, testPayer, snap, "2025-06-01", "2025-06-30", "0.75"),
		finding(RuleGP2ToGP3, testPayer, vol, "2025-06-01", "2025-06-30", "16.12"),
	}
	got := Update(stored, fresh)
	want := []string{
		"unused-savings-plan " + sp + " 2025-07-01 2025-07-31 180 180",
		"gp2-to-gp3 " + vol + " 2025-06-01 2025-06-30 16.12 16.12",
		"idle-public-ip " + eip + " 2025-01-01 2025-05-31 3.6 3.6",
		"old-snapshot " + snap + " 2024-05-03 2025-06-30 0.75 0.75",
	}
	if g := findingStrings(got); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Update:\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
}

func TestUpdateRestatesAnOlderPeriod(t *testing.T) {
	// A restated May arrives after June was stored: June's figures stay,
	// May can only move the first day back.
	stored := []Finding{finding(RuleIdleVPCEndpoint, testPayer, vpce, "2025-06-01", "2025-06-30", "7.20")}
	fresh := []Finding{finding(RuleIdleVPCEndpoint, testPayer, vpce, "2025-05-20", "2025-05-31", "7.44")}
	got := findingStrings(Update(stored, fresh))
	if len(got) != 1 || got[0] != "idle-vpc-endpoint "+vpce+" 2025-05-20 2025-06-30 7.2 7.2" {
		t.Fatalf("Update = %v", got)
	}
}
