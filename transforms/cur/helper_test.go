package cur

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// cur1Header is a CUR 1.0 CSV header with every column Parse reads, a tag
// and a column it ignores, in no particular order (the set changes from
// month to month, so nothing may depend on positions).
var cur1Header = []string{
	"identity/LineItemId", "bill/PayerAccountId", "bill/BillingPeriodStartDate",
	"lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate",
	"lineItem/UsageEndDate", "lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation",
	"lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/CurrencyCode",
	"lineItem/UnblendedCost", "lineItem/NetUnblendedCost", "lineItem/LineItemDescription",
	"product/region", "product/regionCode", "reservation/EffectiveCost", "reservation/ReservationARN",
	"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation/UnusedRecurringFee",
	"savingsPlan/SavingsPlanEffectiveCost", "savingsPlan/TotalCommitmentToDate",
	"savingsPlan/UsedCommitment", "resourceTags/user:Name",
}

// focusHeader is a FOCUS 1.0 header; FOCUS 1.2 files name the provider
// ServiceProviderName instead.
var focusHeader = []string{
	"BillingAccountId", "SubAccountId", "ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd",
	"BillingPeriodStart", "ServiceName", "SkuId", "ResourceId", "RegionId", "ConsumedQuantity",
	"BilledCost", "EffectiveCost", "ListCost", "BillingCurrency", "ProviderName", "Tags",
}

// snakeHeader returns header in the Athena / CUR 2.0 spelling.
func snakeHeader(header []string) []string {
	out := make([]string, len(header))
	for i, h := range header {
		out[i] = SnakeName(h)
	}
	return out
}

// rename returns header with the column from renamed to.
func rename(header []string, from, to string) []string {
	out := make([]string, len(header))
	for i, h := range header {
		if h == from {
			h = to
		}
		out[i] = h
	}
	return out
}

// without returns header lacking the named column.
func without(header []string, name string) []string {
	var out []string
	for _, h := range header {
		if h != name {
			out = append(out, h)
		}
	}
	return out
}

// selectRow does what tabular's Select does: it picks the named fields of
// a record, "" for a name the header lacks and for "". A name
// "<column>.<key>" picks the key of the column's JSON object, as the
// Parquet reader picks a map's key.
func selectRow(header, record, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		j := slices.Index(header, n)
		if n == "" {
			continue
		}
		if j >= 0 {
			out[i] = record[j]
			continue
		}
		col, key, ok := strings.Cut(n, ".")
		if j = slices.Index(header, col); !ok || j < 0 || record[j] == "" {
			continue
		}
		var m map[string]*string
		if err := json.Unmarshal([]byte(record[j]), &m); err != nil {
			panic(fmt.Sprintf("column %s: %v", col, err))
		}
		if v := m[key]; v != nil {
			out[i] = *v
		}
	}
	return out
}

// record lays out values, keyed by column name, as a record of header.
// Keys that are not columns of header are ignored.
func record(header []string, values map[string]string) []string {
	rec := make([]string, len(header))
	for i, h := range header {
		rec[i] = values[h]
	}
	return rec
}

// cur1Defaults make a valid Usage row; cases override what they test.
var cur1Defaults = map[string]string{
	"lineItem/LineItemType":       "Usage",
	"lineItem/UsageStartDate":     "2023-11-01T00:00:00Z",
	"lineItem/CurrencyCode":       "USD",
	"lineItem/UnblendedCost":      "1",
	"bill/PayerAccountId":         "012345678901",
	"lineItem/UsageAccountId":     "012345678901",
	"lineItem/ProductCode":        "AmazonEC2",
	"lineItem/UsageEndDate":       "2023-11-01T01:00:00Z",
	"bill/BillingPeriodStartDate": "2023-11-01T00:00:00Z",
}

// parseRow detects header, selects values (keyed by header name) as
// tabular would, and parses the row.
func parseRow(t *testing.T, header []string, values map[string]string) (Item, error) {
	t.Helper()
	s, err := Detect(header)
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	var it Item
	err = s.Parse(selectRow(header, record(header, values), s.Columns()), &it)
	// Selected with TotalsColumns, the row gives the same measures,
	// dimensions and error.
	var tot Item
	terr := s.Parse(selectRow(header, record(header, values), s.TotalsColumns()), &tot)
	if fmt.Sprint(terr) != fmt.Sprint(err) {
		t.Errorf("with TotalsColumns: error %v, with Columns %v", terr, err)
	}
	if err == nil && terr == nil {
		same := tot.Day() == it.Day() && tot.UsageEnd.Equal(it.UsageEnd) && tot.Provider == it.Provider &&
			tot.Payer == it.Payer && tot.Account == it.Account && tot.Service == it.Service &&
			tot.Currency == it.Currency && tot.BillingPeriod == it.BillingPeriod && tot.LineItemType == it.LineItemType &&
			tot.Unblended.Equal(it.Unblended) && tot.NetUnblended.Equal(it.NetUnblended) &&
			tot.Amortized.Equal(it.Amortized) && tot.UsageAmount.Equal(it.UsageAmount)
		if !same {
			t.Errorf("with TotalsColumns: %+v, with Columns %+v", tot, it)
		}
	}
	return it, err
}

// withDefaults returns defaults overridden by values.
func withDefaults(defaults, values map[string]string) map[string]string {
	m := maps.Clone(defaults)
	maps.Copy(m, values)
	return m
}

// snakeKeys re-keys CUR 1.0 values by their Athena names.
func snakeKeys(values map[string]string) map[string]string {
	m := make(map[string]string, len(values))
	for k, v := range values {
		m[SnakeName(k)] = v
	}
	return m
}
