package tabular

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unsafe"

	"github.com/parquet-go/parquet-go"
)

// ErrColumnType: a column the caller selects has a Parquet type that curpipe
// does not render as text (an INTERVAL, a TIME, a list of lists, a group
// selected by its own name). The file is sound, so it is not ErrCorrupt;
// like ErrCorrupt, it fails the whole object. Select returns it, wrapped in
// a *RowError that names the object.
var ErrColumnType = errors.New("a column type curpipe does not read")

// columnTypeError is ErrColumnType for one column.
type columnTypeError struct {
	column string // the column's path, as Header names it, or a leaf's
	typ    string // its type, as Parquet names it
}

func (e *columnTypeError) Error() string {
	return fmt.Sprintf("column %s has type %s, which curpipe does not read", e.column, e.typ)
}

// Is makes every columnTypeError match ErrColumnType.
func (e *columnTypeError) Is(target error) bool { return target == ErrColumnType }

type parquetReader struct {
	object  string
	file    *parquet.File
	src     *readerAt
	cols    []column
	groups  map[string]error // by path: the groups, which are not columns
	header  []string
	unread  *RowError   // a selected column curpipe does not read: Next's error
	sel     []*column   // per selected name; nil when absent
	cursors [][]*cursor // per selected name, per leaf
	out     []string
	spans   []span // per selected name: where its text is in arena, if there
	arena   []byte // rendered values of this and earlier rows, append-only
	cells   [2][]cell
	pairs   [][2]cell
	buf     []byte
	group   int   // current row group
	end     int   // the row groups from end on are not this reader's
	left    int64 // rows left in it
	pos     int64
	err     error // sticky
	limits  Limits
}

func (p *parquetReader) Header() []string { return p.header }

func (p *parquetReader) Pos() int64 { return p.pos }

func (p *parquetReader) Select(names []string) error {
	if p.pos > 0 || p.group >= 0 {
		return fmt.Errorf("tabular: %s: Select after Next", p.object)
	}
	p.sel, p.cursors, p.unread = p.sel[:0], p.cursors[:0], nil
	for _, name := range names {
		i := slices.Index(p.header, name)
		if i < 0 {
			if err := p.groups[name]; err != nil {
				p.sel, p.cursors, p.unread = nil, nil, &RowError{Object: p.object, Err: err}
				return p.unread
			}
			col := p.mapKey(name)
			if col == nil {
				p.sel, p.cursors = append(p.sel, nil), append(p.cursors, nil)
				continue
			}
			if col.unread != nil {
				p.sel, p.cursors, p.unread = nil, nil, &RowError{Object: p.object, Err: col.unread}
				return p.unread
			}
			p.sel, p.cursors = append(p.sel, col), append(p.cursors, col.newCursors())
			continue
		}
		col := &p.cols[i]
		if col.unread != nil {
			p.sel, p.cursors, p.unread = nil, nil, &RowError{Object: p.object, Err: col.unread}
			return p.unread
		}
		p.sel, p.cursors = append(p.sel, col), append(p.cursors, col.newCursors())
	}
	p.out = make([]string, len(names))
	p.spans = make([]span, len(names))
	return nil
}

// span is where a field's text lies in parquetReader.arena.
type span struct{ lo, hi int }

// The arena of rendered values grows in blocks of arenaBlock bytes, a new
// one started when less than arenaSlack is left: rows of CUR's selected
// columns take a few hundred bytes.
const (
	arenaBlock = 32 << 10
	arenaSlack = 2 << 10
)

func (p *parquetReader) Next() (fields []string, err error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.unread != nil {
		return nil, p.unread
	}
	defer func() {
		if r := recover(); r != nil { // parquet-go panics on some bad pages
			err = fmt.Errorf("parquet: %v", r)
		}
		if err == nil || err == io.EOF {
			return
		}
		var re *RowError
		if !errors.As(err, &re) { // else it says where already
			switch {
			case errors.Is(err, ErrLimit): // a page over the limit: no damage
			case p.src.err != nil:
				err = p.src.err
			case !errors.Is(err, ErrCompression):
				err = fmt.Errorf("%w: %w", ErrCorrupt, err)
			}
			err = &RowError{Object: p.object, Pos: p.pos + 1, Err: err}
		}
		p.err = err
	}()
	for p.left == 0 {
		if err := p.nextGroup(); err != nil {
			return nil, err
		}
	}
	// Values not cached elsewhere are rendered into an arena shared by
	// many rows, saving an allocation per value. The arena is only ever
	// appended to, so a string over it stays valid after later calls
	// (though the contract does not promise it); the strings are made once
	// the row is complete, since appending may move the arena.
	if cap(p.arena)-len(p.arena) < arenaSlack {
		p.arena = make([]byte, 0, arenaBlock)
	}
	for i, col := range p.sel {
		p.out[i], p.spans[i] = "", span{}
		switch {
		case col == nil:
		case col.shape == scalar:
			lo := len(p.arena)
			if p.out[i], p.arena, err = p.cursors[i][0].flatValue(p.arena); err != nil {
				return nil, err
			}
			p.spans[i] = span{lo, len(p.arena)}
		case col.key != "":
			// The value points into its cursor's buffer for the row;
			// copied to the arena, it lives as long as flat values do.
			v, err := p.field(col, p.cursors[i])
			if err != nil {
				return nil, err
			}
			lo := len(p.arena)
			p.arena = append(p.arena, v...)
			p.spans[i] = span{lo, len(p.arena)}
		default:
			if p.out[i], err = p.field(col, p.cursors[i]); err != nil {
				return nil, err
			}
		}
	}
	for i, s := range p.spans {
		if s.hi > s.lo {
			p.out[i] = unsafe.String(&p.arena[s.lo], s.hi-s.lo)
		}
	}
	p.left--
	p.pos++
	return p.out, nil
}

// field renders one selected column of the current row.
func (p *parquetReader) field(col *column, cs []*cursor) (string, error) {
	var err error
	for j, c := range cs {
		if p.cells[j], err = c.row(p.cells[j][:0]); err != nil {
			return "", err
		}
	}
	cells := p.cells[0]
	switch {
	case col.shape == scalar:
		return cells[0].s, nil
	case cells[0].def < col.repDef: // no element: a null or empty list or map
		if col.shape == dict && col.key == "" && cells[0].def >= col.defMap {
			return "{}", nil
		}
		return "", nil
	case col.shape == list:
		b := append(p.buf[:0], '[')
		for i, v := range cells {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, v)
		}
		p.buf = append(b, ']')
		return string(p.buf), nil
	}
	vals := p.cells[1]
	if len(vals) != len(cells) {
		return "", fmt.Errorf("map %s has %d keys and %d values", col.name, len(cells), len(vals))
	}
	if col.key != "" {
		// One key's value, as it is: no object to sort and render.
		for i, k := range cells {
			if !k.null && k.s == col.key {
				return vals[i].s, nil
			}
		}
		return "", nil
	}
	p.pairs = p.pairs[:0]
	for i := range cells {
		p.pairs = append(p.pairs, [2]cell{cells[i], vals[i]})
	}
	slices.SortStableFunc(p.pairs, func(a, b [2]cell) int { return strings.Compare(a[0].s, b[0].s) })
	b := append(p.buf[:0], '{')
	for i, kv := range p.pairs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendJSON(b, kv[0]), ':')
		b = appendJSON(b, kv[1])
	}
	p.buf = append(b, '}')
	return string(p.buf), nil
}

// Width returns the number of columns: every row has them all.
func (p *parquetReader) Width() int { return len(p.header) }

func (p *parquetReader) Close() error {
	for _, cs := range p.cursors {
		for _, c := range cs {
			c.close()
		}
	}
	p.err = errors.New("tabular: reader closed")
	return nil
}
