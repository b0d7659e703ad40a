package gen

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
)

// kv is one entry of a CUR 2.0 map column.
type kv struct{ k, v string }

// pqColumn is a Parquet column: a CUR column under its snake_case name, or
// one of CUR 2.0's map columns.
type pqColumn struct {
	name   string
	col    *column                // nil for a map
	mapOf  func(*item, []kv) []kv // a map's entries, appended
	leaf   int                    // leaf column index (the key's, for a map)
	def    int                    // definition level of a present value (the key's, for a map)
	valDef int                    // a map's value: definition level of a present value
}

// athenaColumns are the columns of CUR 1.0's Athena Parquet: every CSV
// column under its snake_case name.
func athenaColumns() []*pqColumn {
	var cols []*pqColumn
	for _, c := range cur1Columns {
		cols = append(cols, &pqColumn{name: c.snake(), col: c})
	}
	return cols
}

// cur2Product are the product attributes CUR 2.0 keeps as columns; the
// rest live in its product map.
var cur2Product = []string{"fromLocation", "instanceFamily", "instanceType", "location", "operation",
	"productFamily", "regionCode", "servicecode", "sku", "toLocation", "usagetype"}

// cur2Columns are CUR 2.0's: the core columns, some product_* columns, the
// account names, and the map columns product, resource_tags and
// cost_category.
func cur2Columns() []*pqColumn {
	var cols []*pqColumn
	for _, c := range coreColumns {
		cols = append(cols, &pqColumn{name: c.snake(), col: c})
	}
	for _, n := range cur2Product {
		i := productIndex[n]
		c := str("product", n, func(it *item) string { return it.productField(i) })
		cols = append(cols, &pqColumn{name: c.snake(), col: c})
	}
	cols = append(cols,
		&pqColumn{name: "bill_payer_account_name", col: str("bill", "PayerAccountName", func(it *item) string { return "org-" + it.payer.id })},
		&pqColumn{name: "line_item_usage_account_name", col: str("lineItem", "UsageAccountName", func(it *item) string { return "acct-" + it.acct.id })},
		&pqColumn{name: "product", mapOf: func(it *item, m []kv) []kv {
			if it.prof != nil {
				return append(m, it.prof.kvs...)
			}
			return append(m, kv{"product_name", it.svc.name})
		}},
		&pqColumn{name: "resource_tags", mapOf: func(it *item, m []kv) []kv {
			for i, t := range it.tags {
				if t != "" {
					m = append(m, kv{tagKeys[i], t})
				}
			}
			return m
		}},
		&pqColumn{name: "cost_category", mapOf: func(it *item, m []kv) []kv {
			return append(m, kv{"business_unit", it.acct.costCats[0]}, kv{"environment", it.acct.costCats[1]})
		}},
	)
	return cols
}

// tagKeys are the resource_tags keys of CUR 2.0, "user_name".
var tagKeys = func() (keys [len(tagColumns)]string) {
	for i, t := range tagColumns {
		keys[i] = snakeCase(t)
	}
	return keys
}()

// productKVs returns the product map of p, sorted by key.
func productKVs(p *profile) []kv {
	var m []kv
	for i, v := range p.product {
		if v != "" {
			m = append(m, kv{snakeCase(productNames[i]), v})
		}
	}
	slices.SortFunc(m, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	return m
}

// pqBatch is how many rows a Parquet writer buffers per WriteRows.
const pqBatch = 512

// pqWriter writes line items as Parquet, building rows by hand: no
// reflection, one Value per leaf, in leaf order.
type pqWriter struct {
	w    *parquet.Writer
	cols []*pqColumn // in leaf order
	rows []parquet.Row
	kvs  []kv
}

func newPQWriter(out io.Writer, cols []*pqColumn) (*pqWriter, error) {
	g := parquet.Group{}
	for _, c := range cols {
		if _, dup := g[c.name]; dup {
			return nil, fmt.Errorf("parquet schema: two columns named %s", c.name)
		}
		switch {
		case c.mapOf != nil:
			g[c.name] = parquet.Optional(parquet.Map(parquet.String(), parquet.Optional(parquet.Encoded(parquet.String(), &parquet.RLEDictionary))))
		case c.col.kind == kindNumber:
			g[c.name] = parquet.Optional(parquet.Leaf(parquet.DoubleType))
		case c.col.kind == kindTime:
			g[c.name] = parquet.Optional(parquet.Timestamp(parquet.Millisecond))
		default:
			g[c.name] = parquet.Optional(parquet.Encoded(parquet.String(), &parquet.RLEDictionary))
		}
	}
	schema := parquet.NewSchema("cur", g)
	for _, c := range cols {
		path := []string{c.name}
		if c.mapOf != nil {
			path = []string{c.name, "key_value", "key"}
			v, ok := schema.Lookup(c.name, "key_value", "value")
			if !ok {
				return nil, fmt.Errorf("parquet schema: no value leaf under %s", c.name)
			}
			c.valDef = v.MaxDefinitionLevel
		}
		leaf, ok := schema.Lookup(path...)
		if !ok {
			return nil, fmt.Errorf("parquet schema: no leaf %s", strings.Join(path, "."))
		}
		c.leaf, c.def = leaf.ColumnIndex, leaf.MaxDefinitionLevel
	}
	sorted := slices.Clone(cols)
	slices.SortFunc(sorted, func(a, b *pqColumn) int { return a.leaf - b.leaf })
	config, err := parquet.NewWriterConfig(schema, parquet.Compression(&snappy.Codec{}),
		parquet.MaxRowsPerRowGroup(64<<10), parquet.CreatedBy("curgen", "1", ""))
	if err != nil {
		return nil, fmt.Errorf("parquet writer: %w", err)
	}
	return &pqWriter{w: parquet.NewWriter(out, config), cols: sorted}, nil
}

// bytesOf views s as bytes without copying: the writer copies values into
// its column buffers, and Go strings are never modified.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func (p *pqWriter) write(it *item) error {
	var row parquet.Row
	if n := len(p.rows); n < cap(p.rows) {
		row = p.rows[:n+1][n][:0]
	}
	for _, c := range p.cols {
		if c.mapOf != nil {
			p.kvs = c.mapOf(it, p.kvs[:0])
			if len(p.kvs) == 0 { // an empty map, not a null one
				row = append(row, parquet.NullValue().Level(0, c.def-1, c.leaf), parquet.NullValue().Level(0, c.def-1, c.leaf+1))
				continue
			}
			for i, e := range p.kvs {
				row = append(row, parquet.ByteArrayValue(bytesOf(e.k)).Level(min(i, 1), c.def, c.leaf))
			}
			for i, e := range p.kvs {
				row = append(row, parquet.ByteArrayValue(bytesOf(e.v)).Level(min(i, 1), c.valDef, c.leaf+1))
			}
			continue
		}
		v := parquet.NullValue()
		switch c.col.kind {
		case kindString:
			if s := c.col.str(it); s != "" {
				v = parquet.ByteArrayValue(bytesOf(s))
			}
		case kindNumber:
			if a := c.col.num(it); a.set {
				v = parquet.DoubleValue(a.f)
			}
		case kindTime:
			if t := c.col.tim(it); !t.IsZero() {
				v = parquet.Int64Value(t.UnixMilli())
			}
		}
		def := c.def
		if v.IsNull() {
			def = 0
		}
		row = append(row, v.Level(0, def, c.leaf))
	}
	p.rows = append(p.rows, row)
	if len(p.rows) == pqBatch {
		return p.flush()
	}
	return nil
}

func (p *pqWriter) flush() error {
	if _, err := p.w.WriteRows(p.rows); err != nil {
		return fmt.Errorf("write parquet rows: %w", err)
	}
	p.rows = p.rows[:0]
	return nil
}

// Close writes the buffered rows and the footer.
func (p *pqWriter) Close() error {
	if len(p.rows) > 0 {
		if err := p.flush(); err != nil {
			return err
		}
	}
	if err := p.w.Close(); err != nil {
		return fmt.Errorf("close parquet: %w", err)
	}
	return nil
}
