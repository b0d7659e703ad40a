package tabular

import (
	"reflect"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

type shape uint8

const (
	scalar shape = iota
	list         // a repeated leaf: JSON array
	dict         // a map: JSON object from a key and a value leaf
)

// column is one header entry and the leaves that make it.
type column struct {
	name    string
	shape   shape
	leaves  []*parquet.Column                        // one, or key and value for a map
	formats []func(b []byte, v parquet.Value) []byte // per leaf
	unread  error                                    // why curpipe does not read it, if it does not
	repDef  int                                      // definition level at which an element exists
	defMap  int                                      // for a map: level at which the map is not null
	key     string                                   // for a map selected as map.key: the key
}

// mapKey returns the column that selects one key of a map column, named
// "<map>.<key>" (product.volume_api_name, as AWS's own queries name CUR
// 2.0's keys), or nil when name is no such thing.
func (p *parquetReader) mapKey(name string) *column {
	for j := strings.IndexByte(name, '.'); j >= 0; j = nextDot(name, j) {
		for i := range p.cols {
			if c := p.cols[i]; c.name == name[:j] && c.shape == dict {
				c.name, c.key = name, name[j+1:]
				return &c
			}
		}
	}
	return nil
}

// nextDot returns the index of the first '.' in name after j, or -1.
func nextDot(name string, j int) int {
	if k := strings.IndexByte(name[j+1:], '.'); k >= 0 {
		return j + 1 + k
	}
	return -1
}

// walk appends the header entries under c. repDef is the definition level
// of the innermost repeated node above c; within names a group above c
// whose annotation curpipe does not read ("VARIANT v"), or is "". leaves
// are the file's leaf schema elements.
func (p *parquetReader) walk(c *parquet.Column, repDef int, within string, leaves []*format.SchemaElement) {
	if c.Repeated() {
		repDef = c.MaxDefinitionLevel()
	}
	name := strings.Join(c.Path(), ".")
	if c.Leaf() {
		col := column{name: name, leaves: []*parquet.Column{c}, repDef: repDef}
		if c.MaxRepetitionLevel() > 0 {
			col.shape = list
		}
		p.cols = append(p.cols, col.withFormats(within, leaves))
		return
	}
	lt := c.Type().LogicalType()
	if lt != nil && isMap(lt.Value) && !c.Repeated() {
		if kv := c.Columns(); len(kv) == 1 && kv[0].Repeated() && len(kv[0].Columns()) == 2 {
			k, v := kv[0].Columns()[0], kv[0].Columns()[1]
			if k.Leaf() && v.Leaf() && c.MaxRepetitionLevel() == 0 {
				col := column{name: name, shape: dict, leaves: []*parquet.Column{k, v},
					repDef: kv[0].MaxDefinitionLevel(), defMap: c.MaxDefinitionLevel()}
				p.cols = append(p.cols, col.withFormats(within, leaves))
				return
			}
		}
	}
	// A group is read by its leaves; its own name is no column, and
	// selecting it must not yield "" for every row unnoticed.
	if p.groups == nil {
		p.groups = make(map[string]error)
	}
	p.groups[name] = &columnTypeError{column: name, typ: c.Type().String()}
	if lt != nil && within == "" {
		switch lt.Value.(type) {
		case *format.MapType, *format.ListType:
		default: // VARIANT: its leaves hold the variant binary encoding
			within = lt.String() + " " + name
		}
	}
	for _, child := range c.Columns() {
		p.walk(child, repDef, within, leaves)
	}
}

func isMap(v format.LogicalTypeValue) bool {
	_, ok := v.(*format.MapType)
	return ok
}

// withFormats returns col with the renderers of its leaves, or with why
// curpipe does not read it. within is as for walk; leaves are the file's
// leaf schema elements.
func (col column) withFormats(within string, leaves []*format.SchemaElement) column {
	col.formats = make([]func([]byte, parquet.Value) []byte, len(col.leaves))
	for i, leaf := range col.leaves {
		t := leaf.Type()
		typ := t.String()
		var declared, logical format.LogicalTypeValue
		if j := leaf.Index(); j >= 0 && j < len(leaves) && leaves[j].Name == leaf.Name() {
			declared = leaves[j].LogicalType.Value
		}
		if lt := t.LogicalType(); lt != nil {
			logical = lt.Value
		}
		f, ok := formatter(t)
		switch {
		case declared != nil && reflect.TypeOf(declared) != reflect.TypeOf(logical):
			// parquet-go reads an annotation it does not know (FLOAT16,
			// a VARIANT leaf) as the physical type under it.
			ok, typ = false, declared.String()
		case within != "":
			ok, typ = false, typ+" within "+within
		case leaf.MaxRepetitionLevel() > 1:
			// One JSON array of all the values would lose the nesting.
			ok, typ = false, typ+" in nested lists or maps"
		}
		if !ok {
			col.unread = &columnTypeError{column: strings.Join(leaf.Path(), "."), typ: typ}
			return col
		}
		col.formats[i] = f
	}
	return col
}
