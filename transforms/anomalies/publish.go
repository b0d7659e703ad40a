package anomalies

import (
	"context"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"

	"github.com/curpipe/curpipe/io/snsio"
	"github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/decimal"
)

// advance merges what the evaluation found with what was stored: a stored
// anomaly within first..last that is found no more is resolved, a
// found one advances from its stored record. Each announcement is
// published before its record says so; one that cannot be sent leaves the
// record as it was, to be announced at the next evaluation. It returns
// the records to store (every one evaluated) and those whose status or
// announcement changed.
func (f *evaluateFn) advance(ctx context.Context, policy alert.Policy, stored []alert.Record, found []alert.Anomaly, first, last string) (save, changed []alert.Record) {
	byID := make(map[string]*alert.Record, len(stored))
	for i := range stored {
		byID[stored[i].ID()] = &stored[i]
	}
	seen := map[string]bool{}
	step := func(prev *alert.Record, now *alert.Anomaly) {
		rec, announce := policy.Advance(prev, now)
		if announce != "" && !f.announce(ctx, rec, announce) {
			if prev == nil {
				rec.Published, rec.Told, rec.Status = false, decimal.Decimal{}, alert.Open
			} else {
				rec = *prev
				if now != nil {
					rec.Anomaly = *now
				}
			}
			announce = ""
		}
		if prev == nil || announce != "" || prev.Status != rec.Status || prev.Published != rec.Published {
			changed = append(changed, rec)
		}
		save = append(save, rec)
	}
	for i := range found {
		a := &found[i]
		seen[a.ID()] = true
		step(byID[a.ID()], a)
	}
	for i := range stored {
		r := &stored[i]
		if seen[r.ID()] {
			continue
		}
		if r.Status == alert.Resolved || r.End < first || r.Start > last {
			continue // not re-evaluated: its days were not replayed
		}
		step(r, nil)
	}
	return save, changed
}

// announce publishes rec's announcement, and reports whether it was sent.
// Without a topic nothing is sent and the announcement counts as made:
// the record is the alert.
func (f *evaluateFn) announce(ctx context.Context, rec alert.Record, status alert.Status) bool {
	if f.pub == nil {
		return true
	}
	m, err := alert.Compose(rec.Anomaly, status)
	if err != nil {
		log.Errorf(ctx, "anomalies: %v", err)
		return false
	}
	id, err := f.pub.Publish(ctx, snsio.Message{Subject: m.Subject, Body: []byte(m.Body), Attributes: m.Attributes,
		GroupID: rec.Payer, DedupID: rec.ID() + "|" + string(status) + "|" + rec.Impact.String()})
	if err != nil {
		log.Errorf(ctx, "anomalies: publish %s (%s) to %s: %v; announced at the next evaluation", rec.ID(), status, f.Opts.Topic, err)
		return false
	}
	log.Infof(ctx, "anomalies: %s: %s (message %s)", status, m.Subject, id)
	return true
}
