package findings

import (
	"testing"
	"time"

	"github.com/curpipe/curpipe/transforms/cur"
)

// TestFromItemCommitments checks that the lines carrying a commitment's
// figures reach its rule whatever the rendering: CUR's RIFee and
// SavingsPlanRecurringFee lines, and FOCUS's Purchase and Usage rows,
// whose line item type is the charge category.
func TestFromItemCommitments(t *testing.T) {
	const ri, sp = "arn:aws:ec2:us-east-1:1:reserved-instances/r", "arn:aws:savingsplans::1:savingsplan/s"
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, typ string
		it        cur.Item
		wantRule  string
	}{
		{"CUR RIFee", "RIFee", cur.Item{LineItemType: "RIFee", HasRIUnused: true, CommitmentARN: ri,
			RIUnusedRecurring: dec("5")}, RuleUnusedReserved},
		{"FOCUS reservation unused", "RIFee", cur.Item{LineItemType: "Usage", HasRIUnused: true, CommitmentARN: ri,
			RIUnusedRecurring: dec("5")}, RuleUnusedReserved},
		{"CUR SavingsPlanRecurringFee", "SavingsPlanRecurringFee", cur.Item{LineItemType: "SavingsPlanRecurringFee",
			HasSPCommitment: true, CommitmentARN: sp, SPTotalCommitment: dec("5"), SPUsedCommitment: dec("1")}, RuleUnusedSavingsPlan},
		{"FOCUS plan's purchase and unused", "SavingsPlanRecurringFee", cur.Item{LineItemType: "Purchase",
			HasSPCommitment: true, CommitmentARN: sp, SPTotalCommitment: dec("5"), SPUsedCommitment: dec("1")}, RuleUnusedSavingsPlan},
		{"FOCUS usage", "Usage", cur.Item{LineItemType: "Usage"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.it.UsageStart = day
			var l Line
			FromItem(&l, &tc.it)
			if l.LineItemType != tc.typ {
				t.Errorf("LineItemType = %q, want %q", l.LineItemType, tc.typ)
			}
			var acc Acc
			if err := acc.Add(&l); err != nil {
				t.Fatal(err)
			}
			fs := acc.Findings(DefaultConfig())
			switch {
			case tc.wantRule == "" && len(fs) > 0:
				t.Errorf("findings %+v, want none", fs)
			case tc.wantRule != "" && (len(fs) != 1 || fs[0].Rule != tc.wantRule):
				t.Errorf("findings %+v, want one of %s", fs, tc.wantRule)
			}
		})
	}
}
