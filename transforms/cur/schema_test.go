package cur

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	focus12 := rename(focusHeader, "ProviderName", "ServiceProviderName")
	tests := []struct {
		name   string
		header []string
		format Format
		// want maps fields to the header name Columns must hold for them;
		// fields not listed must be "".
		want map[field]string
		// tags are the tag columns Columns must end with.
		tags []string
	}{{
		name:   "CUR 1.0 slash headers",
		header: cur1Header,
		format: FormatCUR,
		want: map[field]string{
			fUsageStart: "lineItem/UsageStartDate", fUsageEnd: "lineItem/UsageEndDate",
			fPayer: "bill/PayerAccountId", fAccount: "lineItem/UsageAccountId",
			fLineItemType: "lineItem/LineItemType", fService: "lineItem/ProductCode",
			fUsageType: "lineItem/UsageType", fOperation: "lineItem/Operation",
			fResourceID: "lineItem/ResourceId", fDescription: "lineItem/LineItemDescription",
			fRegion: "product/regionCode", fRegionAlt: "product/region",
			fCurrency: "lineItem/CurrencyCode", fUsageAmount: "lineItem/UsageAmount",
			fUnblended: "lineItem/UnblendedCost", fNetUnblended: "lineItem/NetUnblendedCost",
			fSPEffectiveCost:    "savingsPlan/SavingsPlanEffectiveCost",
			fSPTotalCommitment:  "savingsPlan/TotalCommitmentToDate",
			fSPUsedCommitment:   "savingsPlan/UsedCommitment",
			fRIEffectiveCost:    "reservation/EffectiveCost",
			fRIUnusedUpfront:    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
			fRIUnusedRecurring:  "reservation/UnusedRecurringFee",
			fRIARN:              "reservation/ReservationARN",
			fBillingPeriodStart: "bill/BillingPeriodStartDate",
		},
		tags: []string{"resourceTags/user:Name"},
	}, {
		name:   "Athena snake_case headers",
		header: snakeHeader(cur1Header),
		format: FormatCUR,
		want: map[field]string{
			fUsageStart: "line_item_usage_start_date", fUsageEnd: "line_item_usage_end_date",
			fPayer: "bill_payer_account_id", fAccount: "line_item_usage_account_id",
			fLineItemType: "line_item_line_item_type", fService: "line_item_product_code",
			fUsageType: "line_item_usage_type", fOperation: "line_item_operation",
			fResourceID: "line_item_resource_id", fDescription: "line_item_line_item_description",
			fRegion: "product_region_code", fRegionAlt: "product_region",
			fCurrency: "line_item_currency_code", fUsageAmount: "line_item_usage_amount",
			fUnblended: "line_item_unblended_cost", fNetUnblended: "line_item_net_unblended_cost",
			fSPEffectiveCost:    "savings_plan_savings_plan_effective_cost",
			fSPTotalCommitment:  "savings_plan_total_commitment_to_date",
			fSPUsedCommitment:   "savings_plan_used_commitment",
			fRIEffectiveCost:    "reservation_effective_cost",
			fRIUnusedUpfront:    "reservation_unused_amortized_upfront_fee_for_billing_period",
			fRIUnusedRecurring:  "reservation_unused_recurring_fee",
			fRIARN:              "reservation_reservation_a_r_n",
			fBillingPeriodStart: "bill_billing_period_start_date",
		},
		tags: []string{"resource_tags_user_name"},
	}, {
		// CUR 2.0's fixed schema: snake_case columns plus map columns.
		name: "CUR 2.0 headers",
		header: []string{"bill_bill_type", "bill_payer_account_id", "cost_category", "discount",
			"line_item_line_item_type", "line_item_usage_start_date", "line_item_currency_code",
			"line_item_unblended_cost", "line_item_net_unblended_cost", "product", "product_region_code",
			"resource_tags"},
		format: FormatCUR,
		want: map[field]string{
			fPayer: "bill_payer_account_id", fLineItemType: "line_item_line_item_type",
			fUsageStart: "line_item_usage_start_date", fCurrency: "line_item_currency_code",
			fUnblended: "line_item_unblended_cost", fNetUnblended: "line_item_net_unblended_cost",
			fRegion: "product_region_code", fTags: "resource_tags",
			fInstanceType: "product.instance_type", fVolumeType: "product.volume_api_name",
		},
	}, {
		name:   "FOCUS 1.0 with ProviderName",
		header: focusHeader,
		format: FormatFOCUS,
		want: map[field]string{
			fUsageStart: "ChargePeriodStart", fUsageEnd: "ChargePeriodEnd", fPayer: "BillingAccountId",
			fAccount: "SubAccountId", fLineItemType: "ChargeCategory", fService: "ServiceName",
			fUsageType: "SkuId", fResourceID: "ResourceId", fRegion: "RegionId",
			fCurrency: "BillingCurrency", fUsageAmount: "ConsumedQuantity", fUnblended: "BilledCost",
			fBillingPeriodStart: "BillingPeriodStart", fProvider: "ProviderName",
			fEffectiveCost: "EffectiveCost", fTags: "Tags",
		},
	}, {
		name:   "FOCUS 1.2 with ServiceProviderName",
		header: focus12,
		format: FormatFOCUS,
		want: map[field]string{
			fUsageStart: "ChargePeriodStart", fUsageEnd: "ChargePeriodEnd", fPayer: "BillingAccountId",
			fAccount: "SubAccountId", fLineItemType: "ChargeCategory", fService: "ServiceName",
			fUsageType: "SkuId", fResourceID: "ResourceId", fRegion: "RegionId",
			fCurrency: "BillingCurrency", fUsageAmount: "ConsumedQuantity", fUnblended: "BilledCost",
			fBillingPeriodStart: "BillingPeriodStart", fProviderAlt: "ServiceProviderName",
			fEffectiveCost: "EffectiveCost", fTags: "Tags",
		},
	}, {
		// Select matches names exactly, so Columns must keep the padding.
		name: "names padded with spaces are selected as written",
		header: []string{" lineItem/UsageStartDate", "lineItem/UnblendedCost ", "lineItem/CurrencyCode",
			"lineItem/LineItemType"},
		format: FormatCUR,
		want: map[field]string{
			fUsageStart: " lineItem/UsageStartDate", fUnblended: "lineItem/UnblendedCost ",
			fCurrency: "lineItem/CurrencyCode", fLineItemType: "lineItem/LineItemType",
		},
	}, {
		name: "the first of two names for one column wins",
		header: []string{"lineItem/UsageStartDate", "line_item_usage_start_date", "lineItem/UnblendedCost",
			"lineItem/CurrencyCode", "lineItem/LineItemType"},
		format: FormatCUR,
		want: map[field]string{
			fUsageStart: "lineItem/UsageStartDate", fUnblended: "lineItem/UnblendedCost",
			fCurrency: "lineItem/CurrencyCode", fLineItemType: "lineItem/LineItemType",
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Detect(tc.header)
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			if s.Format != tc.format {
				t.Errorf("Format = %v, want %v", s.Format, tc.format)
			}
			cols := s.Columns()
			if len(cols) != int(numFields)+len(tc.tags) {
				t.Fatalf("Columns has %d names, want %d", len(cols), int(numFields)+len(tc.tags))
			}
			for f, got := range cols[:numFields] {
				if want := tc.want[field(f)]; got != want {
					t.Errorf("Columns()[%d] = %q, want %q", f, got, want)
				}
			}
			if got := cols[numFields:]; !slices.Equal(got, tc.tags) {
				t.Errorf("tag columns %q, want %q", got, tc.tags)
			}
		})
	}
}

func TestDetectErrors(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		err    error
		// names are what the message must name.
		names []string
	}{
		{"neither CUR nor FOCUS", []string{"date", "amount", "currency"}, ErrNotBilling, nil},
		{"empty header", nil, ErrNotBilling, nil},
		{"only a currency", []string{"lineItem/CurrencyCode"}, ErrNotBilling, nil},
		{"CUR 1.0 lacking the currency", without(cur1Header, "lineItem/CurrencyCode"), ErrMissingColumn,
			[]string{"CUR", "lineItem/CurrencyCode"}},
		{"CUR 1.0 lacking two", without(without(cur1Header, "lineItem/UnblendedCost"), "lineItem/LineItemType"),
			ErrMissingColumn, []string{"lineItem/UnblendedCost", "lineItem/LineItemType"}},
		{"Athena lacking the line item type", without(snakeHeader(cur1Header), "line_item_line_item_type"),
			ErrMissingColumn, []string{"line_item_line_item_type"}},
		{"FOCUS lacking EffectiveCost", without(focusHeader, "EffectiveCost"), ErrMissingColumn,
			[]string{"FOCUS", "EffectiveCost"}},
		{"FOCUS lacking BilledCost", without(focusHeader, "BilledCost"), ErrMissingColumn,
			[]string{"FOCUS", "BilledCost"}},
		{"FOCUS lacking the currency", without(focusHeader, "BillingCurrency"), ErrMissingColumn,
			[]string{"BillingCurrency"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Detect(tc.header)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Detect = %v, %v; want %v", s, err, tc.err)
			}
			for _, n := range tc.names {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("message %q does not name %q", err, n)
				}
			}
		})
	}
}

func TestSnakeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"lineItem/UnblendedCost", "line_item_unblended_cost"},
		{"lineItem/UsageStartDate", "line_item_usage_start_date"},
		{"reservation/ReservationARN", "reservation_reservation_a_r_n"},
		{"savingsPlan/SavingsPlanARN", "savings_plan_savings_plan_a_r_n"},
		{"savingsPlan/SavingsPlanEffectiveCost", "savings_plan_savings_plan_effective_cost"},
		{"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation_unused_amortized_upfront_fee_for_billing_period"},
		{"pricing/publicOnDemandCost", "pricing_public_on_demand_cost"},
		{"product/region", "product_region"},
		{"identity/LineItemId", "identity_line_item_id"},
		{"line_item_unblended_cost", "line_item_unblended_cost"},
		{"resourceTags/user:Name", "resource_tags_user_name"},
		{"resourceTags/user:c25_key", "resource_tags_user_c25_key"},
		{"costCategory/Charge type", "cost_category_charge_type"},
		{"BilledCost", "billed_cost"},
		{"", ""},
		{"/", ""},
		{"a//b__c", "a_b_c"},
		{"trailing/", "trailing"},
	}
	for _, tc := range tests {
		if got := SnakeName(tc.in); got != tc.want {
			t.Errorf("SnakeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Every CUR column Detect looks for must be its own snake name: Detect
// normalizes the header with SnakeName before looking them up.
func TestCURColumnsAreSnakeNames(t *testing.T) {
	for f, name := range curColumns {
		if name != "" && SnakeName(name) != name {
			t.Errorf("curColumns[%d] = %q is not a fixed point of SnakeName (%q)", f, name, SnakeName(name))
		}
	}
	for f, name := range curSlashColumns {
		if SnakeName(name) != curColumns[f] {
			t.Errorf("curSlashColumns[%d] = %q does not normalize to %q", f, name, curColumns[f])
		}
	}
	for _, f := range curRequired {
		if curSlashColumns[f] == "" {
			t.Errorf("required field %d (%s) has no CUR 1.0 name for messages", f, curColumns[f])
		}
	}
}

func TestFormatString(t *testing.T) {
	for f, want := range map[Format]string{FormatCUR: "CUR", FormatFOCUS: "FOCUS", 0: "Format(0)"} {
		if got := f.String(); got != want {
			t.Errorf("Format(%d).String() = %q, want %q", int(f), got, want)
		}
	}
}
