package billing

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
// length-prefixed strings, its three measures in decimal's binary form,
// length-prefixed, and its line-item count, all varints; then the count
// of verdicts and each verdict's fields (five strings, a varint time and
// a byte).

func encodeCells(c Cells) ([]byte, error) {
	b := make([]byte, 0, 16+len(c.Rows)*96)
	b = binary.AppendUvarint(b, uint64(len(c.Rows)))
	for i := range c.Rows {
		r := &c.Rows[i]
		for _, s := range [...]string{r.Dims.Day, r.Dims.Provider, r.Dims.Payer, r.Dims.Account, r.Dims.Service, r.Dims.Currency} {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
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
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
		b = binary.AppendVarint(b, v.VersionTime)
		ok := byte(0)
		if v.OK {
			ok = 1
		}
		b = append(b, ok)
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
	// Days, providers, payers and currencies repeat from cell to cell:
	// keep one copy of each.
	seen := make(map[string]string)
	str := func() (string, bool) {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return "", false
		}
		raw := b[k : k+int(l)]
		b = b[k+int(l):]
		if s, ok := seen[string(raw)]; ok {
			return s, true
		}
		s := string(raw)
		if len(seen) < 4096 {
			seen[s] = s
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
	if len(b) != 0 {
		return Cells{}, errCells
	}
	return c, nil
}

// encodeShard writes a Shard as its ref and day, length-prefixed, then
// its rows as encodeCells does.
func encodeShard(sh Shard) ([]byte, error) {
	var head []byte
	for _, s := range [...]string{sh.Ref, sh.Day} {
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
	for _, f := range [...]*string{&sh.Ref, &sh.Day} {
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
