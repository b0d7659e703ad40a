package totals

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// The CSV headers of the two grains.
var (
	DailyHeader  = []string{"usage_date", "provider", "currency", "unblended_cost", "net_unblended_cost", "amortized_cost", "line_items"}
	DetailHeader = []string{"usage_date", "provider", "payer_account_id", "usage_account_id", "service", "currency", "unblended_cost", "net_unblended_cost", "amortized_cost", "line_items"}
)

// Row is one entry of a Table, for ordered output.
type Row struct {
	Dims
	Sums
}

// Rows returns t's entries sorted by their dimensions.
func (t Table) Rows() []Row {
	rows := make([]Row, 0, len(t))
	for d, s := range t {
		rows = append(rows, Row{d, *s})
	}
	slices.SortFunc(rows, func(a, b Row) int { return a.Dims.Compare(b.Dims) })
	return rows
}

// Daily returns t summed to the coarse grain (day, provider, currency).
func (t Table) Daily() Table {
	out := make(Table)
	for d, s := range t {
		out.Merge(d.DayKey(), *s)
	}
	return out
}

// WriteDetail writes t as daily_detail.csv, sorted by its key columns.
func (t Table) WriteDetail(w io.Writer) error {
	return WriteDetailRows(w, t.Rows())
}

// WriteDetailRows writes rows as daily_detail.csv in the order given. The
// commit's shards arrive sorted and merged, so they need no Table (a map
// and a sort) to be written in the lake's order.
//
// It writes what encoding/csv's Writer would (TestWriteDetailRowsIsCSV),
// without a string per figure and a slice per row: the commit writes a
// report's every cell, and csv.Writer took most of that time.
func WriteDetailRows(w io.Writer, rows []Row) error {
	return writeRows(w, DetailHeader, rows, func(key []string, r *Row) []string {
		return append(key, r.Day, r.Provider, r.Payer, r.Account, r.Service, r.Currency)
	})
}

// writeRows writes header, then each row's key fields (appended by key to
// the slice it is given) and measures.
func writeRows(w io.Writer, header []string, rows []Row, key func([]string, *Row) []string) error {
	b := make([]byte, 0, 64<<10)
	b = append(b, strings.Join(header, ",")...)
	b = append(b, '\n')
	var fields []string
	for i := range rows {
		r := &rows[i]
		fields = key(fields[:0], r)
		b = appendRow(b, fields, r)
		if len(b) >= 60<<10 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := w.Write(b)
	return err
}

// appendRow appends one CSV line: the key fields, then r's measures.
func appendRow(b []byte, fields []string, r *Row) []byte {
	for _, f := range fields {
		b = append(appendField(b, f), ',')
	}
	b, _ = r.Unblended.AppendText(b)
	b = append(b, ',')
	b, _ = r.NetUnblended.AppendText(b)
	b = append(b, ',')
	b, _ = r.Amortized.AppendText(b)
	b = append(b, ',')
	return append(strconv.AppendInt(b, r.LineItems, 10), '\n')
}

// appendField appends f as encoding/csv's Writer writes a field: quoted,
// with its quotes doubled, when it holds a comma, quote or line break,
// begins with a space, or is \. (which PostgreSQL's COPY would misread).
func appendField(b []byte, f string) []byte {
	quote := f == `\.`
	for i := 0; i < len(f) && !quote; i++ {
		switch f[i] {
		case ',', '"', '\r', '\n':
			quote = true
		}
	}
	if !quote && f != "" {
		r, _ := utf8.DecodeRuneInString(f)
		quote = unicode.IsSpace(r)
	}
	if !quote {
		return append(b, f...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(f, '"')
		if i < 0 {
			break
		}
		b = append(append(b, f[:i+1]...), '"')
		f = f[i+1:]
	}
	return append(append(b, f...), '"')
}

// WriteDaily writes t summed to the coarse grain as daily.csv.
func (t Table) WriteDaily(w io.Writer) error {
	return WriteDailyRows(w, t.Daily().Rows())
}

// WriteDailyRows writes rows of the coarse grain (day, provider,
// currency) as daily.csv, in the order given.
func WriteDailyRows(w io.Writer, rows []Row) error {
	return writeRows(w, DailyHeader, rows, func(key []string, r *Row) []string {
		return append(key, r.Day, r.Provider, r.Currency)
	})
}

// ReadDetail reads a daily_detail.csv back into t, adding to what t holds.
func (t Table) ReadDetail(r io.Reader) error {
	return ScanDetail(r, t.Merge)
}

// ScanDetail reads a daily_detail.csv and calls fn with each row in file
// order. It checks the header and fails on the first malformed row,
// naming its line and column.
func ScanDetail(r io.Reader, fn func(Dims, Sums)) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(DetailHeader)
	h, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	if !slices.Equal(h, DetailHeader) {
		return fmt.Errorf("header %v, want %v", h, DetailHeader)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		s, bad, err := parseSums(rec[6:])
		if err != nil {
			line, _ := cr.FieldPos(6 + bad)
			return fmt.Errorf("line %d, %s: %w", line, DetailHeader[6+bad], err)
		}
		fn(Dims{Day: rec[0], Provider: rec[1], Payer: rec[2], Account: rec[3], Service: rec[4], Currency: rec[5]}, s)
	}
}

// ScanDetailBytes is ScanDetail over a file in memory. A file with no
// quote and no carriage return, as curpipe writes them unless a dimension
// holds a comma or a quote, is split at its commas and line ends without
// encoding/csv: rebuilding the lake's totals reads every committed cell.
// The Dims passed to fn may alias b.
func ScanDetailBytes(b []byte, fn func(Dims, Sums)) error {
	if bytes.IndexByte(b, '"') >= 0 || bytes.IndexByte(b, '\r') >= 0 {
		return ScanDetail(bytes.NewReader(b), fn)
	}
	var rec [10]string
	header := true
	for line := 1; len(b) > 0; line++ {
		var l []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			l, b = b[:i], b[i+1:]
		} else {
			l, b = b, nil
		}
		if len(l) == 0 {
			continue // encoding/csv skips blank lines
		}
		n := 0
		for f := range bytes.SplitSeq(l, []byte{','}) {
			if n < len(rec) {
				rec[n] = unsafe.String(unsafe.SliceData(f), len(f))
			}
			n++
		}
		if n != len(DetailHeader) {
			if header {
				return fmt.Errorf("read header: %d fields, want %d", n, len(DetailHeader))
			}
			return fmt.Errorf("line %d: %d fields, want %d", line, n, len(DetailHeader))
		}
		if header {
			if !slices.Equal(rec[:], DetailHeader) {
				return fmt.Errorf("header %v, want %v", rec[:], DetailHeader)
			}
			header = false
			continue
		}
		s, bad, err := parseSums(rec[6:])
		if err != nil {
			return fmt.Errorf("line %d, %s: %w", line, DetailHeader[6+bad], err)
		}
		fn(Dims{Day: rec[0], Provider: rec[1], Payer: rec[2], Account: rec[3], Service: rec[4], Currency: rec[5]}, s)
	}
	if header {
		return errors.New("read header: empty file")
	}
	return nil
}

// parseSums parses the four measure fields of a detail row; on error it
// also returns which of them failed.
func parseSums(f []string) (s Sums, bad int, err error) {
	for i, p := range [...]*decimal.Decimal{&s.Unblended, &s.NetUnblended, &s.Amortized} {
		if *p, err = decimal.Parse(f[i]); err != nil {
			return s, i, err
		}
	}
	if s.LineItems, err = strconv.ParseInt(f[3], 10, 64); err != nil {
		return s, 3, err
	}
	return s, 0, nil
}
