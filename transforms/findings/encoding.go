package findings

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// magic opens the binary form; its last byte is the format's version.
var magic = []byte("FND\x01")

// ErrCorrupt is wrapped by the errors UnmarshalBinary returns for input
// MarshalBinary cannot have written.
var ErrCorrupt = errors.New("corrupt accumulator")

// MarshalBinary implements encoding.BinaryMarshaler. The form is the
// magic "FND\x01", a uvarint count of resources, then per resource, in
// key order: the kind byte; payer, account, region, id and detail as
// uvarint-length strings; a uvarint count and the usage types; a uvarint
// count of days, and per day in order its date and the nSlots decimals,
// each as a uvarint length and decimal's binary form. Accs fed the same
// lines, in any order and through any merges, encode to the same bytes.
func (a *Acc) MarshalBinary() ([]byte, error) {
	keys := make([]key, 0, len(a.res))
	for k := range a.res {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKeys)
	b := append([]byte(nil), magic...)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		r := a.res[k]
		b = append(b, byte(k.kind))
		for _, s := range []string{k.payer, k.account, k.region, k.id, r.detail} {
			b = appendString(b, s)
		}
		b = binary.AppendUvarint(b, uint64(len(r.usageTypes)))
		for _, ut := range r.usageTypes {
			b = appendString(b, ut)
		}
		b = binary.AppendUvarint(b, uint64(len(r.days)))
		for _, day := range sortedDays(r.days) {
			b = appendString(b, day)
			for _, d := range r.days[day] {
				db, err := d.MarshalBinary()
				if err != nil {
					return nil, fmt.Errorf("findings: encoding %s on %s: %w", k.id, day, err)
				}
				b = binary.AppendUvarint(b, uint64(len(db)))
				b = append(b, db...)
			}
		}
	}
	return b, nil
}

func compareKeys(x, y key) int {
	return cmp.Or(cmp.Compare(x.kind, y.kind), cmp.Compare(x.payer, y.payer),
		cmp.Compare(x.account, y.account), cmp.Compare(x.region, y.region), cmp.Compare(x.id, y.id))
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler. It replaces a's
// contents. Any input that MarshalBinary cannot have written fails with an
// error wrapping ErrCorrupt; no input makes it panic or allocate much more
// than its own length.
func (a *Acc) UnmarshalBinary(b []byte) error {
	if len(b) < len(magic) || string(b[:len(magic)]) != string(magic) {
		return fmt.Errorf("findings: decoding accumulator: bad magic: %w", ErrCorrupt)
	}
	d := decoder{b: b[len(magic):]}
	n := d.count()
	res := make(map[key]*resource, min(n, 1024))
	for i := 0; i < n && d.err == nil; i++ {
		var k key
		k.kind = kind(d.byte())
		if k.kind == kindNone || k.kind >= kindCount {
			d.fail("unknown kind")
		}
		k.payer, k.account, k.region, k.id = d.string(), d.string(), d.string(), d.string()
		r := &resource{detail: d.string(), days: map[string]*cell{}}
		for range d.count() {
			ut := d.string()
			if d.err == nil && (ut == "" || len(r.usageTypes) >= maxUsageTypes || (len(r.usageTypes) > 0 && ut <= r.usageTypes[len(r.usageTypes)-1])) {
				d.fail("usage types not sorted and bounded")
			}
			r.usageTypes = append(r.usageTypes, ut)
		}
		for range d.count() {
			day := d.string()
			if d.err == nil && !validDay(day) {
				d.fail("bad day")
			}
			if _, dup := r.days[day]; dup && d.err == nil {
				d.fail("day repeated")
			}
			c := new(cell)
			for j := range c {
				c[j] = d.decimal()
			}
			r.days[day] = c
		}
		if _, dup := res[k]; dup && d.err == nil {
			d.fail("resource repeated")
		}
		res[k] = r
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return fmt.Errorf("findings: decoding accumulator: %w", d.err)
	}
	a.res = res
	return nil
}

// decoder reads the binary form; after the first failure every read
// returns a zero value and err holds the cause.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(why string) {
	if d.err == nil {
		d.err = fmt.Errorf("%s: %w", why, ErrCorrupt)
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a count of items, each of which takes at least one byte,
// so a count beyond the bytes left is corrupt.
func (d *decoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.b)) {
		d.fail("count beyond input")
		return 0
	}
	return int(v)
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.fail("truncated")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) bytes() []byte {
	n := d.count()
	if d.err != nil {
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) decimal() decimal.Decimal {
	var v decimal.Decimal
	b := d.bytes()
	if d.err != nil {
		return v
	}
	if err := v.UnmarshalBinary(b); err != nil {
		d.err = fmt.Errorf("%w: %w", err, ErrCorrupt)
	}
	return v
}
