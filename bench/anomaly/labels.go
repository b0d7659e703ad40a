package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/big"
	"slices"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
)

// labelHeader is the header of labels.csv.
var labelHeader = []string{"kind", "payer_account_id", "usage_account_id", "service", "start_date", "end_date", "expected_per_day", "impact_per_day", "group"}

// label is one planted event.
type label struct {
	line       int // in labels.csv
	kind       string
	key        anomaly.Key // Account or Service empty: every series of the payer or account
	start, end anomaly.Day // inclusive
	expected   decimal.Decimal
	impact     decimal.Decimal
	group      string
	// material: |impact| >= max(50, 20% of |expected|). Only material
	// events must be found; an alert on a small one is neither true nor
	// false.
	material bool
}

// restated is the kind of a spike that only an older report version held:
// the current totals do not have it.
const restated = "restated_spike"

// current reports whether the event is in the current totals (all but a
// restated spike).
func (l *label) current() bool { return l.kind != restated }

// covers reports whether the series k is the label's (a label with an
// empty account or service covers the payer's or account's series; a
// payer total is covered by no label).
func (l *label) covers(k anomaly.Key) bool {
	return !k.IsPayerTotal() && k.Payer == l.key.Payer &&
		(l.key.Account == "" || l.key.Account == k.Account) && (l.key.Service == "" || l.key.Service == k.Service)
}

// matches reports whether an alert starting on day d falls in the label's
// window, [start, end+1]: a change is often first seen the day after it.
func (l *label) matches(d anomaly.Day) bool { return d >= l.start && d <= l.end+1 }

// readLabels reads labels.csv.
func readLabels(r io.Reader) ([]*label, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(labelHeader)
	h, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("labels: header: %w", err)
	}
	if !slices.Equal(h, labelHeader) {
		return nil, fmt.Errorf("labels: header %v, want %v", h, labelHeader)
	}
	var out []*label
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("labels: %w", err)
		}
		line, _ := cr.FieldPos(0)
		l := &label{line: line, kind: rec[0], key: anomaly.Key{Payer: rec[1], Account: rec[2], Service: rec[3]}, group: rec[8]}
		if l.start, err = anomaly.ParseDay(rec[4]); err == nil {
			l.end, err = anomaly.ParseDay(rec[5])
		}
		if err == nil {
			l.expected, err = decimal.Parse(rec[6])
		}
		if err == nil {
			l.impact, err = decimal.Parse(rec[7])
		}
		if err != nil {
			return nil, fmt.Errorf("labels: line %d: %w", line, err)
		}
		if l.key.Payer == "" || l.end < l.start {
			return nil, fmt.Errorf("labels: line %d: no payer, or an end before the start", line)
		}
		l.material = material(l.impact, l.expected)
		out = append(out, l)
	}
}

// material reports whether |impact| >= max(50, 20% of |expected|), exactly.
func material(impact, expected decimal.Decimal) bool {
	i, _ := new(big.Rat).SetString(impact.String())
	e, _ := new(big.Rat).SetString(expected.String())
	i.Abs(i)
	e.Abs(e)
	e.Mul(e, big.NewRat(1, 5))
	return i.Cmp(big.NewRat(50, 1)) >= 0 && i.Cmp(e) >= 0
}
