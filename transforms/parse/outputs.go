package parse

// What a file's parse writes besides its sums: its curated rows (the
// Parquet lake) and the rows it quarantines under --max-bad-rows.

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/cur"
	"github.com/curpipe/curpipe/transforms/curated"
	"github.com/curpipe/curpipe/transforms/tabular"
)

// periodOf returns the billing period a line item's curated row goes to.
func (p *fileParser) periodOf(it *cur.Item) string {
	if it.BillingPeriod != "" {
		return it.BillingPeriod
	}
	return p.task.BillingPeriod
}

func isRowError(err error) bool {
	var re *tabular.RowError
	return errors.As(err, &re)
}

// badRow fails the file, or, within the allowance, records the row in the
// quarantine file so that nothing is dropped unseen.
func (p *fileParser) badRow(ctx context.Context, pos int64, cause error) error {
	p.bad++
	if p.bad > p.opts.MaxBadRows {
		if p.opts.MaxBadRows == 0 {
			return cause
		}
		return fmt.Errorf("more than %d bad rows (--max-bad-rows); the last: %w", p.opts.MaxBadRows, cause)
	}
	if p.opts.Output == "" {
		return nil
	}
	if p.quarantine == nil {
		p.quarantineURL = lake.QuarantineURL(p.opts.Output, p.task.ReportKey, p.task.VersionKey, p.task.Index)
		store, err := objstore.For(p.quarantineURL)
		if err != nil {
			return err
		}
		if p.quarantine, err = store.Create(ctx, p.quarantineURL); err != nil {
			return fmt.Errorf("create %s: %w", p.quarantineURL, err)
		}
		p.quarantineCSV = csv.NewWriter(p.quarantine)
		p.quarantineCSV.Write([]string{"source_object", "line", "reason"})
	}
	return p.quarantineCSV.Write([]string{p.task.URL, strconv.FormatInt(pos, 10), cause.Error()})
}

// writeFindings writes what the file gathered for the savings rules,
// whole or not at all, to be merged with its siblings' once the report
// commits.
func (p *fileParser) writeFindings(ctx context.Context) error {
	b, err := p.found.MarshalBinary()
	if err != nil {
		return fmt.Errorf("findings of %s: %w", p.task.URL, err)
	}
	u := lake.FindingsPartialURL(p.opts.Output, p.task.ReportKey, p.task.VersionKey, p.task.Index)
	if err := objstore.WriteAll(ctx, u, b); err != nil {
		return fmt.Errorf("findings of %s: %w", p.task.URL, err)
	}
	p.findingsURL = u
	return nil
}

// curatedBase names a file's curated output: stable for a report version
// and file, so a rerun overwrites instead of duplicating, and distinct per
// version, so a new version never clobbers the files still being read.
func (p *fileParser) curatedBase() string {
	t := p.task
	return fmt.Sprintf("%s-%s-%s-%05d", safeName(t.ReportName), t.ReportKey, t.VersionKey, t.Index)
}

func (p *fileParser) openCurated(ctx context.Context) func(string) (io.WriteCloser, error) {
	return func(rel string) (io.WriteCloser, error) {
		u := lake.CuratedURL(p.opts.Output, rel)
		store, err := objstore.For(u)
		if err != nil {
			return nil, err
		}
		w, err := store.Create(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", u, err)
		}
		p.writers = append(p.writers, w)
		return w, nil
	}
}

// fillRecord copies a line item into a curated record. The item's strings
// alias the reader's buffer, valid until its next row, while the Parquet
// writer may hold a row until it flushes: the record gets its own copies,
// all of its text in one string, since a copy per field was a dozen
// allocations a row.
func (p *fileParser) fillRecord(r *curated.Record, it *cur.Item, pos int64) {
	fields := [...]string{it.Provider, it.Payer, it.Account, it.Service, it.LineItemType, it.UsageType,
		it.Operation, it.Region, it.ResourceID, it.Description, it.Currency, it.PricingTerm,
		it.InstanceType, it.VolumeType}
	n := 0
	for _, f := range fields {
		n += len(f)
	}
	for _, t := range it.Tags {
		n += len(t.Key) + len(t.Value)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(f)
	}
	for _, t := range it.Tags {
		b.WriteString(t.Key)
		b.WriteString(t.Value)
	}
	text := b.String()
	next := func(s string) string {
		out := text[:len(s)]
		text = text[len(s):]
		return out
	}
	for i, f := range fields {
		fields[i] = next(f)
	}
	tags := r.ResourceTags[:0]
	for _, t := range it.Tags {
		tags = append(tags, curated.Tag{Key: next(t.Key), Value: next(t.Value)})
	}
	*r = curated.Record{
		UsageStart:     it.UsageStart,
		UsageEnd:       it.UsageEnd,
		Provider:       fields[0],
		PayerAccountID: fields[1],
		UsageAccountID: fields[2],
		Service:        fields[3],
		LineItemType:   fields[4],
		UsageType:      fields[5],
		Operation:      fields[6],
		Region:         fields[7],
		ResourceID:     fields[8],
		Description:    fields[9],
		Currency:       fields[10],
		UsageAmount:    it.UsageAmount,
		HasUsageAmount: it.HasUsageAmount,
		UnblendedCost:  it.Unblended,
		NetUnblended:   it.NetUnblended,
		AmortizedCost:  it.Amortized,
		ReportID:       p.task.ReportID,
		ReportVersion:  p.task.Version,
		SourceObject:   p.task.URL,
		SourceLine:     pos,

		PricingTerm:  fields[11],
		InstanceType: fields[12],
		VolumeType:   fields[13],
		ResourceTags: tags,
	}
	// Few lines carry commitment figures: a Record only points to them.
	if it.HasRIUnused {
		r.RIUnused = &curated.RIUnused{UpfrontFee: it.RIUnusedUpfront, RecurringFee: it.RIUnusedRecurring}
	}
	if it.HasSPCommitment {
		r.SPCommitment = &curated.SPCommitment{Total: it.SPTotalCommitment, Used: it.SPUsedCommitment}
	}
}

// safeName keeps a report name usable in an object key.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
	if len(s) > 60 {
		s = s[:60]
	}
	if s == "" {
		s = "report"
	}
	return s
}
