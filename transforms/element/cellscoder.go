package element

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Cells are the one element type whose volume grows with the input: a
// batch per file and day, of every cell the file holds that day. They
// have an encoding of their own, several times cheaper than the
// reflective row coder: a count, then per cell its six dimensions as
// strings (see below), its three measures in decimal's binary form,
// length-prefixed, and its line-item count, all varints; then the count
// of verdicts and each verdict's fields (five strings, a varint time and
// a byte); then the count of spilled objects and their URLs.
//
// A string is written once per batch: its first use as a varint of its
// length times two followed by its bytes, later ones as a varint of its
// number (in order of first use, up to maxCellStrings) times two plus
// one. Days, payers, accounts and services repeat from cell to cell, and
// a runner holds every batch of a report in its shuffle, some runners
// several times over: written out in full they were two thirds of a
// cell's bytes.

// maxCellStrings bounds the strings a batch numbers, so that a batch of
// distinct strings costs its decoder no more than their bytes.
const maxCellStrings = 1 << 16

// stringTable numbers a batch's strings as encodeCells writes them.
type stringTable struct {
	ids  map[string]uint64
	last [6]string // the previous cell's dimensions, with their ids:
	lid  [6]uint64 // most cells repeat most of them
}

// appendString writes s, by number if the batch has written it before.
// Field is the position the string came from, for the last-value check.
func (t *stringTable) appendString(b []byte, field int, s string) []byte {
	if field >= 0 && t.last[field] == s && t.lid[field] > 0 {
		return binary.AppendUvarint(b, t.lid[field])
	}
	if id, ok := t.ids[s]; ok {
		if field >= 0 {
			t.last[field], t.lid[field] = s, id<<1|1
		}
		return binary.AppendUvarint(b, id<<1|1)
	}
	if len(t.ids) < maxCellStrings {
		id := uint64(len(t.ids))
		t.ids[s] = id
		if field >= 0 {
			t.last[field], t.lid[field] = s, id<<1|1
		}
	}
	b = binary.AppendUvarint(b, uint64(len(s))<<1)
	return append(b, s...)
}

func encodeCells(c Cells) ([]byte, error) {
	b := make([]byte, 0, 16+len(c.Rows)*96)
	b = binary.AppendUvarint(b, uint64(len(c.Rows)))
	strs := stringTable{ids: make(map[string]uint64)}
	for i := range c.Rows {
		r := &c.Rows[i]
		for f, s := range [...]string{r.Dims.Day, r.Dims.Provider, r.Dims.Payer, r.Dims.Account, r.Dims.Service, r.Dims.Currency} {
			b = strs.appendString(b, f, s)
		}
		for _, d := range [...]decimal.Decimal{r.Sums.Unblended, r.Sums.NetUnblended, r.Sums.Amortized} {
			var scratch [48]byte
			enc, err := d.AppendBinary(scratch[:0])
			if err != nil {
				return nil, fmt.Errorf("encode cells: %w", err)
			}
			b = binary.AppendUvarint(b, uint64(len(enc)))
			b = append(b, enc...)
		}
		b = binary.AppendVarint(b, r.Sums.LineItems)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Verdicts)))
	for _, v := range c.Verdicts {
		for _, s := range [...]string{v.Ref, v.ReportID, v.ReportKey, v.Version, v.VersionKey} {
			b = strs.appendString(b, -1, s)
		}
		b = binary.AppendVarint(b, v.VersionTime)
		ok := byte(0)
		if v.OK {
			ok = 1
		}
		b = append(b, ok)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Spilled)))
	for _, u := range c.Spilled {
		b = strs.appendString(b, -1, u)
	}
	return b, nil
}

var errCells = errors.New("decode cells: truncated or malformed")

func decodeCells(b []byte) (Cells, error) {
	n, k := binary.Uvarint(b)
	// Each cell takes at least 6+3*3+1 bytes: a larger count is corrupt,
	// and must not size an allocation.
	if k <= 0 || n > uint64(len(b))/16 {
		return Cells{}, errCells
	}
	b = b[k:]
	c := Cells{Rows: make([]DayTotal, n)}
	var strs []string // the batch's strings, numbered as encodeCells does
	str := func() (string, bool) {
		tag, k := binary.Uvarint(b)
		if k <= 0 {
			return "", false
		}
		b = b[k:]
		if tag&1 == 1 {
			id := tag >> 1
			if id >= uint64(len(strs)) {
				return "", false
			}
			return strs[id], true
		}
		l := tag >> 1
		if l > uint64(len(b)) {
			return "", false
		}
		s := string(b[:l])
		b = b[l:]
		if len(strs) < maxCellStrings {
			strs = append(strs, s)
		}
		return s, true
	}
	dec := func(d *decimal.Decimal) bool {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return false
		}
		err := d.UnmarshalBinary(b[k : k+int(l)])
		b = b[k+int(l):]
		return err == nil
	}
	for i := range c.Rows {
		r := &c.Rows[i]
		for _, f := range [...]*string{&r.Dims.Day, &r.Dims.Provider, &r.Dims.Payer, &r.Dims.Account, &r.Dims.Service, &r.Dims.Currency} {
			s, ok := str()
			if !ok {
				return Cells{}, errCells
			}
			*f = s
		}
		for _, d := range [...]*decimal.Decimal{&r.Sums.Unblended, &r.Sums.NetUnblended, &r.Sums.Amortized} {
			if !dec(d) {
				return Cells{}, errCells
			}
		}
		items, k := binary.Varint(b)
		if k <= 0 {
			return Cells{}, errCells
		}
		r.Sums.LineItems = items
		b = b[k:]
	}
	nv, k := binary.Uvarint(b)
	// A verdict takes at least 5+1+1 bytes.
	if k <= 0 || nv > uint64(len(b)-k)/7 {
		return Cells{}, errCells
	}
	b = b[k:]
	if nv > 0 {
		c.Verdicts = make([]DayVerdict, nv)
	}
	for i := range c.Verdicts {
		v := &c.Verdicts[i]
		for _, f := range [...]*string{&v.Ref, &v.ReportID, &v.ReportKey, &v.Version, &v.VersionKey} {
			s, ok := str()
			if !ok {
				return Cells{}, errCells
			}
			*f = s
		}
		t, k := binary.Varint(b)
		if k <= 0 || k >= len(b) || b[k] > 1 {
			return Cells{}, errCells
		}
		v.VersionTime, v.OK = t, b[k] == 1
		b = b[k+1:]
	}
	ns, k := binary.Uvarint(b)
	if k <= 0 || ns > uint64(len(b)-k) {
		return Cells{}, errCells
	}
	b = b[k:]
	if ns > 0 {
		c.Spilled = make([]string, ns)
	}
	for i := range c.Spilled {
		s, ok := str()
		if !ok {
			return Cells{}, errCells
		}
		c.Spilled[i] = s
	}
	if len(b) != 0 {
		return Cells{}, errCells
	}
	return c, nil
}

// encodeShard writes a Shard as its ref, day and why it is incomplete,
// length-prefixed, then its rows as encodeCells does.
func encodeShard(sh Shard) ([]byte, error) {
	var head []byte
	for _, s := range [...]string{sh.Ref, sh.Day, sh.Missing} {
		head = binary.AppendUvarint(head, uint64(len(s)))
		head = append(head, s...)
	}
	cells, err := encodeCells(Cells{Rows: sh.Rows, Verdicts: sh.Verdicts})
	if err != nil {
		return nil, err
	}
	return append(head, cells...), nil
}

func decodeShard(b []byte) (Shard, error) {
	var sh Shard
	for _, f := range [...]*string{&sh.Ref, &sh.Day, &sh.Missing} {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return Shard{}, errCells
		}
		*f, b = string(b[k:k+int(l)]), b[k+int(l):]
	}
	c, err := decodeCells(b)
	if err != nil {
		return Shard{}, err
	}
	sh.Rows, sh.Verdicts = c.Rows, c.Verdicts
	return sh, nil
}
