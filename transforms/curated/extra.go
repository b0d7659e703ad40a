package curated

// extra holds what a row points to for the columns savings findings
// read: four optional decimals and the tag map. A Writer keeps one per
// row of its batch, so that writing them allocates nothing once the maps
// have grown.
type extra struct {
	riUpfront, riRecurring [16]byte
	spTotal, spUsed        [16]byte
	tags                   map[string]string
}

// set encodes r's commitment figures and tags into e, or fails without
// changing what a row reads when a figure does not fit its column.
func (e *extra) set(r *Record) error {
	var ri, rr, st, su [16]byte
	var err error
	if u := r.RIUnused; u != nil {
		if ri, err = fixed16("ri_unused_upfront_fee", u.UpfrontFee, costScale); err != nil {
			return err
		}
		if rr, err = fixed16("ri_unused_recurring_fee", u.RecurringFee, costScale); err != nil {
			return err
		}
	}
	if c := r.SPCommitment; c != nil {
		if st, err = fixed16("sp_total_commitment", c.Total, costScale); err != nil {
			return err
		}
		if su, err = fixed16("sp_used_commitment", c.Used, costScale); err != nil {
			return err
		}
	}
	e.riUpfront, e.riRecurring, e.spTotal, e.spUsed = ri, rr, st, su
	// The map is reused: parquet-go has copied the previous row's out of
	// it when the batch was written.
	if e.tags == nil && len(r.ResourceTags) > 0 {
		e.tags = make(map[string]string, len(r.ResourceTags))
	}
	clear(e.tags)
	for _, t := range r.ResourceTags {
		e.tags[t.Key] = t.Value
	}
	return nil
}

// fill points x's commitment and tag columns to e, as r says.
func (e *extra) fill(x *row, r *Record) {
	// parquet-go writes an optional field's zero value, "", as null.
	x.PricingTerm, x.InstanceType, x.VolumeType = r.PricingTerm, r.InstanceType, r.VolumeType
	if r.RIUnused != nil {
		x.RIUnusedUpfrontFee, x.RIUnusedRecurringFee = &e.riUpfront, &e.riRecurring
	}
	if r.SPCommitment != nil {
		x.SPTotalCommitment, x.SPUsedCommitment = &e.spTotal, &e.spUsed
	}
	if len(r.ResourceTags) > 0 {
		x.ResourceTags = e.tags
	}
}
