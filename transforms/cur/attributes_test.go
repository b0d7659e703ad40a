package cur

import (
	"reflect"
	"slices"
	"testing"
)

// cur1AttrHeader is a CUR 1.0 CSV header with the pricing term, product
// attributes, commitment figures and several tags.
var cur1AttrHeader = append(slices.Clone(cur1Header), "pricing/term", "product/instanceType",
	"product/volumeApiName", "resourceTags/user:team", "resourceTags/aws:createdBy")

// cur2Header is CUR 2.0's: snake_case columns, product_instance_type
// among them, and the product and resource_tags maps, which the reader
// renders as JSON objects with sorted keys.
var cur2Header = []string{"bill_payer_account_id", "line_item_usage_account_id", "line_item_line_item_type",
	"line_item_usage_start_date", "line_item_currency_code", "line_item_unblended_cost", "pricing_term",
	"product", "product_instance_type", "reservation_unused_amortized_upfront_fee_for_billing_period",
	"reservation_unused_recurring_fee", "savings_plan_total_commitment_to_date",
	"savings_plan_used_commitment", "resource_tags"}

var cur2Defaults = map[string]string{
	"line_item_line_item_type":   "Usage",
	"line_item_usage_start_date": "2025-03-01T00:00:00Z",
	"line_item_currency_code":    "USD",
	"line_item_unblended_cost":   "1",
}

var focusAttrHeader = append(slices.Clone(focusHeader), "PricingCategory", "CommitmentDiscountType")

var focusDefaults = map[string]string{
	"ChargeCategory":    "Usage",
	"ChargePeriodStart": "2024-09-01T00:00:00Z",
	"BilledCost":        "1",
	"EffectiveCost":     "1",
	"BillingCurrency":   "USD",
	"ProviderName":      "AWS",
}

// attrs are the fields TestParseAttributes checks.
type attrs struct {
	term, instance, volume string
	riUpfront, riRecurring string // "" when HasRIUnused is false
	spTotal, spUsed        string // "" when HasSPCommitment is false
	tags                   []Tag
}

func TestParseAttributes(t *testing.T) {
	tests := []struct {
		name     string
		header   []string
		defaults map[string]string
		values   map[string]string
		want     attrs
	}{
		{"CUR 1.0 EBS volume with tags", cur1AttrHeader, cur1Defaults, map[string]string{
			"lineItem/UsageType": "EBS:VolumeUsage.gp2", "pricing/term": "OnDemand",
			"product/volumeApiName": "gp2", "resourceTags/user:Name": "db-data",
			"resourceTags/user:team": " payments ", "resourceTags/aws:createdBy": "NULL"},
			attrs{term: "OnDemand", volume: "gp2",
				tags: []Tag{{"user:Name", "db-data"}, {"user:team", "payments"}}}},
		{"CUR 1.0 instance without tags", cur1AttrHeader, cur1Defaults, map[string]string{
			"pricing/term": "Reserved", "product/instanceType": "m4.large"},
			attrs{term: "Reserved", instance: "m4.large"}},
		{"CUR 1.0 RIFee", cur1AttrHeader, cur1Defaults, map[string]string{
			"lineItem/LineItemType": "RIFee", "reservation/ReservationARN": riARN,
			"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": "1.25E-1",
			"reservation/UnusedRecurringFee":                        "2.5"},
			attrs{riUpfront: "0.125", riRecurring: "2.5"}},
		{"CUR 1.0 RIFee fully used", cur1AttrHeader, cur1Defaults, map[string]string{
			"lineItem/LineItemType": "RIFee", "reservation/ReservationARN": riARN},
			attrs{riUpfront: "0", riRecurring: "0"}},
		{"CUR 1.0 SavingsPlanRecurringFee", cur1AttrHeader, cur1Defaults, map[string]string{
			"lineItem/LineItemType":             "SavingsPlanRecurringFee",
			"savingsPlan/TotalCommitmentToDate": "100", "savingsPlan/UsedCommitment": "87.5"},
			attrs{spTotal: "100", spUsed: "87.5"}},
		{"CUR 1.0 figures on other lines are not read", cur1AttrHeader, cur1Defaults, map[string]string{
			"reservation/UnusedRecurringFee": "n/a", "savingsPlan/UsedCommitment": "3"},
			attrs{}},
		{"Athena columns", snakeHeader(cur1AttrHeader), snakeKeys(cur1Defaults), map[string]string{
			"pricing_term": "OnDemand", "product_instance_type": "t2.micro",
			"product_volume_api_name": "standard", "resource_tags_user_team": "web"},
			attrs{term: "OnDemand", instance: "t2.micro", volume: "standard",
				tags: []Tag{{"user_team", "web"}}}},
		{"CUR 2.0 maps", cur2Header, cur2Defaults, map[string]string{
			"pricing_term": "OnDemand", "product_instance_type": "m5.xlarge",
			"product":       `{"instance_type":"ignored","region":"us-east-1","volume_api_name":"gp3"}`,
			"resource_tags": `{"user_cost_center":"4711","user_name":"a \"b\"","user_x":null}`},
			attrs{term: "OnDemand", instance: "m5.xlarge", volume: "gp3",
				tags: []Tag{{"user_cost_center", "4711"}, {"user_name", `a "b"`}}}},
		{"CUR 2.0 instance type from the map", without(cur2Header, "product_instance_type"), cur2Defaults,
			map[string]string{"product": `{"instance_type":"c4.large"}`},
			attrs{instance: "c4.large"}},
		{"CUR 2.0 empty and null maps", cur2Header, cur2Defaults,
			map[string]string{"product": "", "resource_tags": "{}"}, attrs{}},
		{"CUR 2.0 RIFee and SavingsPlanRecurringFee", cur2Header, cur2Defaults, map[string]string{
			"line_item_line_item_type":                                    "RIFee",
			"reservation_unused_amortized_upfront_fee_for_billing_period": "0.0",
			"reservation_unused_recurring_fee":                            "12.34"},
			attrs{riUpfront: "0", riRecurring: "12.34"}},
		{"CUR 2.0 SavingsPlanRecurringFee", cur2Header, cur2Defaults, map[string]string{
			"line_item_line_item_type":              "SavingsPlanRecurringFee",
			"savings_plan_total_commitment_to_date": "24", "savings_plan_used_commitment": "0"},
			attrs{spTotal: "24", spUsed: "0"}},
		{"FOCUS Standard with tags", focusAttrHeader, focusDefaults, map[string]string{
			"PricingCategory": "Standard", "Tags": `{"application": "Lens", "environment": "dev"}`},
			attrs{term: "OnDemand", tags: []Tag{{"application", "Lens"}, {"environment", "dev"}}}},
		{"FOCUS Committed Savings Plan", focusAttrHeader, focusDefaults, map[string]string{
			"PricingCategory": "Committed", "CommitmentDiscountType": "Savings Plan"},
			attrs{term: "SavingsPlan"}},
		{"FOCUS Committed reservation", focusAttrHeader, focusDefaults, map[string]string{
			"PricingCategory": "Committed", "CommitmentDiscountType": "Reserved Instance"},
			attrs{term: "Reserved"}},
		{"FOCUS Dynamic, NULL tags", focusAttrHeader, focusDefaults, map[string]string{
			"PricingCategory": "Dynamic", "Tags": "NULL"}, attrs{term: "Spot"}},
		{"FOCUS Other", focusAttrHeader, focusDefaults, map[string]string{"PricingCategory": "Other"}, attrs{}},
		{"FOCUS tags that are not an object are kept whole", focusAttrHeader, focusDefaults,
			map[string]string{"Tags": "team=a"}, attrs{tags: []Tag{{"", "team=a"}}}},
		{"FOCUS tag values of other JSON types", focusHeader, focusDefaults,
			map[string]string{"Tags": `{"n": 1.50, "b": true, "o": {"x": [1]}}`},
			attrs{tags: []Tag{{"n", "1.50"}, {"b", "true"}, {"o", `{"x": [1]}`}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it, err := parseRow(t, tc.header, withDefaults(tc.defaults, tc.values))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := attrs{term: it.PricingTerm, instance: it.InstanceType, volume: it.VolumeType, tags: it.Tags}
			if it.HasRIUnused {
				got.riUpfront, got.riRecurring = it.RIUnusedUpfront.String(), it.RIUnusedRecurring.String()
			}
			if it.HasSPCommitment {
				got.spTotal, got.spUsed = it.SPTotalCommitment.String(), it.SPUsedCommitment.String()
			}
			if len(got.tags) == 0 {
				got.tags = nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestParseReusesTags: a row without tags after one with tags has none.
func TestParseReusesTags(t *testing.T) {
	s, err := Detect(cur1AttrHeader)
	if err != nil {
		t.Fatal(err)
	}
	var it Item
	for _, tc := range []struct {
		team string
		want int
	}{{"a", 1}, {"", 0}, {"b", 1}} {
		values := withDefaults(cur1Defaults, map[string]string{"resourceTags/user:team": tc.team})
		if err := s.Parse(selectRow(cur1AttrHeader, record(cur1AttrHeader, values), s.Columns()), &it); err != nil {
			t.Fatal(err)
		}
		if len(it.Tags) != tc.want {
			t.Errorf("team %q: tags %v, want %d", tc.team, it.Tags, tc.want)
		}
	}
}

// TestDetectProductMap: a product attribute without a column of its own
// is selected as a key of CUR 2.0's product map, whose reader then reads
// that key alone.
func TestDetectProductMap(t *testing.T) {
	withColumns := append(slices.Clone(cur2Header), "product_volume_api_name")
	for _, tc := range []struct {
		name             string
		header           []string
		instance, volume string
	}{
		{"CUR 2.0", cur2Header, "product_instance_type", "product.volume_api_name"},
		{"CUR 2.0 without product_instance_type", without(cur2Header, "product_instance_type"),
			"product.instance_type", "product.volume_api_name"},
		{"every attribute a column", withColumns, "product_instance_type", "product_volume_api_name"},
		{"CUR 1.0", cur1AttrHeader, "product/instanceType", "product/volumeApiName"},
	} {
		s, err := Detect(tc.header)
		if err != nil {
			t.Fatal(err)
		}
		cols := s.Columns()
		if cols[fInstanceType] != tc.instance || cols[fVolumeType] != tc.volume {
			t.Errorf("%s: selects %q and %q, want %q and %q", tc.name, cols[fInstanceType], cols[fVolumeType],
				tc.instance, tc.volume)
		}
	}
}

func TestPricingTerm(t *testing.T) {
	for _, tc := range []struct{ category, commitment, want string }{
		{"Standard", "", "OnDemand"},
		{"standard", "NULL", "OnDemand"},
		{"Dynamic", "", "Spot"},
		{"Committed", "Savings Plan", "SavingsPlan"},
		{"Committed", "Reserved Instance", "Reserved"},
		{"Committed", "Reservation", "Reserved"},
		{"Committed", "", ""},
		{"Other", "", ""},
		{"Promotional", "", "Promotional"},
	} {
		if got := pricingTerm(tc.category, tc.commitment); got != tc.want {
			t.Errorf("pricingTerm(%q, %q) = %q, want %q", tc.category, tc.commitment, got, tc.want)
		}
	}
}
