package totals

import (
	"encoding/binary"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Accumulator sums line items per Dims like Table.Add, with running
// sums (decimal.Sum) instead of Decimals: a parser adds millions of
// rows into a few thousand cells, and Table turns them out once.
//
// A row's six dimensions are looked up as one string (each field after
// its length, so that no two Dims share a key) built in a reused buffer:
// one hash of the whole key instead of one per field, and no allocation
// unless the cell is new.
type Accumulator struct {
	cells map[string]*accSums
	key   []byte
}

type accSums struct {
	dims                      Dims
	unblended, net, amortized decimal.Sum
	items                     int64
}

// NewAccumulator returns an empty Accumulator.
func NewAccumulator() *Accumulator {
	return &Accumulator{cells: make(map[string]*accSums)}
}

// Add adds the measures of one line item to the entry for d. As with
// Table.Add, the strings of d may alias a reusable buffer.
func (a *Accumulator) Add(d Dims, unblended, net, amortized decimal.Decimal) {
	k := a.key[:0]
	for _, f := range [...]string{d.Day, d.Provider, d.Payer, d.Account, d.Service, d.Currency} {
		k = binary.AppendUvarint(k, uint64(len(f)))
		k = append(k, f...)
	}
	a.key = k
	s := a.cells[string(k)]
	if s == nil {
		s = &accSums{dims: d.clone()}
		a.cells[string(k)] = s
	}
	s.unblended.Add(unblended)
	s.net.Add(net)
	s.amortized.Add(amortized)
	s.items++
}

// Table returns the sums: exactly what Table.Add of the same line items
// would hold.
func (a *Accumulator) Table() Table {
	t := make(Table, len(a.cells))
	for _, s := range a.cells {
		t[s.dims] = &Sums{Unblended: s.unblended.Value(), NetUnblended: s.net.Value(), Amortized: s.amortized.Value(), LineItems: s.items}
	}
	return t
}

// Merge adds b's sums to a's, as if b's line items had been added to a:
// parsers that split a file sum on several goroutines, then merge. b must
// not be used afterwards (a may take over its cells).
func (a *Accumulator) Merge(b *Accumulator) {
	for k, s := range b.cells {
		t := a.cells[k]
		if t == nil {
			a.cells[k] = s
			continue
		}
		t.unblended.Merge(&s.unblended)
		t.net.Merge(&s.net)
		t.amortized.Merge(&s.amortized)
		t.items += s.items
	}
}

// Len returns the number of cells.
func (a *Accumulator) Len() int { return len(a.cells) }
