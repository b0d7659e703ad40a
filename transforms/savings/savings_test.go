package savings

import (
	"slices"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/findings"
)

func finding(payer, id, last string) findings.Finding {
	return findings.Finding{Rule: findings.RuleIdlePublicIP, Payer: payer, UsageAccount: "a", ResourceID: id,
		FirstSeen: "2024-01-01", LastSeen: last, MonthlySaving: decimal.MustParse("3.6")}
}

func ids(fs []findings.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Payer+"/"+f.ResourceID)
	}
	slices.Sort(out)
	return out
}

func TestUpdate(t *testing.T) {
	stored := []findings.Finding{
		finding("p1", "eip-gone", "2024-03-31"),  // p1's report of March bills it no more
		finding("p1", "eip-later", "2024-04-30"), // seen after the report's last day: kept
		finding("p2", "eip-other", "2024-03-31"), // another payer: untouched
		finding("p3", "eip-stays", "2024-03-31"), // found again below
	}
	march := element.Outcome{Payers: []string{"p1", "p3"}, Days: []string{"2024-03-01", "2024-03-31"}}
	for _, tc := range []struct {
		name  string
		found []findings.Finding
		want  []string
	}{
		{"payer left with nothing loses what its period showed", []findings.Finding{finding("p3", "eip-stays", "2024-03-31")},
			[]string{"p1/eip-later", "p2/eip-other", "p3/eip-stays"}},
		{"a new finding joins", []findings.Finding{finding("p3", "eip-stays", "2024-03-31"), finding("p1", "eip-new", "2024-03-31")},
			[]string{"p1/eip-later", "p1/eip-new", "p2/eip-other", "p3/eip-stays"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(update(slices.Clone(stored), tc.found, march))
			if !slices.Equal(got, tc.want) {
				t.Errorf("update = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPreviousPeriod(t *testing.T) {
	for in, want := range map[string]string{"2024-01": "2023-12", "2024-03": "2024-02", "2024-12": "2024-11"} {
		if got, err := previousPeriod(in); err != nil || got != want {
			t.Errorf("previousPeriod(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := previousPeriod("2024"); err == nil {
		t.Error("previousPeriod(2024): no error")
	}
}
