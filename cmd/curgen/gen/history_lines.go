package gen

import (
	"math/rand/v2"
	"path"
	"time"
)

// delivery is one report version of one billing period.
type delivery struct {
	per         *period
	version     int
	first, last int // the days it covers, indexes into the history
	hours       int // hours of day last it holds: 24 when complete
	current     bool
	id          string // assemblyId
	mtime       time.Time
	path        string // the data file below the output folder
	manifest    string // the assembly's manifest
}

// restatement names a component-day of one older delivery that holds a
// spike the next delivery takes back.
type restatement struct {
	delivery int
	series   uint64
	day      int
	comp     int
}

// dayIndex returns the index of day t in the history (may be out of range).
func (h *HistoryData) dayIndex(t time.Time) int {
	return int(t.Sub(h.Config.Start) / (24 * time.Hour))
}

// planDeliveries lays out the report versions of each period: the older
// ones cover the month to date and end on a partial day, delivered a few
// hours after its last billed hour; the current one is complete, delivered
// two days after the month ends (or the day after the history's last day
// for a month in progress).
func (h *HistoryData) planDeliveries() {
	cfg := h.Config
	r := rand.New(rand.NewPCG(cfg.Seed, 0x76657273696f6e))
	for pi := range h.d.periods {
		per := &h.d.periods[pi]
		first := h.dayIndex(per.start)
		monthEnd := h.dayIndex(per.end) - 1
		last := min(cfg.Days-1, monthEnd)
		n := last - first + 1
		vs := min(cfg.Versions, n)
		for v := 0; v < vs; v++ {
			dv := delivery{per: per, version: v, first: first, last: last, hours: 24, current: v == vs-1, id: h.d.versionID(per, v)}
			switch {
			case dv.current && last == monthEnd:
				dv.mtime = per.end.Add(54 * time.Hour)
			case dv.current:
				dv.mtime = h.Days[last].Add(30 * time.Hour)
			default:
				// n/vs >= 1, so each older version holds more days than
				// the one before, and fewer than the current one.
				dv.last = first + (n*(v+1)+vs-1)/vs - 1
				dv.hours = 3 + r.IntN(19)
				dv.mtime = h.Days[dv.last].Add(time.Duration(dv.hours+5) * time.Hour)
			}
			dir := path.Join(h.d.rangeDir(per), dv.id)
			dv.path = path.Join(dir, cfg.Report+"-1.csv.gz")
			dv.manifest = path.Join(dir, cfg.Report+"-Manifest.json")
			h.deliveries = append(h.deliveries, dv)
		}
	}
}

// lineKind is the kind of a history line item.
type lineKind uint8

const (
	lineUsage lineKind = iota
	lineCredit
	lineRefund
	lineTax
	lineSupport
	lineRIFee
)

// lineTypes are lineItem/LineItemType of each lineKind.
var historyLineTypes = [...]string{"Usage", "Credit", "Refund", "Tax", "Fee", "RIFee"}

// hline is one line item of a delivery, in money units.
type hline struct {
	s      *hseries
	day    int
	comp   int // component of a usage or credit line
	kind   lineKind
	unb    int64
	net    int64 // the net unblended measure: net column, or unb
	netSet bool  // the line has net columns (its payer a discount)
	hours  int   // hours of the day a usage or credit line covers
	per    *period
}

// lines calls emit with every line item of delivery di, in a fixed order:
// each day's usage, credits and refunds by series, then the monthly lines
// on the period's 1st (RI fees, tax from the month's charges so far,
// support from the payer's). The line is reused between calls.
func (h *HistoryData) lines(di int, emit func(*hline)) {
	dv := &h.deliveries[di]
	ln := &hline{per: dv.per}
	month := make([]int64, len(h.ser)) // net charges of each series so far
	out := func(s *hseries, si, t, c int, k lineKind, u int64, hours int) {
		*ln = hline{s: s, day: t, comp: c, kind: k, unb: u, net: u, hours: hours, per: dv.per}
		if k == lineUsage || k == lineCredit {
			ln.net, ln.netSet = netOf(s.payer, u), s.payer.discount > 0
		}
		if si >= 0 {
			month[si] += ln.net
		}
		emit(ln)
	}
	for t := dv.first; t <= dv.last; t++ {
		partial, hours := t == dv.last && dv.hours < 24, 24
		if partial {
			hours = dv.hours
		}
		for si, s := range h.ser {
			if s.monthly || t < s.first {
				continue
			}
			for c := range s.comps {
				u := s.usage[s.at(t, c)] + s.extra[s.at(t, c)] + h.restated[restatement{di, s.id, t, c}]
				if partial {
					if u = h.partial(di, s, c, u, dv.hours); u == 0 {
						continue
					}
				}
				out(s, si, t, c, lineUsage, u, hours)
			}
			if s.credit != nil && s.credit[t] != 0 {
				u := s.credit[t]
				if partial {
					u = h.partial(di, s, len(s.comps), u, dv.hours)
				}
				if u != 0 {
					out(s, si, t, 0, lineCredit, u, hours)
				}
			}
			if u := s.refund[t]; u != 0 {
				out(s, si, t, -1, lineRefund, u, 24)
			}
		}
	}
	payers := map[*payer]int64{}
	for si, s := range h.ser {
		if s.monthly {
			continue
		}
		payers[s.payer] += month[si]
		if s.riHourly > 0 {
			days := dv.per.days
			out(s, -1, dv.first, -1, lineRIFee, s.riHourly*24*int64(days), 0)
		}
		// A series new in the month is taxed from the next month on, so
		// that it first shows on its first day of usage.
		if rate := taxRates[s.payer.taxType]; rate > 0 && month[si] > 0 && s.first <= dv.first {
			out(s, -1, dv.first, -1, lineTax, (month[si]*rate+5000)/10000, 0)
		}
	}
	for _, s := range h.ser {
		if s.monthly {
			out(s, -1, dv.first, -1, lineSupport, businessSupport(payers[s.payer]), 0)
		}
	}
}

// partial returns what a component billed u for the whole day shows after
// hours of it: about that share (85% to 100% of it), or nothing for one
// component in five, not billed yet.
func (h *HistoryData) partial(di int, s *hseries, c int, u int64, hours int) int64 {
	x := mix(h.Config.Seed ^ mix(uint64(di)<<40|s.id<<8|uint64(c)))
	if x%5 == 0 {
		return 0
	}
	share := float64(hours) / 24 * (0.85 + 0.15*float64(x>>11)/(1<<53))
	return int64(float64(u) * share)
}

// businessSupport is AWS Support (Business) for a month of charges: the
// greater of 100 and 10% of the first 10,000, 7% up to 80,000, 5% up to
// 250,000 and 3% above.
func businessSupport(charges int64) int64 {
	tiers := []struct{ upTo, bp int64 }{{10_000 * unit, 1000}, {80_000 * unit, 700}, {250_000 * unit, 500}, {1 << 62, 300}}
	var fee, below int64
	for _, tr := range tiers {
		if charges <= below {
			break
		}
		fee += (min(charges, tr.upTo) - below) * tr.bp / 10000
		below = tr.upTo
	}
	return max(fee, 100*unit)
}
