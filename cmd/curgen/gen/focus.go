package gen

import (
	"fmt"
	"io"
	"strconv"

	"github.com/klauspost/compress/gzip"
)

// focusColumns are the columns of AWS's "FOCUS 1.0 with AWS columns"
// export, in its order: FOCUS 1.0's, then x_CostCategories, x_Discounts,
// x_Operation, x_ServiceCode and x_UsageType, which carry CUR's own
// words.
var focusColumns = []string{
	"AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
	"BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription",
	"ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory",
	"CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountStatus", "CommitmentDiscountType",
	"ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice", "EffectiveCost",
	"InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit",
	"ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType",
	"ServiceCategory", "ServiceName", "SkuId", "SkuPriceId", "SubAccountId", "SubAccountName", "Tags",
	"x_CostCategories", "x_Discounts", "x_Operation", "x_ServiceCode", "x_UsageType",
}

// focusTime is how the FOCUS CSV export writes timestamps.
const focusTime = "2006-01-02T15:04:05Z"

// focusRows returns the FOCUS rows of a CUR line item, each as its values
// by column. The planted lines map as AWS's FOCUS export maps them:
//
//   - Usage: a Usage row, PricingCategory Standard, BilledCost and
//     EffectiveCost the unblended cost.
//   - RIFee and SavingsPlanRecurringFee: a Purchase row of ChargeFrequency
//     Recurring billing the fee (EffectiveCost 0: a fee is amortized into
//     the usage it covers), and when part of the commitment went unused a
//     Usage row of CommitmentDiscountStatus Unused whose EffectiveCost is
//     the unused part, BilledCost 0.
//
// So every row's BilledCost and EffectiveCost add up to CUR's unblended
// and amortized cost of the line. Other line item types are not planted
// and have no mapping here.
func focusRows(it *item) ([]map[string]string, error) {
	num := func(a amount) string {
		if !a.set {
			return ""
		}
		return strconv.FormatFloat(a.f, 'f', -1, 64)
	}
	row := map[string]string{
		"BillingAccountId": it.payer.id, "BillingAccountName": "org-" + it.payer.id,
		"BillingCurrency":  it.payer.currency,
		"BillingPeriodEnd": it.per.end.Format(focusTime), "BillingPeriodStart": it.per.start.Format(focusTime),
		"ChargeDescription": it.desc,
		"ChargePeriodEnd":   it.end.Format(focusTime), "ChargePeriodStart": it.start.Format(focusTime),
		"InvoiceIssuerName": it.payer.entity, "ProviderName": "AWS", "PublisherName": "Amazon Web Services, Inc.",
		"ServiceName": it.svc.name, "SubAccountId": it.acct.id, "SubAccountName": "acct-" + it.acct.id,
		"x_Operation": it.operation, "x_ServiceCode": it.svc.code, "x_UsageType": it.usageType,
		"AvailabilityZone": it.az,
	}
	if p := it.prof; p != nil {
		row["RegionId"], row["RegionName"] = p.region.code, p.region.location
		row["SkuId"], row["SkuPriceId"] = p.sku, rateCode(it)
		row["ServiceCategory"] = focusCategory(it.svc.code)
		row["ConsumedUnit"], row["PricingUnit"] = p.unit, p.unit
	}
	switch it.typ {
	case "Usage":
		row["ChargeCategory"], row["ChargeFrequency"], row["PricingCategory"] = "Usage", "Usage-Based", "Standard"
		row["ResourceId"] = it.resource
		row["BilledCost"], row["EffectiveCost"] = num(it.cost), num(it.cost)
		row["ListCost"], row["ContractedCost"] = num(it.pubCost), num(it.cost)
		row["ListUnitPrice"], row["ContractedUnitPrice"] = num(it.pubRate), num(it.rate)
		row["ConsumedQuantity"], row["PricingQuantity"] = num(it.usage), num(it.usage)
		return []map[string]string{row}, nil
	case "RIFee", "SavingsPlanRecurringFee":
		row["ChargeCategory"], row["ChargeFrequency"], row["PricingCategory"] = "Purchase", "Recurring", "Committed"
		row["BilledCost"], row["EffectiveCost"], row["ContractedCost"], row["ListCost"] = num(it.cost), "0", num(it.cost), num(it.cost)
		row["PricingQuantity"] = num(it.usage)
		unused := it.riUnusedRecur
		row["CommitmentDiscountId"], row["CommitmentDiscountType"], row["CommitmentDiscountCategory"] = it.riARN, "Reserved Instance", "Usage"
		if it.typ == "SavingsPlanRecurringFee" {
			d, err := unusedCommitment(it)
			if err != nil {
				return nil, err
			}
			unused = amount{}
			if d != "" {
				unused = val(mustFloat(d))
			}
			row["CommitmentDiscountId"], row["CommitmentDiscountType"], row["CommitmentDiscountCategory"] = it.spARN, "Savings Plan", "Spend"
		}
		row["CommitmentDiscountName"] = row["CommitmentDiscountId"]
		rows := []map[string]string{row}
		if unused.set && unused.f != 0 {
			u := make(map[string]string, len(row))
			for k, v := range row {
				u[k] = v
			}
			u["ChargeCategory"], u["ChargeFrequency"], u["CommitmentDiscountStatus"] = "Usage", "Usage-Based", "Unused"
			u["BilledCost"], u["ContractedCost"], u["ListCost"], u["EffectiveCost"] = "0", "0", "0", num(unused)
			u["PricingQuantity"] = ""
			rows = append(rows, u)
		}
		return rows, nil
	}
	return nil, fmt.Errorf("curgen: line item type %s has no FOCUS mapping", it.typ)
}

// unusedCommitment is a Savings Plan fee line's total commitment less the
// used, as exact decimal text ("" when nothing is unused): the difference
// of two doubles need not be the double of the difference.
func unusedCommitment(it *item) (string, error) {
	total, err := it.spTotal.dec()
	if err != nil {
		return "", err
	}
	used, err := it.spUsed.dec()
	if err != nil {
		return "", err
	}
	d := total.Sub(used)
	if d.IsZero() {
		return "", nil
	}
	return d.String(), nil
}

func mustFloat(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return f
}

// focusCategory is FOCUS's ServiceCategory of the planted services.
func focusCategory(code string) string {
	switch code {
	case "AmazonEC2":
		return "Compute"
	case "AmazonS3":
		return "Storage"
	case "AmazonVPC", "AWSELB":
		return "Networking"
	}
	return "Other"
}

// writeFOCUS writes gzip FOCUS CSV to w, every field quoted as AWS's
// export does, from the items each hands to its write function.
func writeFOCUS(w io.Writer, level int, each func(write func(*item) error) error) error {
	zw, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	var buf []byte
	line := func(values func(i int, col string) string) error {
		buf = buf[:0]
		for i, c := range focusColumns {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendQuoted(buf, values(i, c))
		}
		buf = append(buf, '\n')
		_, err := zw.Write(buf)
		return err
	}
	err = line(func(_ int, c string) string { return c })
	if err == nil {
		err = each(func(it *item) error {
			rows, err := focusRows(it)
			for _, r := range rows {
				if err == nil {
					err = line(func(_ int, c string) string { return r[c] })
				}
			}
			return err
		})
	}
	if cerr := zw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("gzip: %w", cerr)
	}
	return err
}

// appendQuoted appends s in double quotes, doubling the quotes it holds.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// focusManifestColumns lists the FOCUS columns as a Data Exports manifest
// does.
func focusManifestColumns() []manifestColumn {
	cols := make([]manifestColumn, len(focusColumns))
	for i, c := range focusColumns {
		t := "string"
		switch c {
		case "BilledCost", "ConsumedQuantity", "ContractedCost", "ContractedUnitPrice", "EffectiveCost",
			"ListCost", "ListUnitPrice", "PricingQuantity":
			t = "double"
		case "BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart":
			t = "timestamp"
		}
		cols[i] = manifestColumn{Name: c, Type: t}
	}
	return cols
}
