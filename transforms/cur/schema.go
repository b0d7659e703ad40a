// Package cur reads AWS billing line items, whatever export wrote them:
// legacy CUR 1.0 ("lineItem/UnblendedCost" CSV headers), its Athena and
// CUR 2.0 snake_case form ("line_item_unblended_cost"), and FOCUS 1.x
// ("BilledCost"). It finds columns by header name, parses costs as exact
// decimals, and computes the three cost measures of every line.
package cur

import (
	"fmt"
	"strings"
	"unicode"
)

// Format is the kind of billing export a header belongs to.
type Format int

// The formats Detect recognizes.
const (
	FormatCUR   Format = iota + 1 // CUR 1.0 CSV, CUR 1.0 Athena Parquet, CUR 2.0
	FormatFOCUS                   // FOCUS 1.x
)

func (f Format) String() string {
	switch f {
	case FormatCUR:
		return "CUR"
	case FormatFOCUS:
		return "FOCUS"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// field names one value a line item needs. Each has a column name per format.
type field int

const (
	fUsageStart field = iota
	fUsageEnd
	fPayer
	fAccount
	fLineItemType
	fService
	fUsageType
	fOperation
	fResourceID
	fDescription
	fRegion
	fRegionAlt
	fCurrency
	fUsageAmount
	fUnblended
	fNetUnblended
	fSPEffectiveCost
	fSPTotalCommitment
	fSPUsedCommitment
	fRIEffectiveCost
	fRIUnusedUpfront
	fRIUnusedRecurring
	fRIARN
	fBillingPeriodStart
	fProvider
	fProviderAlt
	fEffectiveCost
	fPricingTerm    // CUR pricing/term; FOCUS PricingCategory, mapped by pricingTerm
	fCommitmentType // FOCUS CommitmentDiscountType, which tells a Committed price's kind
	fInstanceType   // product/instanceType, a column in every CUR form
	fVolumeType     // product/volumeApiName; in CUR 2.0's product map only
	fTags           // CUR 2.0's resource_tags map, FOCUS Tags: JSON objects
	fSPARN          // savingsPlan/SavingsPlanARN; FOCUS CommitmentDiscountId for both kinds
	fRIUpfront      // reservation/AmortizedUpfrontFeeForBillingPeriod, evidence of an RIFee line
	// FOCUS only: they tell a commitment's recurring purchase and its
	// unused part (see focusCommitment). CUR has neither column.
	fChargeFrequency
	fCommitmentStatus
	fServiceCode // FOCUS x_ServiceCode: CUR's product code, for the findings
	numFields
)

// curColumns are CUR columns in Athena's snake_case, the form every CUR
// header is normalized to before lookup.
var curColumns = [numFields]string{
	fUsageStart:         "line_item_usage_start_date",
	fUsageEnd:           "line_item_usage_end_date",
	fPayer:              "bill_payer_account_id",
	fAccount:            "line_item_usage_account_id",
	fLineItemType:       "line_item_line_item_type",
	fService:            "line_item_product_code",
	fUsageType:          "line_item_usage_type",
	fOperation:          "line_item_operation",
	fResourceID:         "line_item_resource_id",
	fDescription:        "line_item_line_item_description",
	fRegion:             "product_region_code",
	fRegionAlt:          "product_region",
	fCurrency:           "line_item_currency_code",
	fUsageAmount:        "line_item_usage_amount",
	fUnblended:          "line_item_unblended_cost",
	fNetUnblended:       "line_item_net_unblended_cost",
	fSPEffectiveCost:    "savings_plan_savings_plan_effective_cost",
	fSPTotalCommitment:  "savings_plan_total_commitment_to_date",
	fSPUsedCommitment:   "savings_plan_used_commitment",
	fRIEffectiveCost:    "reservation_effective_cost",
	fRIUnusedUpfront:    "reservation_unused_amortized_upfront_fee_for_billing_period",
	fRIUnusedRecurring:  "reservation_unused_recurring_fee",
	fRIARN:              "reservation_reservation_a_r_n",
	fBillingPeriodStart: "bill_billing_period_start_date",
	fPricingTerm:        "pricing_term",
	fInstanceType:       "product_instance_type",
	fVolumeType:         "product_volume_api_name",
	fTags:               "resource_tags",
	fSPARN:              "savings_plan_savings_plan_a_r_n",
	fRIUpfront:          "reservation_amortized_upfront_fee_for_billing_period",
}

var focusColumns = [numFields]string{
	fUsageStart:         "ChargePeriodStart",
	fUsageEnd:           "ChargePeriodEnd",
	fPayer:              "BillingAccountId",
	fAccount:            "SubAccountId",
	fLineItemType:       "ChargeCategory",
	fService:            "ServiceName",
	fUsageType:          "SkuId",
	fOperation:          "ChargeFrequency",
	fResourceID:         "ResourceId",
	fDescription:        "ChargeDescription",
	fRegion:             "RegionId",
	fRegionAlt:          "Region",
	fCurrency:           "BillingCurrency",
	fUsageAmount:        "ConsumedQuantity",
	fUnblended:          "BilledCost",
	fBillingPeriodStart: "BillingPeriodStart",
	fProvider:           "ProviderName",
	fProviderAlt:        "ServiceProviderName", // FOCUS 1.2 renamed ProviderName
	fEffectiveCost:      "EffectiveCost",
	fPricingTerm:        "PricingCategory",
	fCommitmentType:     "CommitmentDiscountType",
	fTags:               "Tags",
	fSPARN:              "CommitmentDiscountId",
	fChargeFrequency:    "ChargeFrequency",
	fCommitmentStatus:   "CommitmentDiscountStatus",
	fServiceCode:        "x_ServiceCode",
}

// focusAWSColumns are the columns of AWS's FOCUS export "with AWS columns"
// that hold CUR's own words: x_ServiceCode is lineItem/ProductCode
// ("AmazonEC2"), x_UsageType and x_Operation CUR's usage type and
// operation. A header that has one is read from it rather than from the
// FOCUS column of the same field (SkuId, ChargeFrequency), so that a
// FOCUS export names usage as the CUR of the same bill does, which the
// findings rules read. x_ServiceCode is read beside ServiceName
// (fServiceCode): the totals keep FOCUS's service names.
var focusAWSColumns = map[field]string{
	fUsageType: "x_UsageType",
	fOperation: "x_Operation",
}

// productKeys are the keys of CUR 2.0's product map that hold what CUR
// 1.0 has as product/* columns.
var productKeys = map[field]string{
	fInstanceType: "instance_type",
	fVolumeType:   "volume_api_name",
}

// curSlashColumns are the CUR 1.0 CSV names of the required CUR columns,
// for messages about a header written in that form.
var curSlashColumns = map[field]string{
	fUsageStart:   "lineItem/UsageStartDate",
	fUnblended:    "lineItem/UnblendedCost",
	fCurrency:     "lineItem/CurrencyCode",
	fLineItemType: "lineItem/LineItemType",
}

var (
	curRequired   = []field{fUsageStart, fUnblended, fCurrency, fLineItemType}
	focusRequired = []field{fUsageStart, fUnblended, fEffectiveCost, fCurrency}
)

// Schema maps a file's header to the fields a line item needs.
type Schema struct {
	Format Format
	// columns holds the header name to select for each field, "" if the
	// file lacks it. Select them in this order and pass the row to Parse.
	columns [numFields]string
	has     [numFields]bool
	// tags are CUR 1.0's resourceTags/* columns, selected after the
	// fields, one per tag key.
	tags []tagColumn
}

// Detect recognizes the export format from a header and maps its columns.
// It fails, naming what is missing, when the header is neither CUR nor
// FOCUS or lacks a column the measures need.
func Detect(header []string) (*Schema, error) {
	// byName maps normalized names to the header's own spelling: Select
	// matches names exactly, so a name padded with spaces must be selected
	// padded.
	byName := make(map[string]string, len(header))
	focus := false
	for _, h := range header {
		t := strings.TrimSpace(h)
		if t == "BilledCost" || t == "ChargePeriodStart" {
			focus = true
		}
		n := SnakeName(t)
		if _, dup := byName[n]; !dup {
			byName[n] = h
		}
	}
	s := &Schema{Format: FormatCUR}
	want, required := curColumns, curRequired
	if focus {
		s.Format, want, required = FormatFOCUS, focusColumns, focusRequired
	}
	for f, name := range want {
		if name == "" {
			continue
		}
		if focus {
			names := []string{name}
			if aws, ok := focusAWSColumns[field(f)]; ok {
				names = []string{aws, name}
			}
		find:
			for _, n := range names {
				for _, h := range header {
					if strings.TrimSpace(h) == n {
						s.columns[f], s.has[f] = h, true
						break find
					}
				}
			}
			continue
		}
		if h, ok := byName[name]; ok {
			s.columns[f], s.has[f] = h, true
		}
	}
	if !focus {
		s.tags = tagColumns(header)
	}
	if focus && s.columns[fChargeFrequency] == s.columns[fOperation] {
		// No x_Operation: the operation is ChargeFrequency already, which
		// a column need not be selected twice for (see chargeFrequency).
		s.columns[fChargeFrequency], s.has[fChargeFrequency] = "", false
	}
	if !focus {
		// CUR 2.0 keeps product attributes without a column of their own
		// in its product map: select the one key, which the Parquet
		// reader reads without rendering the whole map, CUR 2.0's widest
		// column.
		if product, ok := byName["product"]; ok {
			for f, key := range productKeys {
				if !s.has[f] {
					s.columns[f], s.has[f] = product+"."+key, true
				}
			}
		}
	}
	var missing []string
	for _, f := range required {
		if !s.has[f] {
			name := want[f]
			if !focus && slashHeader(header) {
				name = curSlashColumns[f] // name it as the file spells its columns
			}
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		if !focus && !s.has[fUsageStart] && !s.has[fUnblended] {
			return nil, fmt.Errorf("%w: the header has neither CUR columns (lineItem/UsageStartDate, lineItem/UnblendedCost) nor FOCUS columns (ChargePeriodStart, BilledCost)", ErrNotBilling)
		}
		return nil, fmt.Errorf("%w: %s header lacks %s", ErrMissingColumn, s.Format, strings.Join(missing, ", "))
	}
	return s, nil
}

// slashHeader reports whether header uses CUR 1.0 "category/Name" names.
func slashHeader(header []string) bool {
	for _, h := range header {
		if strings.Contains(h, "/") {
			return true
		}
	}
	return false
}

// Columns returns the header names to select, in the order Parse expects:
// one per field, then CUR 1.0's tag columns. A field the file lacks has ""
// in its slot, which selects nothing.
func (s *Schema) Columns() []string {
	cols := make([]string, int(numFields)+len(s.tags))
	copy(cols, s.columns[:])
	for i, t := range s.tags {
		cols[int(numFields)+i] = t.column
	}
	return cols
}

// curatedOnly are the fields only the curated lake keeps: free text that
// neither the measures nor the totals' dimensions read, and that no check
// of Parse validates. (The commitment figures are not among them: the
// amortized cost reads them.)
var curatedOnly = [...]field{fUsageType, fOperation, fResourceID, fDescription, fRegion, fRegionAlt,
	fPricingTerm, fCommitmentType, fInstanceType, fVolumeType, fTags, fSPARN, fRIUpfront, fChargeFrequency, fCommitmentStatus, fServiceCode}

// TotalsColumns is Columns without the fields only the curated lake keeps
// (usage type, operation, resource, description, region, pricing term,
// product attributes, tags), which Parse then leaves blank: a totals-only
// run need not read them, and a Parquet reader skips their columns. A row
// gives the same measures, dimensions and errors either way.
func (s *Schema) TotalsColumns() []string {
	cols := s.Columns()
	for _, f := range curatedOnly {
		cols[f] = ""
	}
	clear(cols[numFields:])
	return cols
}

// SnakeName converts a CUR 1.0 CSV column name to the snake_case name Athena
// and CUR 2.0 use: "lineItem/UnblendedCost" -> "line_item_unblended_cost",
// "reservation/ReservationARN" -> "reservation_reservation_a_r_n". Names
// already in snake_case come back lower-cased.
func SnakeName(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	prevSep := true
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			if !prevSep {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			prevSep = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			prevSep = false
		default:
			if !prevSep {
				b.WriteByte('_')
			}
			prevSep = true
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}
