package cur

import "testing"

// focusAWSHeader is the header of AWS's FOCUS 1.0 export with AWS
// columns, as far as Parse reads it.
var focusAWSHeader = append(focusHeader[:len(focusHeader):len(focusHeader)],
	"ChargeFrequency", "CommitmentDiscountId", "CommitmentDiscountStatus", "CommitmentDiscountType",
	"PricingCategory", "x_ServiceCode", "x_UsageType", "x_Operation")

func TestParseFOCUSAWSColumns(t *testing.T) {
	defaults := map[string]string{
		"ChargePeriodStart": "2024-09-01 00:00:00", "BillingPeriodStart": "2024-09-01 00:00:00",
		"BillingAccountId": "123", "SubAccountId": "456", "ChargeCategory": "Usage",
		"ServiceName": "Amazon Elastic Compute Cloud", "SkuId": "ABCD", "ChargeFrequency": "Usage-Based",
		"BillingCurrency": "USD", "BilledCost": "1.5", "EffectiveCost": "1.5", "ProviderName": "AWS",
		"x_ServiceCode": "AmazonEC2", "x_UsageType": "USE2-BoxUsage:m4.large", "x_Operation": "RunInstances",
		"PricingCategory": "Standard",
	}
	t.Run("x_ columns name the service and usage as CUR does", func(t *testing.T) {
		it, err := parseRow(t, focusAWSHeader, defaults)
		if err != nil {
			t.Fatal(err)
		}
		// The totals keep FOCUS's service name; the findings read the code.
		if it.Service != "Amazon Elastic Compute Cloud" || it.ServiceCode != "AmazonEC2" {
			t.Errorf("Service, ServiceCode = %q, %q", it.Service, it.ServiceCode)
		}
		if it.UsageType != "USE2-BoxUsage:m4.large" || it.Operation != "RunInstances" {
			t.Errorf("Service, UsageType, Operation = %q, %q, %q", it.Service, it.UsageType, it.Operation)
		}
		if it.HasRIUnused || it.HasSPCommitment || it.CommitmentARN != "" {
			t.Errorf("usage row has commitment figures: %+v", it)
		}
	})
	t.Run("without them, the FOCUS columns", func(t *testing.T) {
		h := without(without(without(focusAWSHeader, "x_ServiceCode"), "x_UsageType"), "x_Operation")
		it, err := parseRow(t, h, defaults)
		if err != nil {
			t.Fatal(err)
		}
		if it.Service != "Amazon Elastic Compute Cloud" || it.ServiceCode != it.Service || it.UsageType != "ABCD" || it.Operation != "Usage-Based" {
			t.Errorf("Service, UsageType, Operation = %q, %q, %q", it.Service, it.UsageType, it.Operation)
		}
	})

	const ri, sp = "arn:aws:ec2:us-east-1:123:reserved-instances/r1", "arn:aws:savingsplans::123:savingsplan/s1"
	tests := []struct {
		name   string
		values map[string]string
		ri, sp bool
		// RIUnusedRecurring; SPTotalCommitment, SPUsedCommitment
		unused, total, used string
	}{
		{"reservation's recurring purchase", map[string]string{"ChargeCategory": "Purchase", "ChargeFrequency": "Recurring",
			"CommitmentDiscountId": ri, "CommitmentDiscountType": "Reserved Instance", "BilledCost": "73", "EffectiveCost": "0"},
			true, false, "0", "0", "0"},
		{"reservation unused", map[string]string{"CommitmentDiscountId": ri, "CommitmentDiscountType": "Reserved Instance",
			"CommitmentDiscountStatus": "Unused", "PricingCategory": "Committed", "BilledCost": "0", "EffectiveCost": "12.25"},
			true, false, "12.25", "0", "0"},
		{"reservation used", map[string]string{"CommitmentDiscountId": ri, "CommitmentDiscountType": "Reserved Instance",
			"CommitmentDiscountStatus": "Used", "PricingCategory": "Committed", "BilledCost": "0", "EffectiveCost": "0.1"},
			false, false, "0", "0", "0"},
		{"reservation's one-time purchase", map[string]string{"ChargeCategory": "Purchase", "ChargeFrequency": "One-Time",
			"CommitmentDiscountId": ri, "CommitmentDiscountType": "Reserved Instance", "BilledCost": "900"},
			false, false, "0", "0", "0"},
		{"plan's recurring purchase", map[string]string{"ChargeCategory": "Purchase", "ChargeFrequency": "Recurring",
			"CommitmentDiscountId": sp, "CommitmentDiscountType": "Savings Plan", "BilledCost": "2.4", "EffectiveCost": "0"},
			false, true, "0", "2.4", "2.4"},
		{"plan unused", map[string]string{"CommitmentDiscountId": sp, "CommitmentDiscountType": "Savings Plan",
			"CommitmentDiscountStatus": "Unused", "PricingCategory": "Committed", "BilledCost": "0", "EffectiveCost": "0.6"},
			false, true, "0", "0", "-0.6"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, h := range [][]string{focusAWSHeader, without(focusAWSHeader, "x_Operation")} {
				it, err := parseRow(t, h, withDefaults(defaults, tc.values))
				if err != nil {
					t.Fatal(err)
				}
				if it.HasRIUnused != tc.ri || it.HasSPCommitment != tc.sp {
					t.Fatalf("HasRIUnused, HasSPCommitment = %v, %v; want %v, %v", it.HasRIUnused, it.HasSPCommitment, tc.ri, tc.sp)
				}
				if want := tc.values["CommitmentDiscountId"]; (tc.ri || tc.sp) && it.CommitmentARN != want {
					t.Errorf("CommitmentARN = %q, want %q", it.CommitmentARN, want)
				}
				checkDecimal(t, "RIUnusedRecurring", it.RIUnusedRecurring, tc.unused)
				checkDecimal(t, "SPTotalCommitment", it.SPTotalCommitment, tc.total)
				checkDecimal(t, "SPUsedCommitment", it.SPUsedCommitment, tc.used)
			}
		})
	}
}
