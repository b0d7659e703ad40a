package totals

import (
	"github.com/curpipe/curpipe/transforms/decimal"
)

// Accumulator sums line items per Dims like Table.Add, with running
// sums (decimal.Sum) instead of Decimals: a parser adds millions of
// rows into a few thousand cells, and Table turns them out once.
type Accumulator map[Dims]*accSums

type accSums struct {
	unblended, net, amortized decimal.Sum
	items                     int64
}

// Add adds the measures of one line item to the entry for d. As with
// Table.Add, the strings of d may alias a reusable buffer.
func (a Accumulator) Add(d Dims, unblended, net, amortized decimal.Decimal) {
	s := a[d]
	if s == nil {
		s = &accSums{}
		a[d.clone()] = s
	}
	s.unblended.Add(unblended)
	s.net.Add(net)
	s.amortized.Add(amortized)
	s.items++
}

// Table returns the sums: exactly what Table.Add of the same line items
// would hold.
func (a Accumulator) Table() Table {
	t := make(Table, len(a))
	for d, s := range a {
		t[d] = &Sums{Unblended: s.unblended.Value(), NetUnblended: s.net.Value(), Amortized: s.amortized.Value(), LineItems: s.items}
	}
	return t
}
