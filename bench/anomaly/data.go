package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

// history is the exact daily net unblended cost of every series of a
// daily_detail.csv: one per (payer, usage account, service) and one per
// payer total, each from its payer's first day.
type history struct {
	first, last anomaly.Day   // the first and last day of the file
	keys        []anomaly.Key // every series, payer totals included, sorted
	series      map[anomaly.Key]*anomaly.Series
	payerStart  map[string]anomaly.Day // the first day of each payer's rows
}

type cell struct {
	day  anomaly.Day
	key  anomaly.Key
	cost decimal.Decimal
}

// readDetail reads a daily_detail.csv into the history it holds.
func readDetail(r io.Reader) (*history, error) {
	cells, err := scanCells(r)
	if err != nil {
		return nil, err
	}
	return newHistory(cells)
}

// scanCells reads the net unblended cost of each row of a
// daily_detail.csv. Every row of a payer must be in one currency: a total
// across currencies means nothing.
func scanCells(r io.Reader) ([]cell, error) {
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
		if d.Account == "" && d.Service == "" {
			bad = fmt.Errorf("payer %s, %s: a row with neither usage account nor service", d.Payer, d.Day)
			return
		}
		if c, ok := currency[d.Payer]; ok && c != d.Currency {
			bad = fmt.Errorf("payer %s has rows in %s and %s", d.Payer, c, d.Currency)
			return
		}
		currency[d.Payer] = d.Currency
		cells = append(cells, cell{day, anomaly.Key{Payer: d.Payer, Account: d.Account, Service: d.Service}, s.NetUnblended})
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return nil, fmt.Errorf("daily detail: %w", err)
	}
	if len(cells) == 0 {
		return nil, fmt.Errorf("daily detail: no rows")
	}
	return cells, nil
}

// newHistory builds the series of cells, and the payers' totals.
func newHistory(cells []cell) (*history, error) {
	h := &history{first: cells[0].day, last: cells[0].day, series: map[anomaly.Key]*anomaly.Series{}, payerStart: map[string]anomaly.Day{}}
	for _, c := range cells {
		h.first, h.last = min(h.first, c.day), max(h.last, c.day)
		if s, ok := h.payerStart[c.key.Payer]; !ok || c.day < s {
			h.payerStart[c.key.Payer] = c.day
		}
	}
	for _, c := range cells {
		for _, k := range []anomaly.Key{c.key, anomaly.PayerTotal(c.key.Payer)} {
			s := h.series[k]
			if s == nil {
				s = anomaly.NewSeries(k, h.payerStart[k.Payer])
				h.series[k] = s
			}
			if err := s.Add(c.day, c.cost); err != nil {
				return nil, err
			}
		}
	}
	h.keys = slices.SortedFunc(maps.Keys(h.series), compareKeys)
	return h, nil
}

// compareKeys orders keys by payer, usage account and service (a payer's
// total first).
func compareKeys(a, b anomaly.Key) int {
	return cmp.Or(strings.Compare(a.Payer, b.Payer), strings.Compare(a.Account, b.Account), strings.Compare(a.Service, b.Service))
}
