// Package totals holds exact daily cost sums: the per-line-item measures
// added up per day and dimension, their merge, and their CSV form.
package totals

import (
	"strings"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Dims are the dimensions of the detailed daily grain. The coarse grain
// (day, provider, currency) is derived from it by summing.
type Dims struct {
	Day      string // "YYYY-MM-DD", UTC date of the usage start
	Provider string
	Payer    string
	Account  string
	Service  string
	Currency string
}

// DayKey returns the coarse grain of d: its day, provider and currency.
func (d Dims) DayKey() Dims {
	return Dims{Day: d.Day, Provider: d.Provider, Currency: d.Currency}
}

// clone copies d's strings, detaching them from any shared buffer.
func (d Dims) clone() Dims {
	return Dims{Day: strings.Clone(d.Day), Provider: strings.Clone(d.Provider), Payer: strings.Clone(d.Payer),
		Account: strings.Clone(d.Account), Service: strings.Clone(d.Service), Currency: strings.Clone(d.Currency)}
}

// Less orders Dims by their fields in CSV column order.
func (d Dims) Less(e Dims) bool { return d.Compare(e) < 0 }

// Compare orders Dims by their fields in CSV column order: -1, 0 or +1.
func (d Dims) Compare(e Dims) int {
	if c := strings.Compare(d.Day, e.Day); c != 0 {
		return c
	}
	if c := strings.Compare(d.Provider, e.Provider); c != 0 {
		return c
	}
	if c := strings.Compare(d.Payer, e.Payer); c != 0 {
		return c
	}
	if c := strings.Compare(d.Account, e.Account); c != 0 {
		return c
	}
	if c := strings.Compare(d.Service, e.Service); c != 0 {
		return c
	}
	return strings.Compare(d.Currency, e.Currency)
}

// Sums are the measures of a set of line items.
type Sums struct {
	Unblended    decimal.Decimal
	NetUnblended decimal.Decimal
	Amortized    decimal.Decimal
	LineItems    int64
}

// Add returns s + t.
func (s Sums) Add(t Sums) Sums {
	return Sums{
		Unblended:    s.Unblended.Add(t.Unblended),
		NetUnblended: s.NetUnblended.Add(t.NetUnblended),
		Amortized:    s.Amortized.Add(t.Amortized),
		LineItems:    s.LineItems + t.LineItems,
	}
}

// Equal reports whether s and t hold the same figures.
func (s Sums) Equal(t Sums) bool {
	return s.LineItems == t.LineItems && s.Unblended.Equal(t.Unblended) &&
		s.NetUnblended.Equal(t.NetUnblended) && s.Amortized.Equal(t.Amortized)
}

// Table accumulates Sums per Dims. It is what a parser fills while it
// reads a file, so that what leaves the parser is one entry per day and
// dimension, not one per line item.
type Table map[Dims]*Sums

// Add adds the measures of one line item to the entry for d. The strings
// of d may alias a reader's reusable buffer: a new entry's key is cloned,
// and a lookup of an existing one allocates nothing.
func (t Table) Add(d Dims, unblended, net, amortized decimal.Decimal) {
	s := t[d]
	if s == nil {
		s = &Sums{}
		t[d.clone()] = s
	}
	s.Unblended = s.Unblended.Add(unblended)
	s.NetUnblended = s.NetUnblended.Add(net)
	s.Amortized = s.Amortized.Add(amortized)
	s.LineItems++
}

// Merge adds s to the entry for d.
func (t Table) Merge(d Dims, s Sums) {
	if cur := t[d]; cur != nil {
		*cur = cur.Add(s)
		return
	}
	c := s
	t[d] = &c
}
