package totals

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
	b := make([]byte, 0, 64<<10)
	b = append(b, strings.Join(DetailHeader, ",")...)
	b = append(b, '\n')
	for _, r := range rows {
		for _, f := range [...]string{r.Day, r.Provider, r.Payer, r.Account, r.Service, r.Currency} {
			b = append(appendField(b, f), ',')
		}
		b, _ = r.Unblended.AppendText(b)
		b = append(b, ',')
		b, _ = r.NetUnblended.AppendText(b)
		b = append(b, ',')
		b, _ = r.Amortized.AppendText(b)
		b = append(b, ',')
		b = append(strconv.AppendInt(b, r.LineItems, 10), '\n')
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
	cw := csv.NewWriter(w)
	cw.Write(DailyHeader)
	rec := make([]string, len(DailyHeader))
	for _, r := range rows {
		cw.Write(r.Sums.appendFields(append(rec[:0], r.Day, r.Provider, r.Currency)))
	}
	cw.Flush()
	return cw.Error()
}

func (s Sums) appendFields(rec []string) []string {
	return append(rec, s.Unblended.String(), s.NetUnblended.String(), s.Amortized.String(), strconv.FormatInt(s.LineItems, 10))
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
		var s Sums
		for i, p := range []*decimal.Decimal{&s.Unblended, &s.NetUnblended, &s.Amortized} {
			if *p, err = decimal.Parse(rec[6+i]); err != nil {
				line, _ := cr.FieldPos(6 + i)
				return fmt.Errorf("line %d, %s: %w", line, DetailHeader[6+i], err)
			}
		}
		if s.LineItems, err = strconv.ParseInt(rec[9], 10, 64); err != nil {
			line, _ := cr.FieldPos(9)
			return fmt.Errorf("line %d, %s: %w", line, DetailHeader[9], err)
		}
		fn(Dims{Day: rec[0], Provider: rec[1], Payer: rec[2], Account: rec[3], Service: rec[4], Currency: rec[5]}, s)
	}
}
