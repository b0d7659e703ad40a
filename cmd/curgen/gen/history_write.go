package gen

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/curpipe/curpipe/transforms/totals"
)

// Write writes h under out as a CUR 1.0 CSV export: one gzip file per
// delivery in its assembly folder, each with its manifest, and the current
// version's manifest in each date-range folder, every file dated as
// delivered. Result.Totals are the expected totals of the current
// versions, as Totals returns them.
func (h *HistoryData) Write(ctx context.Context, out string) (*Result, error) {
	res := &Result{Totals: make(totals.Table)}
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	var wg sync.WaitGroup
	for range h.Config.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for di := range next {
				var table totals.Table
				if h.deliveries[di].current {
					table = make(totals.Table)
				}
				rows, csvBytes, stored, err := h.writeDelivery(ctx, out, di, table)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				for k, s := range table {
					res.Totals.Merge(k, *s)
				}
				if table != nil {
					res.Rows += rows
				} else {
					res.OlderRows += rows
				}
				res.CSVBytes += csvBytes
				res.StoredBytes += stored
				mu.Unlock()
			}
		}()
	}
	for di := range h.deliveries {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		next <- di
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return nil, firstErr
	}
	for _, dv := range h.deliveries {
		res.DataFiles = append(res.DataFiles, dv.path)
		m := h.d.cur1Manifest(dv.per, dv.version, []string{dv.path})
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("curgen: manifest %s: %w", dv.manifest, err)
		}
		names := []string{dv.manifest}
		if dv.current {
			names = append(names, path.Join(h.d.rangeDir(dv.per), h.Config.Report+"-Manifest.json"))
		}
		for _, name := range names {
			if err := writeDated(out, name, b, dv.mtime); err != nil {
				return nil, err
			}
			res.OtherFiles = append(res.OtherFiles, name)
		}
	}
	sort.Strings(res.DataFiles)
	return res, nil
}

// writeDelivery writes the data file of delivery di, adding its line
// items to table when not nil. It returns the rows, the uncompressed CSV
// bytes and the bytes stored.
func (h *HistoryData) writeDelivery(ctx context.Context, out string, di int, table totals.Table) (int64, int64, int64, error) {
	dv := &h.deliveries[di]
	name := filepath.Join(out, filepath.FromSlash(dv.path))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return 0, 0, 0, fmt.Errorf("curgen: %w", err)
	}
	f, err := os.Create(name)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("curgen: %w", err)
	}
	var rows int64
	each := func(write func(*item) error) error {
		var it item
		var err error
		h.lines(di, func(ln *hline) {
			if err != nil {
				return
			}
			if rows%8192 == 0 {
				if err = ctx.Err(); err != nil {
					return
				}
			}
			if err = h.item(&it, ln); err == nil {
				err = write(&it)
			}
			if err == nil && table != nil {
				err = it.account(table)
			}
			rows++
		})
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	notes := rand.New(rand.NewPCG(h.Config.Seed^0x6e6f746174696f6e, mix(uint64(di)|1<<50)))
	n, err := writeCSV(bw, h.Config.Level, notes, each)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(name, dv.mtime, dv.mtime)
	}
	if err != nil {
		os.Remove(name)
		return 0, 0, 0, fmt.Errorf("curgen: write %s: %w", name, err)
	}
	st, err := os.Stat(name)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("curgen: %w", err)
	}
	return rows, n, st.Size(), nil
}

// Totals returns the expected totals of h's current report versions, as
// Write's Result holds them, without writing anything.
func (h *HistoryData) Totals() (totals.Table, error) {
	t := make(totals.Table)
	var it item
	var err error
	for di, dv := range h.deliveries {
		if !dv.current {
			continue
		}
		h.lines(di, func(ln *hline) {
			if err == nil {
				if err = h.item(&it, ln); err == nil {
					err = it.account(t)
				}
			}
		})
	}
	return t, err
}

// WriteExpect writes t as daily.csv and daily_detail.csv in dir, as the
// package's WriteExpect does, and h's labels as labels.csv beside them.
func (h *HistoryData) WriteExpect(dir string, t totals.Table) error {
	if err := WriteExpect(dir, t); err != nil {
		return err
	}
	name := filepath.Join(dir, "labels.csv")
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("curgen: %w", err)
	}
	w := bufio.NewWriter(f)
	err = h.WriteLabels(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("curgen: write %s: %w", name, err)
	}
	return nil
}

// item fills it with line ln, as CUR writes such a line.
func (h *HistoryData) item(it *item, ln *hline) error {
	s := ln.s
	if ln.unb >= maxUnits || ln.unb <= -maxUnits {
		return fmt.Errorf("curgen: a line of %s/%s/%s is too big for a double's digits", s.payer.id, s.acct.id, s.svc.code)
	}
	*it = item{typ: historyLineTypes[ln.kind], payer: s.payer, acct: s.acct, per: ln.per, svc: s.svc,
		billType: "Anniversary", billingEntity: "AWS", term: "OnDemand"}
	ids := rand.New(rand.NewPCG(h.Config.Seed^mix(s.id), uint64(ln.day)<<16|uint64(ln.comp+1)<<4|uint64(ln.kind)))
	it.id = lineItemID(ids)
	cost := asFloat(ln.unb)
	it.cost, it.blended = val(cost), val(cost)
	if ln.netSet {
		it.net = val(asFloat(ln.net))
	}
	day := h.Days[ln.day]
	switch ln.kind {
	case lineUsage, lineCredit:
		p := s.comps[ln.comp]
		it.prof = p
		it.start, it.end = day, day.Add(time.Duration(ln.hours)*time.Hour)
		it.usageType, it.operation, it.desc = p.usageType, p.operation, p.desc
		it.rate, it.blendedRate, it.pubRate = val(p.rate), val(p.rate), val(p.rate)
		it.usage = val(math.Abs(cost) / p.rate)
		if p.unit == "Hrs" {
			it.az = p.region.code + string(rune('a'+ln.comp%3))
		}
		if ln.netSet {
			it.netRate = val(p.rate * (1 - s.payer.discount))
		}
		it.resource = s.resources[ln.comp]
		if it.resource != "" {
			it.tags = s.tags
		}
		if ln.kind == lineCredit {
			it.desc = "AWS Credits, promotional (Activate)"
		} else {
			it.pubCost = val(cost)
		}
	case lineRefund:
		it.start, it.end = day, day.Add(24*time.Hour)
		it.billType, it.desc = "Refund", "Refund for service disruption, partial"
	case lineTax:
		it.start, it.end = ln.per.start, ln.per.end
		it.usage, it.taxType = val(1), s.payer.taxType
		it.desc = "Tax for product code " + s.svc.code
	case lineSupport:
		it.start, it.end = ln.per.start, ln.per.end
		it.desc = "AWS Support (Business) fee"
	case lineRIFee:
		h.riFee(it, ln)
	}
	return nil
}

// riFee fills a monthly RI fee: a no-upfront reservation of the series'
// first component's instance type, a little of it unused.
func (h *HistoryData) riFee(it *item, ln *hline) {
	s := ln.s
	p := s.comps[0]
	itype := p.product[productIndex["instanceType"]]
	if itype == "" {
		itype = "m5.large"
	}
	n := s.id % 40
	it.start, it.end = ln.per.start, ln.per.end
	it.usageType = p.region.prefix + "HeavyUsage:" + itype
	it.desc = fmt.Sprintf("USD %s hourly fee per Linux/UNIX (Amazon VPC), %s instance", trimRate(asFloat(s.riHourly)), itype)
	it.riARN = fmt.Sprintf("arn:aws:ec2:%s:%s:reserved-instances/%08x-%04x-4%03x-8%03x-%012x",
		p.region.code, s.acct.id, n*7919, n, n, n, s.id*104729)
	it.riStart = ln.per.start.AddDate(0, -int(n%11), 0).Format("2006-01-02T15:04:05.000Z")
	it.riEnd = ln.per.start.AddDate(1, -int(n%11), 0).Format("2006-01-02T15:04:05.000Z")
	it.riModStatus, it.riSubID = "Original", fmt.Sprint(1000000000+n*7)
	hours := float64(24 * ln.per.days)
	it.riCount = val(float64(1 + n%10))
	it.riUnits = val(hours * float64(1+n%10))
	it.riNormUnits = val(4 * hours * float64(1+n%10))
	it.riUnusedQty = val(float64(n % 6))
	it.riUnusedUpfront = val(0)
	it.riUnusedRecur = val(asFloat(ln.unb * int64(n%6) / 100))
	it.riAmortPeriod = val(0)
}
