package tabular

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// csvReader reads RFC 4180 CSV with encoding/csv, which handles quoted
// commas and newlines inside fields and CRLF endings.
type csvReader struct {
	object string
	r      *csv.Reader
	header []string
	// width is the field count of the first data row. AWS and its tools
	// sometimes write a header whose name count differs from every row's
	// field count (a glued or missing name); a row that differs from the
	// file's own shape is the error, not the header.
	width   int
	sel     []int // header index per selected column, -1 when absent
	out     []string
	line    int64
	started bool
}

// NewCSVReader returns a Reader over CSV text. It reads the header at once
// and strips a UTF-8 byte order mark.
func NewCSVReader(r io.Reader, object string) (Reader, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // shape is checked here, with a better message
	cr.ReuseRecord = true
	h, err := cr.Read()
	if err == io.EOF {
		return nil, &RowError{Object: object, Err: ErrEmpty}
	}
	if err != nil {
		pos := int64(1)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			pos = int64(pe.StartLine) // blank lines before the header are skipped
		}
		return nil, csvError(object, pos, err)
	}
	header := make([]string, len(h))
	copy(header, h)
	return &csvReader{object: object, r: cr, header: header, width: -1}, nil
}

func (c *csvReader) Header() []string { return c.header }

// Width returns the field count of the file's data rows, or -1 before the
// first row. It differs from len(Header()) when the header is malformed.
func (c *csvReader) Width() int { return c.width }

func (c *csvReader) Select(names []string) error {
	if c.started {
		return fmt.Errorf("%s: Select after Next", c.object)
	}
	if err := ambiguous(c.object, c.header, names); err != nil {
		return err
	}
	c.sel = selectIndexes(c.header, names)
	c.out = make([]string, len(names))
	return nil
}

func (c *csvReader) Next() ([]string, error) {
	if c.sel == nil {
		// No Select: every field in file order. Selecting the header's own
		// names would not do: blank and repeated names select nothing and
		// the first column of the name.
		c.sel = make([]int, len(c.header))
		for i := range c.sel {
			c.sel[i] = i
		}
		c.out = make([]string, len(c.header))
	}
	c.started = true
	rec, err := c.r.Read()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		// FieldPos is no use here: a bare quote in the first field leaves
		// no field positions, and FieldPos(0) would panic.
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			c.line = int64(pe.StartLine)
		} else {
			c.line++ // an I/O error: the best guess is the line after the last row
		}
		return nil, csvError(c.object, c.line, err)
	}
	line, _ := c.r.FieldPos(0)
	c.line = int64(line)
	if c.width < 0 {
		if len(rec) > len(c.header) {
			// Fields past a missing or glued header name would each read
			// their neighbour's value: fail the file rather than guess.
			return nil, &RowError{Object: c.object, Pos: c.line,
				Err: fmt.Errorf("%w: the header has %d names but the rows have %d fields; a name is missing or glued to another, so columns cannot be matched",
					ErrHeader, len(c.header), len(rec))}
		}
		c.width = len(rec)
	}
	if len(rec) != c.width {
		return nil, &RowError{Object: c.object, Pos: c.line,
			Err: fmt.Errorf("%w: %d fields, the file's rows have %d", ErrFieldCount, len(rec), c.width)}
	}
	for i, j := range c.sel {
		if j >= 0 && j < len(rec) {
			c.out[i] = rec[j]
		} else {
			c.out[i] = ""
		}
	}
	return c.out, nil
}

func (c *csvReader) Pos() int64 { return c.line }

func (c *csvReader) Close() error { return nil }

// csvError classifies an error of the CSV reader at line pos. Malformed
// CSV and damaged containers are *RowError: the first so that a caller may
// skip the row, the second (ErrCorrupt) so that it knows it may not. Any
// other error comes from the source (a dropped connection, a cancelled
// context) and is returned as is, wrapped in neither, so that no caller
// mistakes lost rows for a skippable bad one.
func csvError(object string, pos int64, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.Line != pe.StartLine {
			// A quoted field spans lines; say where inside it.
			return &RowError{Object: object, Pos: pos,
				Err: fmt.Errorf("line %d, column %d: %w", pe.Line, pe.Column, pe.Err)}
		}
		return &RowError{Object: object, Pos: pos, Err: fmt.Errorf("column %d: %w", pe.Column, pe.Err)}
	}
	if errors.Is(err, ErrLimit) {
		return &RowError{Object: object, Pos: pos, Err: err}
	}
	// A truncated gzip or zip shows up as an unexpected EOF from below the
	// CSV reader.
	if errors.Is(err, io.ErrUnexpectedEOF) || isCorrupt(err) {
		return &RowError{Object: object, Pos: pos, Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	return fmt.Errorf("read %s near line %d: %w", object, pos, err)
}

// ambiguous fails a selection of a column that the header names twice:
// which of the two holds the figures cannot be told.
func ambiguous(object string, header, names []string) error {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	seen := make(map[string]bool, len(names))
	for _, h := range header {
		if !want[h] {
			continue
		}
		if seen[h] {
			return &RowError{Object: object, Pos: 1, Err: fmt.Errorf("%w: column %q appears twice", ErrHeader, h)}
		}
		seen[h] = true
	}
	return nil
}

// selectIndexes maps each wanted name to its header index, -1 when absent.
func selectIndexes(header, names []string) []int {
	pos := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := pos[h]; !dup {
			pos[h] = i
		}
	}
	sel := make([]int, len(names))
	for i, n := range names {
		j, ok := pos[n]
		if !ok || n == "" { // "" selects nothing, even under a blank header name
			j = -1
		}
		sel[i] = j
	}
	return sel
}
