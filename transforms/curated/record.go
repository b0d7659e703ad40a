// Package curated holds the normalized line item that curpipe writes to the
// data lake, and the Parquet writer for it.
package curated

import (
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Record is one normalized billing line item. Field names in the Parquet
// files are the snake_case names in the tags' comments.
type Record struct {
	UsageStart     time.Time // usage_start (UTC)
	UsageEnd       time.Time // usage_end (UTC); zero when the source has none
	Provider       string    // provider: "AWS", or FOCUS ProviderName
	PayerAccountID string    // payer_account_id
	UsageAccountID string    // usage_account_id
	Service        string    // service: lineItem/ProductCode or FOCUS ServiceName
	LineItemType   string    // line_item_type: lineItem/LineItemType or FOCUS ChargeCategory
	UsageType      string    // usage_type
	Operation      string    // operation
	Region         string    // region
	ResourceID     string    // resource_id
	Description    string    // description
	Currency       string    // currency

	UsageAmount    decimal.Decimal // usage_amount
	UnblendedCost  decimal.Decimal // unblended_cost
	NetUnblended   decimal.Decimal // net_unblended_cost
	AmortizedCost  decimal.Decimal // amortized_cost
	HasUsageAmount bool            // false writes usage_amount as null

	ReportID      string // report_id
	ReportVersion string // report_version
	SourceObject  string // source_object
	SourceLine    int64  // source_line: CSV line or Parquet row number

	// What savings findings check a line against: how it was priced and
	// what it ran on. "" when the source has none (FOCUS has no product
	// attributes), written as null.
	PricingTerm  string // pricing_term: "OnDemand", "Reserved", "Spot", "SavingsPlan" (FOCUS)
	InstanceType string // instance_type: product/instanceType
	VolumeType   string // volume_type: product/volumeApiName ("gp2")

	// An RIFee line's unused reservation and a Savings Plan recurring fee
	// line's commitment; nil on other lines, whose columns are null (so
	// that a fully used commitment's 0 and a line without one differ).
	// Pointers, because few lines have them and a Record is held per
	// line of a chunk being parsed.
	RIUnused     *RIUnused
	SPCommitment *SPCommitment

	// ResourceTags are the cost allocation tags, written as the MAP
	// resource_tags, keys as the export names them ("user:team" from CUR
	// 1.0, "user_team" from CUR 2.0). A key given twice keeps its last
	// value.
	ResourceTags []Tag
}

// RIUnused is what an RIFee line says of its reservation's unused part.
type RIUnused struct {
	UpfrontFee   decimal.Decimal // ri_unused_upfront_fee: the amortized upfront fee unused
	RecurringFee decimal.Decimal // ri_unused_recurring_fee
}

// SPCommitment is what a Savings Plan recurring fee line says of the
// plan's commitment.
type SPCommitment struct {
	Total decimal.Decimal // sp_total_commitment: savingsPlan/TotalCommitmentToDate
	Used  decimal.Decimal // sp_used_commitment: savingsPlan/UsedCommitment
}

// Tag is one cost allocation tag.
type Tag struct {
	Key, Value string
}
