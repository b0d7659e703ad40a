package findings

import "github.com/curpipe/curpipe/transforms/cur"

// FromItem fills l with what the rules read of a parsed line item,
// without a copy or an allocation: the strings alias the item's, which
// alias the reader's buffer, and Add copies what it keeps.
func FromItem(l *Line, it *cur.Item) {
	*l = Line{
		UsageStart:       it.UsageStart,
		BillingPeriod:    it.BillingPeriod,
		Payer:            it.Payer,
		UsageAccount:     it.Account,
		Service:          it.ServiceCode,
		LineItemType:     it.LineItemType,
		UsageType:        it.UsageType,
		Operation:        it.Operation,
		Region:           it.Region,
		ResourceID:       it.ResourceID,
		PricingTerm:      it.PricingTerm,
		InstanceType:     it.InstanceType,
		VolumeType:       it.VolumeType,
		UsageAmount:      it.UsageAmount,
		UnblendedCost:    it.Unblended,
		NetUnblendedCost: it.NetUnblended,
		AmortizedCost:    it.Amortized,
	}
	// A FOCUS row names its charge category (Purchase, Usage), not CUR's
	// line item type: the rows that carry a commitment's figures take the
	// type of the CUR line they stand for, RIFee or SavingsPlanRecurringFee,
	// which the rules classify by. CUR's own lines keep theirs.
	switch {
	case it.HasRIUnused:
		l.LineItemType = "RIFee"
		l.ReservationARN = it.CommitmentARN
		l.AmortizedUpfrontFee = it.RIUpfront
		l.UnusedAmortizedUpfrontFee, l.UnusedRecurringFee = it.RIUnusedUpfront, it.RIUnusedRecurring
	case it.HasSPCommitment:
		l.LineItemType = "SavingsPlanRecurringFee"
		l.SavingsPlanARN = it.CommitmentARN
		l.TotalCommitment, l.UsedCommitment = it.SPTotalCommitment, it.SPUsedCommitment
	}
}
