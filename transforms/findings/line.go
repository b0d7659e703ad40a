package findings

import (
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Line is the part of one billing line the rules read. Its strings may
// alias a reader's buffer: Add copies what it keeps. The parse stage
// fills it from a CUR 1.0, CUR 2.0 or FOCUS row; fields a rendering lacks
// stay empty (strings) or zero (decimals), and the rules read the empty
// value as "not given".
type Line struct {
	UsageDay      string    // UTC date of the usage start, YYYY-MM-DD; "" to take UsageStart's
	UsageStart    time.Time // read when UsageDay is "": formatted only for a line a rule reads
	BillingPeriod string    // YYYY-MM
	Payer         string    // payer (management) account id
	UsageAccount  string    // usage (member) account id
	Service       string    // product code: AmazonEC2, AmazonVPC, AWSELB, AmazonS3
	LineItemType  string    // Usage, RIFee, SavingsPlanRecurringFee, ...
	UsageType     string    // e.g. USE1-NatGateway-Hours, EBS:VolumeUsage.gp2
	Operation     string
	Region        string // region code, e.g. us-east-1
	ResourceID    string // ARN, volume id, bucket name, address; empty for many lines
	PricingTerm   string // OnDemand, Reserved, Spot; empty when not given
	InstanceType  string // e.g. m4.large
	VolumeType    string // EBS volume API name: gp2, gp3, io1, ...

	// The rules price with the unblended cost, as the dashboards do; the
	// net and amortized costs are carried for the stage that shows them.
	UsageAmount      decimal.Decimal
	UnblendedCost    decimal.Decimal
	NetUnblendedCost decimal.Decimal
	AmortizedCost    decimal.Decimal

	// Reserved Instance fee lines (RIFee).
	ReservationARN            string
	AmortizedUpfrontFee       decimal.Decimal // the billing period's share of the upfront fee
	UnusedAmortizedUpfrontFee decimal.Decimal // of which unused
	UnusedRecurringFee        decimal.Decimal

	// Savings Plan recurring fee lines (SavingsPlanRecurringFee).
	SavingsPlanARN  string
	TotalCommitment decimal.Decimal // the commitment to date of the line's period
	UsedCommitment  decimal.Decimal // of which used
}
