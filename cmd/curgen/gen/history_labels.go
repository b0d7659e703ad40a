package gen

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// summarize fills the exported fields from the model: each series' costs
// in the current deliveries, the labels with their exact figures, and the
// deliveries. It checks that every label is on the intended side of the
// materiality bar.
func (h *HistoryData) summarize() error {
	sort.SliceStable(h.ser, func(i, j int) bool {
		a, b := h.ser[i], h.ser[j]
		if a.payer.id != b.payer.id {
			return a.payer.id < b.payer.id
		}
		if a.acct.id != b.acct.id {
			return a.acct.id < b.acct.id
		}
		return a.svc.code < b.svc.code
	})
	index := make(map[*hseries]int, len(h.ser))
	costs := make([][]int64, len(h.ser))
	for i, s := range h.ser {
		index[s] = i
		costs[i] = make([]int64, h.Config.Days)
	}
	for di, dv := range h.deliveries {
		if dv.current {
			h.lines(di, func(ln *hline) { costs[index[ln.s]][ln.day] += ln.net })
		}
	}
	h.Series = make([]HistorySeries, len(h.ser))
	planted := make([][]int64, len(h.ser))
	for i, s := range h.ser {
		planted[i] = make([]int64, h.Config.Days)
		for t := range planted[i] {
			if s.isNew {
				planted[i][t] = costs[i][t]
				continue
			}
			for c := range s.comps {
				if x := s.extra[s.at(t, c)]; x != 0 {
					u := s.usage[s.at(t, c)]
					planted[i][t] += netOf(s.payer, u+x) - netOf(s.payer, u)
				}
			}
		}
		hs := HistorySeries{Payer: s.payer.id, Account: s.acct.id, Service: s.svc.code, Currency: s.payer.currency,
			Monthly: s.monthly, Cost: make([]decimal.Decimal, h.Config.Days), Planted: make([]decimal.Decimal, h.Config.Days)}
		for t := range planted[i] {
			hs.Cost[t], hs.Planted[t] = units(costs[i][t]), units(planted[i][t])
		}
		h.Series[i] = hs
	}
	h.Labels = h.Labels[:0]
	for _, e := range h.events {
		i := index[e.s]
		var expected, impact int64
		switch e.kind {
		case KindNewAccount, KindNewService:
			impact = costs[i][e.start]
		case KindRestatedSpike:
			u := e.s.usage[e.s.at(e.start, e.comp)]
			expected = costs[i][e.start]
			impact = netOf(e.s.payer, u+h.restated[restatement{e.delivery, e.s.id, e.start, e.comp}]) - netOf(e.s.payer, u)
		default:
			expected = costs[i][e.start] - planted[i][e.start]
			at := e.start
			if e.kind == KindDrift {
				at = e.end
			}
			impact = planted[i][at]
		}
		if above := 5*abs(impact) >= max(250*unit, expected); above != e.material {
			return fmt.Errorf("%s in %s/%s/%s on %s: impact %s of expected %s is on the wrong side of the materiality bar",
				e.kind, e.s.payer.id, e.s.acct.id, e.s.svc.code, h.Days[e.start].Format(time.DateOnly), units(impact), units(expected))
		}
		h.Labels = append(h.Labels, Label{Kind: e.kind, Payer: e.s.payer.id, Account: e.s.acct.id, Service: e.s.svc.code,
			Start: h.Days[e.start], End: h.Days[e.end], Expected: units(expected), Impact: units(impact), Group: e.group, Material: e.material})
	}
	sortLabels(h.Labels)
	key := map[[3]string]int{}
	for i, s := range h.Series {
		key[[3]string{s.Payer, s.Account, s.Service}] = i
	}
	for li, l := range h.Labels {
		i := key[[3]string{l.Payer, l.Account, l.Service}]
		h.Series[i].Labels = append(h.Series[i].Labels, li)
	}
	h.Deliveries = h.Deliveries[:0]
	for _, dv := range h.deliveries {
		h.Deliveries = append(h.Deliveries, Delivery{Period: dv.per.start, Version: dv.version, ID: dv.id,
			Through: h.Days[dv.last], Hours: dv.hours, Current: dv.current, Delivered: dv.mtime, Path: dv.path, Manifest: dv.manifest})
	}
	return nil
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// WriteLabels writes h's labels as labels.csv: LabelsHeader, then one row
// per label, ordered by start day and series. Figures are exact decimals
// of net unblended cost, dates YYYY-MM-DD.
func (h *HistoryData) WriteLabels(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(LabelsHeader); err != nil {
		return err
	}
	for _, l := range h.Labels {
		row := []string{string(l.Kind), l.Payer, l.Account, l.Service, l.Start.Format(time.DateOnly),
			l.End.Format(time.DateOnly), l.Expected.String(), l.Impact.String(), l.Group}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
