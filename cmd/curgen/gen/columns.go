package gen

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// kind is a column's type: text, a number (DOUBLE in Parquet) or a
// timestamp.
type kind uint8

const (
	kindString kind = iota
	kindNumber
	kindTime
)

// column is one CUR 1.0 column and how to take its value from an item.
type column struct {
	category, name string // "lineItem", "UnblendedCost"
	kind           kind
	str            func(*item) string
	num            func(*item) amount
	tim            func(*item) time.Time // the zero time is a blank field
}

// full returns the CUR 1.0 CSV name, "lineItem/UnblendedCost".
func (c *column) full() string { return c.category + "/" + c.name }

// snake returns the Athena and CUR 2.0 name, "line_item_unblended_cost".
func (c *column) snake() string { return snakeCase(c.category + "/" + c.name) }

func str(cat, name string, f func(*item) string) *column {
	return &column{category: cat, name: name, kind: kindString, str: f}
}

func num(cat, name string, f func(*item) amount) *column {
	return &column{category: cat, name: name, kind: kindNumber, num: f}
}

func tim(cat, name string, f func(*item) time.Time) *column {
	return &column{category: cat, name: name, kind: kindTime, tim: f}
}

// interval is identity/TimeInterval, always in the short Z form, as AWS writes it.
func interval(it *item) string {
	return it.start.Format("2006-01-02T15:04:05Z") + "/" + it.end.Format("2006-01-02T15:04:05Z")
}

// coreColumns are the CUR 1.0 columns other than product/*, resourceTags/*
// and costCategory/*, which CUR 2.0 keeps as columns of its own.
var coreColumns = []*column{
	str("identity", "LineItemId", func(it *item) string { return it.id }),
	str("identity", "TimeInterval", interval),
	str("bill", "InvoiceId", func(it *item) string { return invoiceID(it.payer, it.per) }),
	str("bill", "InvoicingEntity", func(it *item) string { return it.payer.entity }),
	str("bill", "BillingEntity", func(it *item) string { return it.billingEntity }),
	str("bill", "BillType", func(it *item) string { return it.billType }),
	str("bill", "PayerAccountId", func(it *item) string { return it.payer.id }),
	tim("bill", "BillingPeriodStartDate", func(it *item) time.Time { return it.per.start }),
	tim("bill", "BillingPeriodEndDate", func(it *item) time.Time { return it.per.end }),
	str("lineItem", "UsageAccountId", func(it *item) string { return it.acct.id }),
	str("lineItem", "LineItemType", func(it *item) string { return it.typ }),
	tim("lineItem", "UsageStartDate", func(it *item) time.Time { return it.start }),
	tim("lineItem", "UsageEndDate", func(it *item) time.Time { return it.end }),
	str("lineItem", "ProductCode", func(it *item) string { return it.svc.code }),
	str("lineItem", "UsageType", func(it *item) string { return it.usageType }),
	str("lineItem", "Operation", func(it *item) string { return it.operation }),
	str("lineItem", "AvailabilityZone", func(it *item) string { return it.az }),
	str("lineItem", "ResourceId", func(it *item) string { return it.resource }),
	num("lineItem", "UsageAmount", func(it *item) amount { return it.usage }),
	num("lineItem", "NormalizationFactor", func(it *item) amount { return it.normFactor }),
	num("lineItem", "NormalizedUsageAmount", func(it *item) amount { return it.normUsage }),
	str("lineItem", "CurrencyCode", func(it *item) string { return it.payer.currency }),
	num("lineItem", "UnblendedRate", func(it *item) amount { return it.rate }),
	num("lineItem", "UnblendedCost", func(it *item) amount { return it.cost }),
	num("lineItem", "BlendedRate", func(it *item) amount { return it.blendedRate }),
	num("lineItem", "BlendedCost", func(it *item) amount { return it.blended }),
	str("lineItem", "LineItemDescription", func(it *item) string { return it.desc }),
	str("lineItem", "TaxType", func(it *item) string { return it.taxType }),
	str("lineItem", "LegalEntity", func(it *item) string { return it.payer.entity }),
	num("lineItem", "NetUnblendedRate", func(it *item) amount { return it.netRate }),
	num("lineItem", "NetUnblendedCost", func(it *item) amount { return it.net }),
	str("pricing", "LeaseContractLength", func(it *item) string { return it.leaseTerm }),
	str("pricing", "OfferingClass", func(it *item) string { return it.offeringClass }),
	str("pricing", "PurchaseOption", func(it *item) string { return it.purchaseOption }),
	str("pricing", "RateCode", func(it *item) string { return rateCode(it) }),
	str("pricing", "currency", func(it *item) string { return "USD" }),
	num("pricing", "publicOnDemandCost", func(it *item) amount { return it.pubCost }),
	num("pricing", "publicOnDemandRate", func(it *item) amount { return it.pubRate }),
	str("pricing", "term", func(it *item) string { return pricingField(it, it.term) }),
	str("pricing", "unit", func(it *item) string { return pricingField(it, "unit") }),
	num("reservation", "AmortizedUpfrontCostForUsage", func(it *item) amount { return it.riAmortUsage }),
	num("reservation", "AmortizedUpfrontFeeForBillingPeriod", func(it *item) amount { return it.riAmortPeriod }),
	num("reservation", "EffectiveCost", func(it *item) amount { return it.riEffective }),
	str("reservation", "EndTime", func(it *item) string { return it.riEnd }),
	str("reservation", "ModificationStatus", func(it *item) string { return it.riModStatus }),
	num("reservation", "NetEffectiveCost", func(it *item) amount { return it.riNetEffective }),
	num("reservation", "NormalizedUnitsPerReservation", func(it *item) amount { return it.riNormUnits }),
	num("reservation", "NumberOfReservations", func(it *item) amount { return it.riCount }),
	num("reservation", "RecurringFeeForUsage", func(it *item) amount { return it.riRecurUsage }),
	str("reservation", "ReservationARN", func(it *item) string { return it.riARN }),
	str("reservation", "StartTime", func(it *item) string { return it.riStart }),
	str("reservation", "SubscriptionId", func(it *item) string { return it.riSubID }),
	num("reservation", "TotalReservedNormalizedUnits", func(it *item) amount { return it.riNormUnits }),
	num("reservation", "TotalReservedUnits", func(it *item) amount { return it.riUnits }),
	num("reservation", "UnitsPerReservation", func(it *item) amount { return it.riUnits }),
	num("reservation", "UnusedAmortizedUpfrontFeeForBillingPeriod", func(it *item) amount { return it.riUnusedUpfront }),
	num("reservation", "UnusedNormalizedUnitQuantity", func(it *item) amount { return it.riUnusedQty }),
	num("reservation", "UnusedQuantity", func(it *item) amount { return it.riUnusedQty }),
	num("reservation", "UnusedRecurringFee", func(it *item) amount { return it.riUnusedRecur }),
	num("reservation", "UpfrontValue", func(it *item) amount { return it.riUpfront }),
	num("savingsPlan", "AmortizedUpfrontCommitmentForBillingPeriod", func(it *item) amount { return it.spAmortUpfront }),
	str("savingsPlan", "EndTime", func(it *item) string { return it.spEnd }),
	str("savingsPlan", "InstanceTypeFamily", func(it *item) string { return it.spFamily }),
	num("savingsPlan", "NetSavingsPlanEffectiveCost", func(it *item) amount { return it.spNetEffective }),
	str("savingsPlan", "OfferingType", func(it *item) string { return it.spOffering }),
	str("savingsPlan", "PaymentOption", func(it *item) string { return it.spPayment }),
	str("savingsPlan", "PurchaseTerm", func(it *item) string { return it.spTerm }),
	num("savingsPlan", "RecurringCommitmentForBillingPeriod", func(it *item) amount { return it.spRecurCommit }),
	str("savingsPlan", "Region", func(it *item) string { return it.spRegion }),
	str("savingsPlan", "SavingsPlanARN", func(it *item) string { return it.spARN }),
	num("savingsPlan", "SavingsPlanEffectiveCost", func(it *item) amount { return it.spEffective }),
	num("savingsPlan", "SavingsPlanRate", func(it *item) amount { return it.spRate }),
	str("savingsPlan", "StartTime", func(it *item) string { return it.spStart }),
	num("savingsPlan", "TotalCommitmentToDate", func(it *item) amount { return it.spTotal }),
	num("savingsPlan", "UsedCommitment", func(it *item) amount { return it.spUsed }),
	num("discount", "BundledDiscount", func(it *item) amount { return it.discBundled }),
	num("discount", "TotalDiscount", func(it *item) amount { return it.discTotal }),
}

// costCategoryNames are the costCategory/* columns.
var costCategoryNames = [...]string{"BusinessUnit", "Environment"}

// cur1Columns are every column of a CUR 1.0 report, in AWS's order:
// identity, bill, lineItem, product, pricing, reservation, savingsPlan,
// discount, resourceTags, costCategory: 136 in all.
var cur1Columns = func() []*column {
	var cols []*column
	for _, c := range coreColumns {
		if c.category == "pricing" && cols[len(cols)-1].category == "lineItem" {
			for i, n := range productNames {
				cols = append(cols, str("product", n, func(it *item) string { return it.productField(i) }))
			}
		}
		cols = append(cols, c)
	}
	for i, n := range tagColumns {
		cols = append(cols, str("resourceTags", n, func(it *item) string { return it.tags[i] }))
	}
	for i, n := range costCategoryNames {
		cols = append(cols, str("costCategory", n, func(it *item) string { return it.acct.costCats[i] }))
	}
	return cols
}()

func invoiceID(p *payer, per *period) string {
	if !per.final {
		return "" // blank until the month is final (trap 9)
	}
	return strconv.Itoa(p.invoiceNo + per.index)
}

func rateCode(it *item) string {
	if it.prof == nil {
		return ""
	}
	return it.prof.sku + ".JRTCKXETXF.6YS6EN2CT7"
}

// pricingField fills pricing/* only for lines priced from a product.
func pricingField(it *item, v string) string {
	if it.prof == nil {
		return ""
	}
	if v == "unit" {
		return it.prof.unit
	}
	return v
}

// snakeCase converts a CUR 1.0 name the way Athena does: a '_' before
// every capital and in place of every other separator, all lower case:
// "reservation/ReservationARN" -> "reservation_reservation_a_r_n".
func snakeCase(s string) string {
	var b strings.Builder
	sep := true
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			if !sep {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			sep = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			sep = false
		case !sep:
			b.WriteByte('_')
			sep = true
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}
