package alert

import "github.com/curpipe/curpipe/transforms/decimal"

// Policy is what decides, beyond the thresholds, whether a change of an
// anomaly is announced.
type Policy struct {
	Thresholds Thresholds
	// Horizon is the first day whose anomalies are announced: an anomaly
	// ending before it (a backfill of old months) is recorded, not
	// published, so that nobody is paged for the past.
	Horizon string
}

// Advance returns what to store for an anomaly and what to announce, given
// its previous record (nil when it is new) and its figures now (nil when
// the days it covered are no longer anomalous). announce is "" when
// nothing is to be sent: redelivered, rerun or re-evaluated days that
// change nothing material announce nothing.
//
// An anomaly is announced once when it first passes the thresholds within
// the horizon, once more each time its impact at least doubles since it
// was last announced by at least the minimum impact, and once when it is
// resolved, if it was announced.
func (p Policy) Advance(prev *Record, now *Anomaly) (rec Record, announce Status) {
	switch {
	case now == nil && prev == nil:
		return Record{}, ""
	case now == nil:
		rec = *prev
		if prev.Status == Resolved {
			return rec, ""
		}
		rec.Status = Resolved
		if prev.Published {
			return rec, Resolved
		}
		return rec, ""
	}
	rec = Record{Anomaly: *now, Status: Open}
	publishable := p.Thresholds.Pass(*now) && now.End >= p.Horizon
	switch {
	case prev == nil || prev.Status == Resolved || !prev.Published:
		if publishable {
			rec.Published, rec.Told = true, now.Impact
			return rec, Open
		}
		return rec, ""
	}
	rec.Published, rec.Told, rec.Status = true, prev.Told, prev.Status
	if publishable && p.grew(prev.Told, now.Impact) {
		rec.Told, rec.Status = now.Impact, Grown
		return rec, Grown
	}
	return rec, ""
}

// grew reports whether an impact grew materially since told: the same
// way, to at least twice as far, by at least the minimum impact.
func (p Policy) grew(told, now decimal.Decimal) bool {
	if told.Sign() != now.Sign() || told.Sign() == 0 {
		return false
	}
	t, n := abs(told), abs(now)
	return n.Cmp(t.Add(t)) >= 0 && n.Sub(t).Cmp(p.Thresholds.MinImpact) >= 0
}
