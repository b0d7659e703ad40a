package tabular

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// closeQuote returns the index of the quote closing a field whose text
// starts at i, or -1, and whether the text holds doubled quotes. It
// reports more when the buffer ends too soon to tell.
func (c *fastCSV) closeQuote(buf []byte, i int) (k int, esc, more bool) {
	return closeQuote(buf, i, c.eof)
}

// closeQuote is fastCSV.closeQuote for a buffer that ends the input when
// eof is set.
func closeQuote(buf []byte, i int, eof bool) (k int, esc, more bool) {
	for {
		k = bytes.IndexByte(buf[i:], '"') + i
		switch {
		case k < i:
			return -1, esc, !eof
		case k+1 == len(buf):
			return k, esc, !eof
		case buf[k+1] != '"':
			return k, esc, false
		}
		esc, i = true, k+2
	}
}

// split stores the fields of buf[p:q], which holds no quote, that end at
// a comma, and returns the start of the rest and the new field count.
// CUR fields average 8 bytes, many blank: finding the commas of 8 bytes at
// once beats a call of bytes.IndexByte per field.
func (c *fastCSV) split(buf []byte, p, q, nf int) (int, int) {
	i := p
	for ; i+8 <= q; i += 8 {
		m := commas(binary.LittleEndian.Uint64(buf[i:]))
		if m == 0 {
			continue
		}
		// Most words end no needed field: skip their commas in one step,
		// sparing a mispredicted branch per comma.
		if k := bits.OnesCount64(m); !c.all && c.skips(nf, k) {
			nf += k
			p = i + (63-bits.LeadingZeros64(m))>>3 + 1
			continue
		}
		for ; m != 0; m &= m - 1 {
			e := i + bits.TrailingZeros64(m)>>3
			if c.needs(nf) {
				c.vals[nf] = bstr(buf[p:e]) // store, inlined
				if e-p > c.limits.FieldBytes && c.longField == 0 {
					c.longField = nf + 1
				}
			} else if c.all {
				c.store(nf, buf[p:e], false)
			}
			nf, p = nf+1, e+1
		}
	}
	for ; i < q; i++ {
		if buf[i] == ',' {
			c.store(nf, buf[p:i], false)
			nf, p = nf+1, i+1
		}
	}
	return p, nf
}

// commas returns the high bit of each byte of x that is a comma.
func commas(x uint64) uint64 {
	const lo7, comma = 0x7f7f7f7f7f7f7f7f, 0x2c2c2c2c2c2c2c2c
	v := x ^ comma        // zero bytes where commas were
	t := (v & lo7) + lo7  // high bit set where the low 7 bits are not zero
	return ^(t | v | lo7) // high bit set where the byte is zero
}

// needs reports whether field nf is selected.
func (c *fastCSV) needs(nf int) bool {
	w := nf >> 6
	return w < len(c.need) && c.need[w]>>(nf&63)&1 != 0
}

// skips reports whether none of fields nf to nf+k-1 is selected: one
// lookup and a compare, where the word is done with.
func (c *fastCSV) skips(nf, k int) bool {
	if nf >= len(c.next) {
		return true // past the header's width: nothing is selected
	}
	return int(c.next[nf]) >= nf+k
}

// nextQuote returns the index of the first '"' in buf[p:eol], or eol.
func nextQuote(buf []byte, p, eol int) int {
	if i := bytes.IndexByte(buf[p:eol], '"'); i >= 0 {
		return p + i
	}
	return eol
}

// store keeps field nf when it is needed: an unquoted field as a string
// over the buffer itself, a quoted one with doubled quotes or line breaks
// unquoted into the arena first.
func (c *fastCSV) store(nf int, f []byte, esc bool) {
	if c.all {
		c.vals = append(c.vals[:nf], "")
	} else if !c.needs(nf) {
		return
	}
	if len(f) > c.limits.FieldBytes && c.longField == 0 {
		c.longField = nf + 1
	}
	if esc {
		n := len(c.arena)
		c.arena = unescape(c.arena, f)
		f = c.arena[n:]
	}
	c.vals[nf] = bstr(f)
}

// bstr returns a string over b's bytes, without copying them.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// unescape appends f with `""` turned into `"` and "\r\n" into "\n".
func unescape(dst, f []byte) []byte {
	for {
		i := bytes.IndexAny(f, "\"\r")
		switch {
		case i < 0:
			return append(dst, f...)
		case f[i] == '"': // always doubled inside quotes
			dst, f = append(append(dst, f[:i]...), '"'), f[i+2:]
		case i+1 < len(f) && f[i+1] == '\n':
			dst, f = append(append(dst, f[:i]...), '\n'), f[i+2:]
		default:
			dst, f = append(dst, f[:i+1]...), f[i+1:]
		}
	}
}
