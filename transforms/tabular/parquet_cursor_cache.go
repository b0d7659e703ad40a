package tabular

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// maxDictCache is the most entries of a dictionary whose rendered text is
// cached; a larger one (a hostile file's) is rendered per value.
const maxDictCache = 1 << 18

// dictText is the rendered text of a column chunk's dictionary: each entry
// is rendered once however many rows repeat it, which is what dictionary
// encoding is for.
type dictText struct {
	dict parquet.Dictionary // the dictionary rendered; nil before the first
	len  int
	// Byte arrays rendered as they are: entry i is raw[offs[i]:offs[i+1]].
	bytes bool
	raw   string
	offs  []uint32
	// Other kinds: entry i rendered on first use, when the dictionary is
	// small enough to cache.
	text []string
	done []bool
}

// use makes d render dict, copying its entries when they are byte arrays
// rendered as they are (asBytes).
func (d *dictText) use(dict parquet.Dictionary, asBytes bool) error {
	if d.dict == dict {
		return nil
	}
	d.reset()
	d.len = dict.Len()
	if asBytes {
		data := dict.Page().Data()
		if data.Kind() != encoding.ByteArray {
			return fmt.Errorf("byte array dictionary holds %s", data.Kind())
		}
		raw, offs := data.ByteArray()
		if err := checkOffsets(offs, len(raw)); err != nil {
			return fmt.Errorf("dictionary: %w", err)
		}
		if len(offs)-1 != d.len {
			return fmt.Errorf("dictionary of %d entries has %d offsets", d.len, len(offs))
		}
		d.bytes, d.raw, d.offs = true, string(raw), append(d.offs[:0], offs...)
	} else if d.len <= maxDictCache {
		d.text = slices.Grow(d.text[:0], d.len)[:d.len]
		d.done = slices.Grow(d.done[:0], d.len)[:d.len]
	}
	d.dict = dict
	return nil
}

// entry returns entry j, rendered by c: as s when cached, else appended to
// b. j is known to be in range.
func (d *dictText) entry(c *cursor, j int32, b []byte) (s string, _ []byte) {
	switch {
	case d.bytes:
		return d.raw[d.offs[j]:d.offs[j+1]], b
	case len(d.text) == 0: // too large to cache
		return "", c.format(b, d.dict.Index(j))
	case !d.done[j]:
		c.text = c.format(c.text[:0], d.dict.Index(j))
		d.text[j], d.done[j] = string(c.text), true
	}
	return d.text[j], b
}

func (d *dictText) reset() {
	clear(d.text) // drop the strings
	clear(d.done)
	d.dict, d.len, d.bytes, d.raw = nil, 0, false, ""
	d.offs, d.text, d.done = d.offs[:0], d.text[:0], d.done[:0]
}

// dayText is the text of a date as appendTime starts it: "2006-01-02T".
type dayText struct {
	day  int64 // days since the epoch
	text string
}

// appendTimestamp is the package's appendTimestamp for x in units of
// c.perSec. Line items fall on a few dozen days, so it caches the text of
// each day's date as the time package renders it and writes the time of
// day itself, which is only digits.
func (c *cursor) appendTimestamp(b []byte, x int64) []byte {
	sec, frac := x/c.perSec, x%c.perSec
	if frac < 0 {
		sec, frac = sec-1, frac+c.perSec
	}
	day, tod := sec/86400, sec%86400
	if tod < 0 {
		day, tod = day-1, tod+86400
	}
	if c.days == nil {
		c.days = make([]dayText, 64) // a month's days never share a slot
	}
	d := &c.days[uint64(day)%uint64(len(c.days))]
	if d.text == "" || d.day != day {
		const midnight = "00:00:00Z"
		t := appendTime(c.text[:0], time.Unix(day*86400, 0))
		if !bytes.HasSuffix(t, []byte("T"+midnight)) { // not a layout the time package writes
			return appendTimestamp(b, x, c.perSec)
		}
		c.text = t
		d.day, d.text = day, string(t[:len(t)-len(midnight)])
	}
	b = append(b, d.text...)
	b = append2(b, tod/3600)
	b = append2(append(b, ':'), tod/60%60)
	b = append2(append(b, ':'), tod%60)
	if nanos := frac * (1e9 / c.perSec); nanos != 0 {
		// As RFC3339Nano: nine digits less trailing zeros.
		var digits [9]byte
		for i := len(digits) - 1; i >= 0; i-- {
			digits[i] = byte('0' + nanos%10)
			nanos /= 10
		}
		b = append(append(b, '.'), bytes.TrimRight(digits[:], "0")...)
	}
	return append(b, 'Z')
}

// append2 appends n, 0 to 99, as two digits.
func append2(b []byte, n int64) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}
