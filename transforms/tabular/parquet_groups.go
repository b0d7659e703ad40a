package tabular

import (
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go/format"
)

// nextGroup opens the selected column chunks of the next row group.
func (p *parquetReader) nextGroup() error {
	groups := p.file.RowGroups()
	if p.group+1 >= p.end {
		p.group = p.end
		return io.EOF
	}
	p.group++
	g := groups[p.group]
	p.left = g.NumRows()
	if p.left < 0 {
		return fmt.Errorf("row group %d has %d rows", p.group, p.left)
	}
	chunks, meta := g.ColumnChunks(), p.file.Metadata().RowGroups[p.group].Columns
	if err := p.checkGroup(meta); err != nil {
		return err
	}
	for _, cs := range p.cursors {
		for _, c := range cs {
			c.close()
			i := c.leaf.Index()
			if i >= len(chunks) || i >= len(meta) {
				return fmt.Errorf("row group %d lacks column %d", p.group, i)
			}
			if err := c.load(p.src, chunks[i], &meta[i].MetaData, p.limits.ParquetPageBytes); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkGroup holds the selected column chunks of the current row group,
// which are read whole, against the limits.
func (p *parquetReader) checkGroup(meta []format.ColumnChunk) error {
	var total int64
	for _, cs := range p.cursors {
		for _, c := range cs {
			i := c.leaf.Index()
			if i >= len(meta) {
				continue // nextGroup says what is missing
			}
			n := meta[i].MetaData.TotalCompressedSize
			if n > p.limits.ParquetColumnChunkBytes {
				return &RowError{Object: p.object, Pos: p.pos + 1, Err: &LimitError{
					What:  fmt.Sprintf("row group %d's column chunk %q (%s)", p.group, c.leaf.Name(), byteSize(n)),
					Limit: p.limits.ParquetColumnChunkBytes, Unit: "bytes", Flag: "--max-parquet-column-chunk-bytes"}}
			}
			total += max(n, 0)
		}
	}
	if total > p.limits.ParquetRowGroupBytes {
		return &RowError{Object: p.object, Pos: p.pos + 1, Err: &LimitError{
			What:  fmt.Sprintf("row group %d's selected columns (%s)", p.group, byteSize(total)),
			Limit: p.limits.ParquetRowGroupBytes, Unit: "bytes", Flag: "--max-parquet-row-group-bytes"}}
	}
	return nil
}

// NextChunk returns a reader of the next row group, with this reader's
// selection and the group's row numbers: row groups are read apart, each
// column chunk from its own offset, so they can be read in parallel. It
// ignores size (a row group is what its writer made it) and must be
// called before Next.
func (p *parquetReader) NextChunk(int) (Reader, error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.unread != nil {
		return nil, p.unread
	}
	if p.left > 0 || p.end != len(p.file.RowGroups()) {
		return nil, fmt.Errorf("tabular: %s: NextChunk after Next", p.object)
	}
	if p.group+1 >= p.end {
		p.group = p.end
		return nil, io.EOF
	}
	p.group++
	ch := &parquetReader{object: p.object, file: p.file, src: &readerAt{r: p.src.r}, cols: p.cols, groups: p.groups,
		header: p.header, group: p.group - 1, end: p.group + 1, pos: p.pos, limits: p.limits}
	p.pos += p.file.RowGroups()[p.group].NumRows()
	ch.sel, ch.cursors = p.sel, make([][]*cursor, len(p.sel))
	for i, col := range p.sel {
		if col != nil {
			ch.cursors[i] = col.newCursors()
		}
	}
	ch.out, ch.spans = make([]string, len(p.sel)), make([]span, len(p.sel))
	return ch, nil
}
