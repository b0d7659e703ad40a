package totals

import (
	"slices"
	"strings"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Accumulator sums line items per Dims like Table.Add, with running
// sums (decimal.Sum) instead of Decimals: a parser adds millions of
// rows into a few thousand cells, and turns them out once.
//
// Each dimension's values are interned to small integers, in maps that
// stay small and in cache (a few hundred accounts, services, days), so a
// row's cell is found by a key of six integers, most often packed into one
// word (see pack): one lookup in a map that holds no strings, instead of
// hashing and comparing some sixty bytes of text in a map too large for
// the cache.
type Accumulator struct {
	packed map[uint64]int32  // cells whose ids fit in one word (see pack)
	index  map[cellKey]int32 // the others
	cells  cells
	dims   [numDims]interner
	days   map[int64]uint32 // UTC day number -> id in dims[dimDay]
}

// The dimensions of cellKey, in Dims order.
const (
	dimDay = iota
	dimProvider
	dimPayer
	dimAccount
	dimService
	dimCurrency
	numDims
)

type cellKey [numDims]uint32

type accCell struct {
	key                       cellKey
	unblended, net, amortized decimal.Sum
	items                     int64
}

// cells hold an accumulator's cells in blocks, numbered in order of
// appearance. A cell is 128 bytes with pointers in it: one growing
// slice would copy every cell, with write barriers, each time it grows.
type cells struct {
	blocks [][]accCell
	n      int
}

const cellBlock = 1024

func (c *cells) at(i int32) *accCell { return &c.blocks[i/cellBlock][i%cellBlock] }

// add appends a cell and returns its number.
func (c *cells) add(x accCell) int32 {
	if c.n%cellBlock == 0 {
		c.blocks = append(c.blocks, make([]accCell, 0, cellBlock))
	}
	b := &c.blocks[len(c.blocks)-1]
	*b = append(*b, x)
	c.n++
	return int32(c.n - 1)
}

// each calls f with every cell in order.
func (c *cells) each(f func(*accCell)) {
	for _, b := range c.blocks {
		for i := range b {
			f(&b[i])
		}
	}
}

// interner numbers the values of one dimension in order of appearance.
type interner struct {
	ids   map[string]uint32
	names []string
	last  string // the value looked up last, and its id: rows often
	lastN uint32 // repeat a provider, payer or currency
}

func (n *interner) id(s string) uint32 {
	if len(n.names) > 0 && s == n.last {
		return n.lastN
	}
	id, ok := n.ids[s]
	if !ok {
		s = strings.Clone(s) // s may alias a reader's buffer
		id = uint32(len(n.names))
		n.ids[s] = id
		n.names = append(n.names, s)
	}
	n.last, n.lastN = n.names[id], id
	return id
}

// NewAccumulator returns an empty Accumulator.
func NewAccumulator() *Accumulator {
	a := &Accumulator{packed: make(map[uint64]int32), index: make(map[cellKey]int32), days: make(map[int64]uint32)}
	for i := range a.dims {
		a.dims[i].ids = make(map[string]uint32)
	}
	return a
}

// Add adds the measures of one line item to the entry for d. As with
// Table.Add, the strings of d may alias a reusable buffer.
func (a *Accumulator) Add(d Dims, unblended, net, amortized decimal.Decimal) {
	a.add(a.dims[dimDay].id(d.Day), d, unblended, net, amortized)
}

// AddAt is Add with d.Day the UTC date of t, which it need not format
// for every row: a parser's hottest loop.
func (a *Accumulator) AddAt(t time.Time, d Dims, unblended, net, amortized decimal.Decimal) {
	secs := t.Unix()
	n := secs / 86400
	if secs%86400 < 0 {
		n-- // days before 1970 round down
	}
	day, ok := a.days[n]
	if !ok {
		day = a.dims[dimDay].id(t.UTC().Format(time.DateOnly))
		a.days[n] = day
	}
	a.add(day, d, unblended, net, amortized)
}

func (a *Accumulator) add(day uint32, d Dims, unblended, net, amortized decimal.Decimal) {
	c := a.cell(day, d)
	c.unblended.Add(unblended)
	c.net.Add(net)
	c.amortized.Add(amortized)
	c.items++
}

// AddSums adds the sums of a cell of line items to the entry for d.
func (a *Accumulator) AddSums(d Dims, s Sums) {
	c := a.cell(a.dims[dimDay].id(d.Day), d)
	c.unblended.Add(s.Unblended)
	c.net.Add(s.NetUnblended)
	c.amortized.Add(s.Amortized)
	c.items += s.LineItems
}

// cell returns the cell of d on day, made if new.
func (a *Accumulator) cell(day uint32, d Dims) *accCell {
	k := cellKey{
		dimDay:      day,
		dimProvider: a.dims[dimProvider].id(d.Provider),
		dimPayer:    a.dims[dimPayer].id(d.Payer),
		dimAccount:  a.dims[dimAccount].id(d.Account),
		dimService:  a.dims[dimService].id(d.Service),
		dimCurrency: a.dims[dimCurrency].id(d.Currency),
	}
	i, ok := a.find(k)
	if !ok {
		i = a.cells.add(accCell{key: k})
		a.put(k, i)
	}
	return a.cells.at(i)
}

// keyBits are the bits each dimension's id takes in a packed key: the
// days of eleven years, 16 providers, 1,024 payers, 65,536 accounts and
// as many services, 64 currencies. A key whose ids all fit is looked up as
// one uint64, which a map hashes and compares in a few instructions; a
// key of six words costs a generic hash and a memory compare.
var keyBits = [numDims]uint{dimDay: 12, dimProvider: 4, dimPayer: 10, dimAccount: 16, dimService: 16, dimCurrency: 6}

// pack returns k in one word, if its ids fit.
func pack(k cellKey) (uint64, bool) {
	var p uint64
	for d, b := range keyBits {
		if k[d] >= 1<<b {
			return 0, false
		}
		p = p<<b | uint64(k[d])
	}
	return p, true
}

// find returns the number of k's cell.
func (a *Accumulator) find(k cellKey) (int32, bool) {
	if p, ok := pack(k); ok {
		i, found := a.packed[p]
		return i, found
	}
	i, found := a.index[k]
	return i, found
}

// put files cell i under k.
func (a *Accumulator) put(k cellKey, i int32) {
	if p, ok := pack(k); ok {
		a.packed[p] = i
		return
	}
	a.index[k] = i
}

// dimsOf returns the Dims of a key.
func (a *Accumulator) dimsOf(k cellKey) Dims {
	return Dims{
		Day:      a.dims[dimDay].names[k[dimDay]],
		Provider: a.dims[dimProvider].names[k[dimProvider]],
		Payer:    a.dims[dimPayer].names[k[dimPayer]],
		Account:  a.dims[dimAccount].names[k[dimAccount]],
		Service:  a.dims[dimService].names[k[dimService]],
		Currency: a.dims[dimCurrency].names[k[dimCurrency]],
	}
}

// Merge adds b's sums to a's, as if b's line items had been added to a:
// parsers that split a file sum on several goroutines, then merge.
func (a *Accumulator) Merge(b *Accumulator) {
	// b's ids, translated to a's.
	var ids [numDims][]uint32
	for d := range ids {
		ids[d] = make([]uint32, len(b.dims[d].names))
		for i, name := range b.dims[d].names {
			ids[d][i] = a.dims[d].id(name)
		}
	}
	b.cells.each(func(c *accCell) {
		var k cellKey
		for d := range k {
			k[d] = ids[d][c.key[d]]
		}
		i, ok := a.find(k)
		if !ok {
			x := *c
			x.key = k
			a.put(k, a.cells.add(x))
			return
		}
		t := a.cells.at(i)
		t.unblended.Merge(&c.unblended)
		t.net.Merge(&c.net)
		t.amortized.Merge(&c.amortized)
		t.items += c.items
	})
}

// Len returns the number of cells.
func (a *Accumulator) Len() int { return a.cells.n }

// Rows returns the sums sorted by Dims: exactly what Table.Add of the
// same line items would hold, in the order of Table.Rows.
func (a *Accumulator) Rows() []Row {
	// Rank each dimension's values by name, so that rows sort by
	// comparing integers.
	var rank [numDims][]uint32
	for d := range rank {
		names := a.dims[d].names
		order := make([]uint32, len(names))
		for i := range order {
			order[i] = uint32(i)
		}
		slices.SortFunc(order, func(x, y uint32) int { return strings.Compare(names[x], names[y]) })
		rank[d] = make([]uint32, len(names))
		for r, id := range order {
			rank[d][id] = uint32(r)
		}
	}
	keys := make([]cellKey, 0, a.cells.n) // ranks, in cell order
	order := make([]int32, a.cells.n)
	a.cells.each(func(c *accCell) {
		var k cellKey
		for d := range c.key {
			k[d] = rank[d][c.key[d]]
		}
		order[len(keys)] = int32(len(keys))
		keys = append(keys, k)
	})
	slices.SortFunc(order, func(x, y int32) int { return slices.Compare(keys[x][:], keys[y][:]) })
	rows := make([]Row, len(order))
	for r, i := range order {
		c := a.cells.at(i)
		rows[r] = Row{
			Dims: a.dimsOf(c.key),
			Sums: Sums{Unblended: c.unblended.Value(), NetUnblended: c.net.Value(), Amortized: c.amortized.Value(), LineItems: c.items},
		}
	}
	return rows
}

// Table returns the sums as a Table: exactly what Table.Add of the same
// line items would hold.
func (a *Accumulator) Table() Table {
	t := make(Table, a.cells.n)
	for _, r := range a.Rows() {
		s := r.Sums
		t[r.Dims] = &s
	}
	return t
}
