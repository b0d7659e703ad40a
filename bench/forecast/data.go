package main

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

// history is the exact daily cost of every series of a daily_detail.csv,
// one per (payer, usage account, service) and one per payer total, each
// from its payer's first day, in one measure.
type history struct {
	first, last anomaly.Day
	keys        []anomaly.Key
	series      map[anomaly.Key]*anomaly.Series
}

type cell struct {
	day  anomaly.Day
	key  anomaly.Key
	cost decimal.Decimal
}

// measures name the cost a backtest forecasts.
var measures = map[string]func(totals.Sums) decimal.Decimal{
	"net_unblended": func(s totals.Sums) decimal.Decimal { return s.NetUnblended },
	"amortized":     func(s totals.Sums) decimal.Decimal { return s.Amortized },
}

// readDetail reads one measure of a daily_detail.csv. Every row of a
// payer must be in one currency.
func readDetail(r io.Reader, measure string) (*history, error) {
	pick, ok := measures[measure]
	if !ok {
		return nil, fmt.Errorf("unknown measure %q", measure)
	}
	var cells []cell
	currency := map[string]string{}
	var bad error
	err := totals.ScanDetail(r, func(d totals.Dims, s totals.Sums) {
		if bad != nil {
			return
		}
		day, err := anomaly.ParseDay(d.Day)
		if err != nil {
			bad = err
			return
		}
		if c, ok := currency[d.Payer]; ok && c != d.Currency {
			bad = fmt.Errorf("payer %s has rows in %s and %s", d.Payer, c, d.Currency)
			return
		}
		currency[d.Payer] = d.Currency
		cells = append(cells, cell{day, anomaly.Key{Payer: d.Payer, Account: d.Account, Service: d.Service}, pick(s)})
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return nil, fmt.Errorf("daily detail: %w", err)
	}
	return newHistory(cells)
}

// newHistory builds the series of cells and the payers' totals.
func newHistory(cells []cell) (*history, error) {
	if len(cells) == 0 {
		return nil, fmt.Errorf("daily detail: no rows")
	}
	h := &history{first: cells[0].day, last: cells[0].day, series: map[anomaly.Key]*anomaly.Series{}}
	start := map[string]anomaly.Day{}
	for _, c := range cells {
		h.first, h.last = min(h.first, c.day), max(h.last, c.day)
		if s, ok := start[c.key.Payer]; !ok || c.day < s {
			start[c.key.Payer] = c.day
		}
	}
	for _, c := range cells {
		for _, k := range []anomaly.Key{c.key, anomaly.PayerTotal(c.key.Payer)} {
			s := h.series[k]
			if s == nil {
				s = anomaly.NewSeries(k, start[k.Payer])
				h.series[k] = s
			}
			if err := s.Add(c.day, c.cost); err != nil {
				return nil, err
			}
		}
	}
	h.keys = slices.SortedFunc(maps.Keys(h.series), func(a, b anomaly.Key) int {
		return cmp.Or(strings.Compare(a.Payer, b.Payer), strings.Compare(a.Account, b.Account), strings.Compare(a.Service, b.Service))
	})
	return h, nil
}

// labelHeader is the header of curgen's labels.csv.
var labelHeader = []string{"kind", "payer_account_id", "usage_account_id", "service", "start_date", "end_date", "expected_per_day", "impact_per_day", "group"}

// event is where a planted event is: a series (or, with an empty account
// or service, every series of a payer or account).
type event struct {
	key        anomaly.Key
	start, end anomaly.Day
	current    bool // in the current totals: all but a restated spike
}

func (e event) covers(k anomaly.Key) bool {
	return k.Payer == e.key.Payer && (e.key.Account == "" || e.key.Account == k.Account) &&
		(e.key.Service == "" || e.key.Service == k.Service)
}

// readEvents reads labels.csv.
func readEvents(r io.Reader) ([]event, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(labelHeader)
	h, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("labels: header: %w", err)
	}
	if !slices.Equal(h, labelHeader) {
		return nil, fmt.Errorf("labels: header %v, want %v", h, labelHeader)
	}
	var out []event
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("labels: %w", err)
		}
		e := event{key: anomaly.Key{Payer: rec[1], Account: rec[2], Service: rec[3]}, current: rec[0] != "restated_spike"}
		if e.start, err = anomaly.ParseDay(rec[4]); err == nil {
			e.end, err = anomaly.ParseDay(rec[5])
		}
		switch {
		case err != nil:
		case e.key.Payer == "":
			err = fmt.Errorf("no payer")
		case e.end < e.start:
			err = fmt.Errorf("end %v before start %v", e.end, e.start)
		}
		if err != nil {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("labels: line %d: %w", line, err)
		}
		out = append(out, e)
	}
}
