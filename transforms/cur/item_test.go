package cur

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

const riARN = "arn:aws:ec2:us-east-1:012345678901:reserved-instances/4e1c3f24-0b5c-4d3f-9f27-1f0e8a1b2c3d"

// TestParseMeasures checks the three measures of every line item type,
// through both the CUR 1.0 and the Athena spelling of the header.
func TestParseMeasures(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]string // CUR 1.0 names; over cur1Defaults
		// unblended, net unblended, amortized
		u, n, a string
	}{
		{"Usage", map[string]string{"lineItem/UnblendedCost": "1.5"}, "1.5", "1.5", "1.5"},
		{"Usage with net unblended", map[string]string{
			"lineItem/UnblendedCost": "1.5", "lineItem/NetUnblendedCost": "1.2"}, "1.5", "1.2", "1.5"},
		{"SavingsPlanCoveredUsage", map[string]string{
			"lineItem/LineItemType": "SavingsPlanCoveredUsage", "lineItem/UnblendedCost": "0.096",
			"lineItem/NetUnblendedCost": "0.096", "savingsPlan/SavingsPlanEffectiveCost": "0.0672"},
			"0.096", "0.096", "0.0672"},
		{"SavingsPlanCoveredUsage, blank effective cost", map[string]string{
			"lineItem/LineItemType": "SavingsPlanCoveredUsage", "lineItem/UnblendedCost": "0.096"},
			"0.096", "0.096", "0"},
		{"SavingsPlanRecurringFee", map[string]string{
			"lineItem/LineItemType": "SavingsPlanRecurringFee", "lineItem/UnblendedCost": "100",
			"savingsPlan/TotalCommitmentToDate": "100", "savingsPlan/UsedCommitment": "87.5"},
			"100", "100", "12.5"},
		{"SavingsPlanRecurringFee, blank used commitment", map[string]string{
			"lineItem/LineItemType": "SavingsPlanRecurringFee", "lineItem/UnblendedCost": "100",
			"savingsPlan/TotalCommitmentToDate": "100"},
			"100", "100", "100"},
		{"SavingsPlanNegation", map[string]string{
			"lineItem/LineItemType": "SavingsPlanNegation", "lineItem/UnblendedCost": "-0.096"},
			"-0.096", "-0.096", "0"},
		{"SavingsPlanUpfrontFee", map[string]string{
			"lineItem/LineItemType": "SavingsPlanUpfrontFee", "lineItem/UnblendedCost": "8760"},
			"8760", "8760", "0"},
		{"DiscountedUsage", map[string]string{
			"lineItem/LineItemType": "DiscountedUsage", "lineItem/UnblendedCost": "0",
			"reservation/EffectiveCost": "0.0551", "reservation/ReservationARN": riARN},
			"0", "0", "0.0551"},
		{"RIFee", map[string]string{
			"lineItem/LineItemType": "RIFee", "lineItem/UnblendedCost": "73",
			"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": "1.25",
			"reservation/UnusedRecurringFee":                        "2.5", "reservation/ReservationARN": riARN},
			"73", "73", "3.75"},
		{"RIFee fully used", map[string]string{
			"lineItem/LineItemType": "RIFee", "lineItem/UnblendedCost": "73", "reservation/ReservationARN": riARN},
			"73", "73", "0"},
		{"Fee with a reservation ARN", map[string]string{
			"lineItem/LineItemType": "Fee", "lineItem/UnblendedCost": "1000", "reservation/ReservationARN": riARN},
			"1000", "1000", "0"},
		{"Fee without a reservation ARN", map[string]string{
			"lineItem/LineItemType": "Fee", "lineItem/UnblendedCost": "29"}, "29", "29", "29"},
		{"Fee with a blank-looking ARN", map[string]string{
			"lineItem/LineItemType": "Fee", "lineItem/UnblendedCost": "29", "reservation/ReservationARN": " NULL "},
			"29", "29", "29"},
		{"Refund of a Savings Plan", map[string]string{
			"lineItem/LineItemType": "Refund", "lineItem/ProductCode": "ComputeSavingsPlans",
			"lineItem/UnblendedCost": "-8760"}, "-8760", "-8760", "0"},
		{"Refund of anything else", map[string]string{
			"lineItem/LineItemType": "Refund", "lineItem/ProductCode": "AmazonEC2",
			"lineItem/UnblendedCost": "-5.25"}, "-5.25", "-5.25", "-5.25"},
		{"Tax", map[string]string{"lineItem/LineItemType": "Tax", "lineItem/UnblendedCost": "0.28"}, "0.28", "0.28", "0.28"},
		{"Credit", map[string]string{"lineItem/LineItemType": "Credit", "lineItem/UnblendedCost": "-10"}, "-10", "-10", "-10"},
		{"EdpDiscount", map[string]string{"lineItem/LineItemType": "EdpDiscount", "lineItem/UnblendedCost": "-0.03",
			"lineItem/NetUnblendedCost": "0"}, "-0.03", "0", "-0.03"},
		{"BundledDiscount", map[string]string{"lineItem/LineItemType": "BundledDiscount", "lineItem/UnblendedCost": "-1"}, "-1", "-1", "-1"},
		{"PrivateRateDiscount", map[string]string{"lineItem/LineItemType": "PrivateRateDiscount", "lineItem/UnblendedCost": "-2"}, "-2", "-2", "-2"},
		{"RiVolumeDiscount", map[string]string{"lineItem/LineItemType": "RiVolumeDiscount", "lineItem/UnblendedCost": "-3"}, "-3", "-3", "-3"},
		{"Discount", map[string]string{"lineItem/LineItemType": "Discount", "lineItem/UnblendedCost": "-4"}, "-4", "-4", "-4"},
		{"unknown type counts unblended", map[string]string{"lineItem/LineItemType": "SomethingNew", "lineItem/UnblendedCost": "7"}, "7", "7", "7"},
		{"blank costs are zero", map[string]string{"lineItem/UnblendedCost": ""}, "0", "0", "0"},
		{"literal NULL costs are zero", map[string]string{"lineItem/UnblendedCost": "NULL", "lineItem/NetUnblendedCost": "null"}, "0", "0", "0"},
		{"net unblended NULL falls back", map[string]string{"lineItem/UnblendedCost": "2", "lineItem/NetUnblendedCost": "NULL"}, "2", "2", "2"},
		{"net unblended zero does not fall back", map[string]string{"lineItem/UnblendedCost": "2", "lineItem/NetUnblendedCost": "0.0"}, "2", "0", "2"},
		{"upper-case E", map[string]string{"lineItem/UnblendedCost": "1.81E-8"}, "0.0000000181", "0.0000000181", "0.0000000181"},
		{"lower-case e, 17 digits", map[string]string{"lineItem/UnblendedCost": "2.5893953072562468e-05"},
			"0.000025893953072562468", "0.000025893953072562468", "0.000025893953072562468"},
		{"20-digit mantissa", map[string]string{"lineItem/UnblendedCost": "1.2345678901234567890E-3"},
			"0.001234567890123456789", "0.001234567890123456789", "0.001234567890123456789"},
		{"Java zero", map[string]string{"lineItem/UnblendedCost": "0.0"}, "0", "0", "0"},
		{"spaces around a cost", map[string]string{"lineItem/UnblendedCost": " 3.5 "}, "3.5", "3.5", "3.5"},
		// A bad value in a column the row's rule does not read is no error.
		{"bad value in an unused column", map[string]string{"lineItem/UnblendedCost": "1",
			"savingsPlan/SavingsPlanEffectiveCost": "n/a"}, "1", "1", "1"},
	}
	for _, form := range []string{"CUR 1.0", "Athena"} {
		for _, tc := range tests {
			t.Run(form+"/"+tc.name, func(t *testing.T) {
				header, values := cur1Header, withDefaults(cur1Defaults, tc.values)
				if form == "Athena" {
					header, values = snakeHeader(header), snakeKeys(values)
				}
				it, err := parseRow(t, header, values)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				checkDecimal(t, "Unblended", it.Unblended, tc.u)
				checkDecimal(t, "NetUnblended", it.NetUnblended, tc.n)
				checkDecimal(t, "Amortized", it.Amortized, tc.a)
			})
		}
	}
}

// checkDecimal compares d to want exactly, and its plain form too, so
// that scientific notation cannot leak into output.
func checkDecimal(t *testing.T, what string, d decimal.Decimal, want string) {
	t.Helper()
	if !d.Equal(decimal.MustParse(want)) || d.String() != want {
		t.Errorf("%s = %s, want %s", what, d, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]string // CUR 1.0 names; over cur1Defaults
		column string            // the CUR 1.0 name the message must carry
		value  string            // the value the message must quote
		cause  error             // a further cause errors.Is must find, if any
	}{
		{"word as a cost", map[string]string{"lineItem/UnblendedCost": "abc"}, "lineItem/UnblendedCost", "abc", decimal.ErrSyntax},
		{"decimal comma", map[string]string{"lineItem/UnblendedCost": "1,5"}, "lineItem/UnblendedCost", "1,5", decimal.ErrSyntax},
		{"NaN", map[string]string{"lineItem/UnblendedCost": "NaN"}, "lineItem/UnblendedCost", "NaN", decimal.ErrSyntax},
		{"hostile exponent", map[string]string{"lineItem/UnblendedCost": "1e999999999"}, "lineItem/UnblendedCost", "1e999999999", decimal.ErrRange},
		{"bad net unblended", map[string]string{"lineItem/NetUnblendedCost": "$1"}, "lineItem/NetUnblendedCost", "$1", nil},
		{"bad usage amount", map[string]string{"lineItem/UsageAmount": "lots"}, "lineItem/UsageAmount", "lots", nil},
		{"bad Savings Plan effective cost", map[string]string{"lineItem/LineItemType": "SavingsPlanCoveredUsage",
			"savingsPlan/SavingsPlanEffectiveCost": "n/a"}, "savingsPlan/SavingsPlanEffectiveCost", "n/a", nil},
		{"bad used commitment", map[string]string{"lineItem/LineItemType": "SavingsPlanRecurringFee",
			"savingsPlan/UsedCommitment": "x"}, "savingsPlan/UsedCommitment", "x", nil},
		{"bad total commitment", map[string]string{"lineItem/LineItemType": "SavingsPlanRecurringFee",
			"savingsPlan/TotalCommitmentToDate": "x"}, "savingsPlan/TotalCommitmentToDate", "x", nil},
		{"bad RI effective cost", map[string]string{"lineItem/LineItemType": "DiscountedUsage",
			"reservation/EffectiveCost": "--1"}, "reservation/EffectiveCost", "--1", nil},
		{"bad unused upfront", map[string]string{"lineItem/LineItemType": "RIFee",
			"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": "1.2.3"}, "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "1.2.3", nil},
		{"bad unused recurring", map[string]string{"lineItem/LineItemType": "RIFee",
			"reservation/UnusedRecurringFee": "1e"}, "reservation/UnusedRecurringFee", "1e", nil},
		{"blank currency", map[string]string{"lineItem/CurrencyCode": ""}, "lineItem/CurrencyCode", "", nil},
		{"NULL currency", map[string]string{"lineItem/CurrencyCode": "NULL"}, "lineItem/CurrencyCode", "NULL", nil},
		{"blank usage start", map[string]string{"lineItem/UsageStartDate": ""}, "lineItem/UsageStartDate", "", nil},
		{"bad usage start", map[string]string{"lineItem/UsageStartDate": "2023-02-30T00:00:00Z"}, "lineItem/UsageStartDate", "2023-02-30T00:00:00Z", nil},
		{"bad usage end", map[string]string{"lineItem/UsageEndDate": "tomorrow"}, "lineItem/UsageEndDate", "tomorrow", nil},
		{"bad billing period", map[string]string{"bill/BillingPeriodStartDate": "2023-13-01T00:00:00Z"}, "bill/BillingPeriodStartDate", "2023-13-01T00:00:00Z", nil},
	}
	for _, form := range []string{"CUR 1.0", "Athena"} {
		for _, tc := range tests {
			t.Run(form+"/"+tc.name, func(t *testing.T) {
				header, values, column := cur1Header, withDefaults(cur1Defaults, tc.values), tc.column
				if form == "Athena" {
					header, values, column = snakeHeader(header), snakeKeys(values), SnakeName(column)
				}
				_, err := parseRow(t, header, values)
				if !errors.Is(err, ErrBadValue) {
					t.Fatalf("Parse error = %v, want ErrBadValue", err)
				}
				if tc.cause != nil && !errors.Is(err, tc.cause) {
					t.Errorf("Parse error = %v, want it to wrap %v", err, tc.cause)
				}
				for _, s := range []string{"column " + column + " ", `"` + tc.value + `"`} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("message %q lacks %q", err, s)
					}
				}
			})
		}
	}
}

func TestParseRowLength(t *testing.T) {
	s, err := Detect(cur1Header)
	if err != nil {
		t.Fatal(err)
	}
	var it Item
	if err := s.Parse(make([]string, numFields-1), &it); err == nil {
		t.Fatal("Parse accepted a row shorter than Columns")
	}
}

func TestParseItemFields(t *testing.T) {
	values := map[string]string{
		"identity/LineItemId":         "abc",
		"bill/PayerAccountId":         "000123456789", // leading zeros stay
		"bill/BillingPeriodStartDate": "2023-11-01T00:00:00.000Z",
		"lineItem/UsageAccountId":     "0099999999999",
		"lineItem/LineItemType":       "Usage",
		"lineItem/UsageStartDate":     "2023-11-30 23:00:00",
		"lineItem/UsageEndDate":       "2023-12-01 00:00:00",
		"lineItem/ProductCode":        "AmazonEC2",
		"lineItem/UsageType":          "USE1-BoxUsage:t3.micro",
		"lineItem/Operation":          "RunInstances",
		"lineItem/ResourceId":         "i-0abc",
		"lineItem/UsageAmount":        "1.0",
		"lineItem/CurrencyCode":       "NOK",
		"lineItem/UnblendedCost":      "0.1104",
		"lineItem/LineItemDescription": "NOK 0.1104 per On Demand Linux t3.micro, " +
			"\"quoted\"",
		"product/region":         "us-east-1",
		"product/regionCode":     "",
		"resourceTags/user:Name": "web",
	}
	it, err := parseRow(t, cur1Header, values)
	if err != nil {
		t.Fatal(err)
	}
	want := Item{
		UsageStart:    time.Date(2023, 11, 30, 23, 0, 0, 0, time.UTC),
		UsageEnd:      time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC),
		Provider:      "AWS",
		Payer:         "000123456789",
		Account:       "0099999999999",
		Service:       "AmazonEC2",
		LineItemType:  "Usage",
		UsageType:     "USE1-BoxUsage:t3.micro",
		Operation:     "RunInstances",
		ResourceID:    "i-0abc",
		Description:   values["lineItem/LineItemDescription"],
		Region:        "us-east-1",
		Currency:      "NOK",
		BillingPeriod: "2023-11",
	}
	checkItem(t, it, want)
	if !it.HasUsageAmount || it.UsageAmount.String() != "1" {
		t.Errorf("UsageAmount = %s, %v; want 1, true", it.UsageAmount, it.HasUsageAmount)
	}
	if it.Day() != "2023-11-30" {
		t.Errorf("Day = %s, want 2023-11-30", it.Day())
	}

	// regionCode wins over region when both are set.
	values["product/regionCode"] = "eu-north-1"
	if it, err = parseRow(t, cur1Header, values); err != nil || it.Region != "eu-north-1" {
		t.Errorf("Region = %q, %v; want eu-north-1", it.Region, err)
	}
}

// An Item is reused from row to row: nothing of the previous row may
// survive into the next.
func TestParseReusesItem(t *testing.T) {
	header := cur1Header
	s, err := Detect(header)
	if err != nil {
		t.Fatal(err)
	}
	full := withDefaults(cur1Defaults, map[string]string{"lineItem/UsageAmount": "3"})
	bare := map[string]string{"lineItem/LineItemType": "Tax", "lineItem/UsageStartDate": "2023-11-01",
		"lineItem/CurrencyCode": "USD", "lineItem/UnblendedCost": "0.5"}
	var it Item
	for _, values := range []map[string]string{full, bare} {
		if err := s.Parse(selectRow(header, record(header, values), s.Columns()), &it); err != nil {
			t.Fatal(err)
		}
	}
	checkItem(t, it, Item{UsageStart: time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC), Provider: "AWS",
		LineItemType: "Tax", Currency: "USD"})
	if it.HasUsageAmount || !it.UsageAmount.IsZero() {
		t.Errorf("UsageAmount = %s, %v; want 0, false", it.UsageAmount, it.HasUsageAmount)
	}
}

// checkItem compares the text and time fields of an Item.
func checkItem(t *testing.T, got, want Item) {
	t.Helper()
	g := []any{got.UsageStart, got.UsageEnd, got.Provider, got.Payer, got.Account, got.Service,
		got.LineItemType, got.UsageType, got.Operation, got.ResourceID, got.Description, got.Region,
		got.Currency, got.BillingPeriod}
	w := []any{want.UsageStart, want.UsageEnd, want.Provider, want.Payer, want.Account, want.Service,
		want.LineItemType, want.UsageType, want.Operation, want.ResourceID, want.Description, want.Region,
		want.Currency, want.BillingPeriod}
	names := []string{"UsageStart", "UsageEnd", "Provider", "Payer", "Account", "Service", "LineItemType",
		"UsageType", "Operation", "ResourceID", "Description", "Region", "Currency", "BillingPeriod"}
	for i := range g {
		if g[i] != w[i] {
			t.Errorf("%s = %v, want %v", names[i], g[i], w[i])
		}
	}
}

func TestParseFOCUS(t *testing.T) {
	defaults := map[string]string{
		"ChargePeriodStart": "2024-09-01 00:00:00", "ChargePeriodEnd": "2024-09-02 00:00:00",
		"BillingPeriodStart": "2024-09-01 00:00:00", "BillingAccountId": "123", "SubAccountId": "456",
		"ChargeCategory": "Usage", "ServiceName": "Amazon EC2", "BillingCurrency": "USD",
		"BilledCost": "1.5", "EffectiveCost": "1.2", "ListCost": "9", "ProviderName": "AWS",
		"RegionId": "us-east-1",
	}
	focus12 := rename(focusHeader, "ProviderName", "ServiceProviderName")
	tests := []struct {
		name     string
		header   []string
		values   map[string]string // over defaults
		u, n, a  string
		provider string
		day      string
	}{
		{"BilledCost and EffectiveCost", focusHeader, nil, "1.5", "1.5", "1.2", "AWS", "2024-09-01"},
		{"FOCUS 1.2 ServiceProviderName", focus12, map[string]string{"ServiceProviderName": "Microsoft"},
			"1.5", "1.5", "1.2", "Microsoft", "2024-09-01"},
		{"both provider columns, ProviderName NULL", append(focusHeader[:len(focusHeader):len(focusHeader)], "ServiceProviderName"),
			map[string]string{"ProviderName": "NULL", "ServiceProviderName": "Oracle"}, "1.5", "1.5", "1.2", "Oracle", "2024-09-01"},
		{"literal NULL effective cost", focusHeader, map[string]string{"EffectiveCost": "NULL"}, "1.5", "1.5", "0", "AWS", "2024-09-01"},
		{"scientific notation", focusHeader, map[string]string{"BilledCost": "1.81E-8", "EffectiveCost": "2.5e-05"},
			"0.0000000181", "0.0000000181", "0.000025", "AWS", "2024-09-01"},
		// The usage day is the UTC date; the billing period the month the
		// bill names, whatever its zone.
		{"offset moves the day, not the billing period", focusHeader, map[string]string{
			"ChargePeriodStart": "2024-09-01T00:30:00+02:00", "BillingPeriodStart": "2024-09-01T00:00:00+02:00"},
			"1.5", "1.5", "1.2", "AWS", "2024-08-31"},
		{"credit", focusHeader, map[string]string{"ChargeCategory": "Credit", "BilledCost": "-2", "EffectiveCost": "-2"},
			"-2", "-2", "-2", "AWS", "2024-09-01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it, err := parseRow(t, tc.header, withDefaults(defaults, tc.values))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkDecimal(t, "Unblended", it.Unblended, tc.u)
			checkDecimal(t, "NetUnblended", it.NetUnblended, tc.n)
			checkDecimal(t, "Amortized", it.Amortized, tc.a)
			if it.Provider != tc.provider || it.Day() != tc.day {
				t.Errorf("Provider, Day = %q, %q; want %q, %q", it.Provider, it.Day(), tc.provider, tc.day)
			}
			if it.Payer != "123" || it.Account != "456" || it.Service != "Amazon EC2" || it.Region != "us-east-1" ||
				it.Currency != "USD" || it.BillingPeriod != "2024-09" {
				t.Errorf("Item = %+v", it)
			}
		})
	}

	_, err := parseRow(t, focusHeader, withDefaults(defaults, map[string]string{"BilledCost": "1.5 USD"}))
	if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), "column BilledCost ") {
		t.Errorf("bad BilledCost: %v, want ErrBadValue naming BilledCost", err)
	}
	_, err = parseRow(t, focusHeader, withDefaults(defaults, map[string]string{"EffectiveCost": "?"}))
	if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), "column EffectiveCost ") {
		t.Errorf("bad EffectiveCost: %v, want ErrBadValue naming EffectiveCost", err)
	}
}

// BenchmarkParse parses a typical CUR 1.0 Savings Plan row, already
// selected, as the pipeline does once per line item.
func BenchmarkParse(b *testing.B) {
	s, err := Detect(cur1Header)
	if err != nil {
		b.Fatal(err)
	}
	values := withDefaults(cur1Defaults, map[string]string{
		"lineItem/LineItemType":                "SavingsPlanCoveredUsage",
		"lineItem/UsageStartDate":              "2023-11-01T13:00:00.000Z",
		"lineItem/UsageEndDate":                "2023-11-01T14:00:00.000Z",
		"lineItem/UsageType":                   "USE1-BoxUsage:m5.large",
		"lineItem/Operation":                   "RunInstances",
		"lineItem/ResourceId":                  "i-0123456789abcdef0",
		"lineItem/UsageAmount":                 "1.0",
		"lineItem/UnblendedCost":               "0.096",
		"lineItem/NetUnblendedCost":            "0.0912",
		"lineItem/LineItemDescription":         "USD 0.0672 per hour for m5.large in us-east-1, Compute Savings Plan",
		"product/regionCode":                   "us-east-1",
		"savingsPlan/SavingsPlanEffectiveCost": "2.5893953072562468e-05",
	})
	row := selectRow(cur1Header, record(cur1Header, values), s.Columns())
	var it Item
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Parse(row, &it); err != nil {
			b.Fatal(err)
		}
	}
}
