package findings

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// maxUsageTypes bounds the usage types a resource keeps as evidence. The
// smallest ones are kept, so that the set does not depend on the order
// of lines or merges.
const maxUsageTypes = 8

// Acc accumulates the billing lines the rules read, per resource and
// usage day. The zero value is empty and ready to use. An Acc is not safe
// for concurrent use.
type Acc struct {
	res map[key]*resource

	// The day of the last UsageStart formatted: a report's lines come
	// day by day, and a string a line would be an allocation a line.
	lastY   int
	lastM   time.Month
	lastD   int
	lastDay string
}

// key identifies one tracked resource.
type key struct {
	kind    kind
	payer   string
	account string
	region  string
	id      string
}

// resource holds a tracked resource's sums per usage day.
type resource struct {
	detail     string   // instance or volume type; the greatest seen, so merges agree
	usageTypes []string // sorted, at most maxUsageTypes
	days       map[string]*cell
}

// cell holds one day's sums of one resource; slotNames says what each
// slot holds for the resource's kind.
type cell [nSlots]decimal.Decimal

// Add adds a line. A line no rule reads is dismissed at once and costs
// next to nothing. Add fails, and leaves the Acc as it was, only for a line
// a rule reads whose usage day is not a date.
func (a *Acc) Add(l *Line) error {
	t := classify(l)
	if t.kind == kindNone {
		return nil
	}
	day := l.UsageDay
	switch {
	case day != "" && day != a.lastDay:
		// The caller's string may alias a buffer: keep a copy, which
		// the next lines of the day share.
		a.lastY, a.lastDay = 0, strings.Clone(day)
		day = a.lastDay
	case day != "":
		day = a.lastDay
	case !l.UsageStart.IsZero():
		day = a.dayOf(l.UsageStart)
	}
	if !validDay(day) {
		return fmt.Errorf("findings: usage day %q of %s line for %s: not YYYY-MM-DD", day, l.UsageType, t.id)
	}
	r := a.resource(key{kind: t.kind, payer: l.Payer, account: l.UsageAccount, region: l.Region, id: t.id})
	c := r.cell(day)
	switch t.kind {
	case kindReservedInstance:
		c[0] = c[0].Add(l.UnusedAmortizedUpfrontFee)
		c[1] = c[1].Add(l.UnusedRecurringFee)
		c[2] = c[2].Add(l.AmortizedUpfrontFee)
		c[3] = c[3].Add(l.UnblendedCost)
	case kindSavingsPlan:
		c[0] = c[0].Add(l.TotalCommitment)
		c[1] = c[1].Add(l.UsedCommitment)
	default:
		if t.amount >= 0 {
			c[t.amount] = c[t.amount].Add(l.UsageAmount)
		}
		if t.cost >= 0 {
			c[t.cost] = c[t.cost].Add(l.UnblendedCost)
		}
	}
	if d := detailOf(t.kind, l); d > r.detail {
		r.detail = strings.Clone(d)
	}
	r.addUsageType(l.UsageType)
	return nil
}

// dayOf returns t's UTC date, YYYY-MM-DD.
func (a *Acc) dayOf(t time.Time) string {
	y, m, d := t.UTC().Date()
	if y != a.lastY || m != a.lastM || d != a.lastD || a.lastDay == "" {
		a.lastY, a.lastM, a.lastD = y, m, d
		a.lastDay = t.UTC().Format(time.DateOnly)
	}
	return a.lastDay
}

func (a *Acc) resource(k key) *resource {
	if a.res == nil {
		a.res = map[key]*resource{}
	}
	r, ok := a.res[k]
	if !ok {
		// A line's strings may alias its reader's buffer: what is kept is
		// copied, once per resource and in one string.
		text := k.payer + k.account + k.region + k.id
		next := func(s string) string {
			out := text[:len(s)]
			text = text[len(s):]
			return out
		}
		k.payer, k.account, k.region, k.id = next(k.payer), next(k.account), next(k.region), next(k.id)
		r = &resource{days: map[string]*cell{}}
		a.res[k] = r
	}
	return r
}

func (r *resource) cell(day string) *cell {
	c, ok := r.days[day]
	if !ok {
		c = new(cell)
		r.days[day] = c // owned: Add copies or formats it
	}
	return c
}

// addUsageType adds ut to the sorted, bounded set of usage types.
func (r *resource) addUsageType(ut string) {
	i, found := slices.BinarySearch(r.usageTypes, ut)
	if found || ut == "" || i >= maxUsageTypes {
		return
	}
	r.usageTypes = slices.Insert(r.usageTypes, i, strings.Clone(ut))
	if len(r.usageTypes) > maxUsageTypes {
		r.usageTypes = r.usageTypes[:maxUsageTypes]
	}
}

// detailOf is the product attribute a finding of kind k shows.
func detailOf(k kind, l *Line) string {
	switch k {
	case kindPreviousGeneration:
		return instanceType(l)
	case kindGP2Volume:
		if l.VolumeType != "" {
			return l.VolumeType
		}
		return "gp2"
	}
	return ""
}

// Merge adds b's sums into a. Addition is exact, so merging partial
// accumulators in any order gives the same Acc. b is left as it was.
func (a *Acc) Merge(b *Acc) {
	for k, rb := range b.res {
		ra := a.resource(k)
		if rb.detail > ra.detail {
			ra.detail = rb.detail
		}
		for _, ut := range rb.usageTypes {
			ra.addUsageType(ut)
		}
		for day, cb := range rb.days {
			ca := ra.cell(day)
			for i := range ca {
				ca[i] = ca[i].Add(cb[i])
			}
		}
	}
}

// Len returns the number of resources tracked.
func (a *Acc) Len() int { return len(a.res) }

// FirstSeen returns the first usage day each tracked snapshot was billed
// on in this Acc, by resource id. A caller keeps the earliest across
// billing periods and passes it back in Config.FirstSeen, since the rule
// for old snapshots looks back further than one report.
func (a *Acc) FirstSeen() map[string]string {
	out := map[string]string{}
	for k, r := range a.res {
		if k.kind != kindSnapshot {
			continue
		}
		first := minDay(r.days)
		if old, ok := out[k.id]; !ok || first < old {
			out[k.id] = first
		}
	}
	return out
}
