package cur

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Sentinel errors. Row errors wrap them with the column and value.
var (
	ErrNotBilling    = errors.New("not a billing export")
	ErrMissingColumn = errors.New("missing column")
	ErrBadValue      = errors.New("bad value")
)

// Item is one line item with its three cost measures.
type Item struct {
	UsageStart    time.Time
	UsageEnd      time.Time // zero when absent
	Provider      string
	Payer         string
	Account       string
	Service       string
	LineItemType  string
	UsageType     string
	Operation     string
	ResourceID    string
	Description   string
	Region        string
	Currency      string
	BillingPeriod string // "YYYY-MM" from the row's billing period start, "" if absent

	UsageAmount    decimal.Decimal
	HasUsageAmount bool
	Unblended      decimal.Decimal
	NetUnblended   decimal.Decimal
	Amortized      decimal.Decimal

	// PricingTerm is CUR's pricing/term ("OnDemand", "Reserved", "Spot");
	// from FOCUS, PricingCategory mapped to those words (see pricingTerm).
	PricingTerm string
	// InstanceType and VolumeType are product/instanceType ("m5.large")
	// and product/volumeApiName ("gp2"): CUR columns, or keys of CUR 2.0's
	// product map. FOCUS has neither; they stay "" (the findings read the
	// instance type from the usage type, x_UsageType in FOCUS).
	InstanceType string
	VolumeType   string

	// An RIFee line's unused reservation: the unused part of the upfront
	// fee amortized over the period, and the unused recurring fee. Set
	// (HasRIUnused) on RIFee lines of CUR, where blank counts as zero as
	// in the amortized cost, and on a reservation's recurring Purchase and
	// Unused rows of FOCUS (see focusCommitment); zero elsewhere.
	RIUnusedUpfront   decimal.Decimal
	RIUnusedRecurring decimal.Decimal
	RIUpfront         decimal.Decimal // the period's share of the upfront fee, used or not
	HasRIUnused       bool
	// A SavingsPlanRecurringFee line's commitment to date and how much of
	// it was used. Set (HasSPCommitment) on those lines of CUR and on a
	// plan's recurring Purchase and Unused rows of FOCUS, like the RI
	// figures.
	SPTotalCommitment decimal.Decimal
	SPUsedCommitment  decimal.Decimal
	HasSPCommitment   bool

	// ServiceCode is the AWS product code ("AmazonEC2"): Service in CUR;
	// in FOCUS, whose Service is its ServiceName ("Amazon Elastic Compute
	// Cloud"), x_ServiceCode when AWS's export has it, else Service.
	ServiceCode string

	// CommitmentARN is the reservation's ARN on an RIFee line and the
	// Savings Plan's on a SavingsPlanRecurringFee line (FOCUS:
	// CommitmentDiscountId, on the rows that set HasRIUnused or
	// HasSPCommitment); "" on other lines, which need not pay for it.
	CommitmentARN string

	// Tags are the line item's cost allocation tags with a value, in the
	// file's column order (CUR 1.0) or by key (maps, which the reader
	// sorts), keys as Tag says. Parse reuses the slice.
	Tags []Tag
}

// Day returns the UTC date of the usage start, "YYYY-MM-DD".
func (it *Item) Day() string { return it.UsageStart.Format(time.DateOnly) }

// Parse fills it from a row selected with s.Columns(). It fails with an
// error wrapping ErrBadValue that names the column and value.
func (s *Schema) Parse(row []string, it *Item) error {
	if want := int(numFields) + len(s.tags); len(row) != want {
		return fmt.Errorf("cur: row has %d fields, Schema.Columns has %d", len(row), want)
	}
	get := func(f field) string { return clean(row[f]) }
	var err error
	if it.UsageStart, err = ParseTime(get(fUsageStart)); err != nil {
		return s.bad(fUsageStart, row, err)
	}
	if v := get(fUsageEnd); v != "" {
		if it.UsageEnd, err = ParseTime(v); err != nil {
			return s.bad(fUsageEnd, row, err)
		}
	} else {
		it.UsageEnd = time.Time{}
	}
	it.BillingPeriod = ""
	if v := get(fBillingPeriodStart); v != "" {
		if _, err := ParseTime(v); err != nil {
			return s.bad(fBillingPeriodStart, row, err)
		}
		// The month as written: the period a bill names is a calendar
		// month of the bill's own zone, which converting
		// "2024-09-01T00:00:00+02:00" to UTC would turn into August.
		it.BillingPeriod = v[:len("2006-01")]
	}
	it.Payer, it.Account, it.Service = get(fPayer), get(fAccount), get(fService)
	it.ServiceCode = it.Service
	if v := row[fServiceCode]; v != "" {
		it.ServiceCode = clean(v)
	}
	it.LineItemType, it.UsageType, it.Operation = get(fLineItemType), get(fUsageType), get(fOperation)
	it.ResourceID, it.Description = get(fResourceID), get(fDescription)
	it.Region = get(fRegion)
	if it.Region == "" {
		it.Region = get(fRegionAlt)
	}
	s.attributes(row, it)
	it.CommitmentARN = ""
	switch it.LineItemType {
	case "RIFee":
		it.CommitmentARN = get(fRIARN)
	case "SavingsPlanRecurringFee":
		it.CommitmentARN = get(fSPARN)
	}
	it.Currency = get(fCurrency)
	if it.Currency == "" {
		return s.bad(fCurrency, row, errors.New("blank"))
	}
	it.HasUsageAmount = get(fUsageAmount) != ""
	if it.UsageAmount, err = s.num(fUsageAmount, row); err != nil {
		return err
	}
	if it.Unblended, err = s.num(fUnblended, row); err != nil {
		return err
	}
	if it.HasRIUnused || it.HasSPCommitment { // rare: clearing four decimals on every line is not free
		it.RIUnusedUpfront, it.RIUnusedRecurring, it.RIUpfront, it.HasRIUnused = decimal.Decimal{}, decimal.Decimal{}, decimal.Decimal{}, false
		it.SPTotalCommitment, it.SPUsedCommitment, it.HasSPCommitment = decimal.Decimal{}, decimal.Decimal{}, false
	}
	if s.Format == FormatFOCUS {
		return s.focusMeasures(row, it)
	}
	it.Provider = "AWS"
	it.NetUnblended = it.Unblended
	if get(fNetUnblended) != "" {
		if it.NetUnblended, err = s.num(fNetUnblended, row); err != nil {
			return err
		}
	}
	it.Amortized, err = s.amortized(row, it)
	return err
}

// focusMeasures maps FOCUS costs: BilledCost is both the unblended and the
// net figure (it is what the invoice charges), EffectiveCost the amortized.
func (s *Schema) focusMeasures(row []string, it *Item) error {
	it.Provider = clean(row[fProvider])
	if it.Provider == "" {
		it.Provider = clean(row[fProviderAlt])
	}
	it.NetUnblended = it.Unblended
	var err error
	if it.Amortized, err = s.num(fEffectiveCost, row); err != nil {
		return err
	}
	if v := row[fSPARN]; v != "" {
		s.focusCommitment(clean(v), row, it)
	}
	return nil
}

// focusCommitment reads the figures the unused-commitment findings need
// from the FOCUS rows of a Reserved Instance or Savings Plan with id
// (CommitmentDiscountId), as AWS's FOCUS export writes them: CUR's RIFee
// and SavingsPlanRecurringFee line becomes a Purchase row of
// ChargeFrequency "Recurring" billing the fee (BilledCost), and its unused
// part a Usage row of CommitmentDiscountStatus "Unused" whose
// EffectiveCost is the unused amortized cost, BilledCost zero.
//
// Reserved Instance: the recurring purchase is the RIFee line (the fee is
// its BilledCost); the Unused row's EffectiveCost is read as the unused
// recurring fee. FOCUS gives one unused figure, not CUR's two, and no
// upfront share of the period: for a No Upfront reservation the figures
// are CUR's, for one with an upfront fee the unused total is the same
// but all of it shows as recurring, and the upfront share as zero.
//
// Savings Plan: the recurring purchase is the commitment (total and used
// alike) and the Unused row takes its EffectiveCost off the used
// commitment, so that a day's rows add up to CUR's total commitment to
// date and used commitment. For a No Upfront plan these are CUR's
// figures; a plan with an upfront fee shows its recurring part only.
func (s *Schema) focusCommitment(id string, row []string, it *Item) {
	purchase := it.LineItemType == "Purchase" && strings.EqualFold(s.chargeFrequency(row), "Recurring")
	unused := it.LineItemType == "Usage" && strings.EqualFold(clean(row[fCommitmentStatus]), "Unused")
	if !purchase && !unused {
		return
	}
	switch c := strings.ToLower(clean(row[fCommitmentType])); {
	case strings.Contains(c, "reserv"):
		it.CommitmentARN, it.HasRIUnused = id, true
		if unused {
			it.RIUnusedRecurring = it.Amortized
		}
	case strings.Contains(c, "savings"):
		it.CommitmentARN, it.HasSPCommitment = id, true
		if purchase {
			it.SPTotalCommitment, it.SPUsedCommitment = it.Unblended, it.Unblended
		} else {
			it.SPUsedCommitment = it.Amortized.Neg()
		}
	}
}

// chargeFrequency is a FOCUS row's ChargeFrequency, which is also its
// operation when the header has no x_Operation.
func (s *Schema) chargeFrequency(row []string) string {
	if s.has[fChargeFrequency] {
		return clean(row[fChargeFrequency])
	}
	return clean(row[fOperation])
}

// amortized applies the AWS Cloud Intelligence Dashboards rule: commitment
// purchases are spread over the usage they cover, and the lines that
// restate them count zero so nothing is counted twice.
func (s *Schema) amortized(row []string, it *Item) (decimal.Decimal, error) {
	switch it.LineItemType {
	case "SavingsPlanCoveredUsage":
		return s.num(fSPEffectiveCost, row)
	case "SavingsPlanRecurringFee":
		total, err := s.num(fSPTotalCommitment, row)
		if err != nil {
			return decimal.Decimal{}, err
		}
		used, err := s.num(fSPUsedCommitment, row)
		if err != nil {
			return decimal.Decimal{}, err
		}
		// Kept for the unused-commitment findings, read here where the
		// rule reads them, so that no other line pays for them.
		it.SPTotalCommitment, it.SPUsedCommitment, it.HasSPCommitment = total, used, true
		return total.Sub(used), nil
	case "SavingsPlanNegation", "SavingsPlanUpfrontFee":
		return decimal.Decimal{}, nil
	case "DiscountedUsage":
		return s.num(fRIEffectiveCost, row)
	case "RIFee":
		upfront, err := s.num(fRIUnusedUpfront, row)
		if err != nil {
			return decimal.Decimal{}, err
		}
		recurring, err := s.num(fRIUnusedRecurring, row)
		if err != nil {
			return decimal.Decimal{}, err
		}
		// The period's share of the upfront fee is evidence only: a bad
		// value there must not fail the line's costs.
		it.RIUpfront, _ = s.num(fRIUpfront, row)
		it.RIUnusedUpfront, it.RIUnusedRecurring, it.HasRIUnused = upfront, recurring, true
		return upfront.Add(recurring), nil
	case "Fee":
		if clean(row[fRIARN]) != "" {
			return decimal.Decimal{}, nil // the RI's upfront fee, amortized through DiscountedUsage
		}
	case "Refund":
		if strings.HasSuffix(it.Service, "SavingsPlans") {
			return decimal.Decimal{}, nil // refund of a Savings Plan's one-time fee, which counted zero
		}
	}
	return it.Unblended, nil
}

// num parses a cost field; blank (or a literal NULL) counts as zero.
func (s *Schema) num(f field, row []string) (decimal.Decimal, error) {
	v := clean(row[f])
	if v == "" {
		return decimal.Decimal{}, nil
	}
	d, err := decimal.Parse(v)
	if err != nil {
		// Keep decimal's cause (ErrSyntax, ErrRange) reachable by errors.Is.
		cause := err
		var pe *decimal.ParseError
		if errors.As(err, &pe) {
			cause = pe.Err
		}
		return decimal.Decimal{}, s.bad(f, row, fmt.Errorf("not a decimal number: %w", cause))
	}
	return d, nil
}

func (s *Schema) bad(f field, row []string, cause error) error {
	name := s.columns[f]
	if name == "" {
		name = curColumns[f]
	}
	return fmt.Errorf("%w: column %s value %q: %w", ErrBadValue, name, row[f], cause)
}

// clean trims spaces and turns the literal NULL some exporters write, in
// whatever case, into an empty value.
func clean(v string) string {
	// Most values start and end with a printable ASCII byte, which no
	// space is: only the others need TrimSpace (a call per field of every
	// row otherwise, a tenth of the parse).
	if n := len(v); n > 0 && (v[0] <= ' ' || v[0] >= 0x80 || v[n-1] <= ' ' || v[n-1] >= 0x80) {
		v = strings.TrimSpace(v)
	}
	if len(v) == 4 && strings.EqualFold(v, "NULL") {
		return ""
	}
	return v
}
