package findings_test

import (
	"fmt"
	"os"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/findings"
)

func Example() {
	var acc findings.Acc
	for day := 1; day <= 30; day++ {
		l := findings.Line{
			UsageDay: fmt.Sprintf("2025-06-%02d", day), BillingPeriod: "2025-06",
			Payer: "111111111111", UsageAccount: "222222222222", Region: "us-east-1",
			Service: "AmazonVPC", LineItemType: "Usage", UsageType: "USE1-PublicIPv4:IdleAddress",
			ResourceID: "eipalloc-0a1", UsageAmount: decimal.MustParse("24"), UnblendedCost: decimal.MustParse("0.12"),
		}
		if err := acc.Add(&l); err != nil {
			fmt.Println(err)
			return
		}
	}
	fs := acc.Findings(findings.DefaultConfig())
	if err := findings.WriteCSV(os.Stdout, fs); err != nil {
		fmt.Println(err)
	}
	fmt.Println(findings.Formula(fs[0].Rule))
	// Output:
	// rule,resource_id,usage_account_id,region,first_seen,last_seen,monthly_cost,estimated_monthly_saving,payer_account_id,days_seen,detail,usage_types,evidence
	// idle-public-ip,eipalloc-0a1,222222222222,us-east-1,2025-06-01,2025-06-30,3.6,3.6,111111111111,30,,USE1-PublicIPv4:IdleAddress,idle_hours=720;idle_cost=3.6
	// saving = monthly cost of the IdleAddress hours (release the address)
}
