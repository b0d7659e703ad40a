package cur

import "strings"

// attributes fills the fields only the curated lake keeps beyond the
// line's own text: pricing term, product attributes and tags. None is
// validated, so a row selected with TotalsColumns, which leaves them
// blank, gives the same errors.
func (s *Schema) attributes(row []string, it *Item) {
	// Most of these fields are blank or unselected on most lines: a blank
	// one costs a comparison, not a call to clean.
	it.PricingTerm, it.InstanceType, it.VolumeType = "", "", ""
	if v := row[fPricingTerm]; v != "" {
		it.PricingTerm = clean(v)
		if s.Format == FormatFOCUS && it.PricingTerm != "" {
			it.PricingTerm = pricingTerm(it.PricingTerm, clean(row[fCommitmentType]))
		}
	}
	if v := row[fInstanceType]; v != "" {
		it.InstanceType = clean(v)
	}
	if v := row[fVolumeType]; v != "" {
		it.VolumeType = clean(v)
	}
	it.Tags = it.Tags[:0]
	if v := row[fTags]; v != "" {
		if v = clean(v); v != "" {
			it.Tags = appendObject(it.Tags, v)
		}
	}
	for i, t := range s.tags {
		if v := row[int(numFields)+i]; v != "" {
			if v = clean(v); v != "" {
				it.Tags = append(it.Tags, Tag{Key: t.key, Value: v})
			}
		}
	}
}

// pricingTerm maps a FOCUS PricingCategory to the words of CUR's
// pricing/term, so that a rule reads one vocabulary: Standard is
// "OnDemand", Dynamic "Spot", and Committed "Reserved" or "SavingsPlan"
// by the CommitmentDiscountType. (CUR itself writes "OnDemand" on usage a
// Savings Plan covers: the line item type tells those apart there.)
// "Other" and a Committed price of unknown kind map to "", since CUR has
// no word for them; a category FOCUS may add later is kept as written.
func pricingTerm(category, commitment string) string {
	switch strings.ToLower(category) {
	case "standard":
		return "OnDemand"
	case "dynamic":
		return "Spot"
	case "other":
		return ""
	case "committed":
		c := strings.ToLower(commitment)
		switch {
		case strings.Contains(c, "reserv"):
			return "Reserved"
		case strings.Contains(c, "savings"):
			return "SavingsPlan"
		}
		return ""
	}
	return category
}
