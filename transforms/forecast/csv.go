package forecast

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
)

// WriteCSV writes rows under DetailHeader, or Header when detail is off.
func WriteCSV(w io.Writer, rows []Row, detail bool) error {
	cw := csv.NewWriter(w)
	header := Header
	if detail {
		header = DetailHeader
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(r.Fields(detail)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV reads what WriteCSV wrote, under either header.
func ReadCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("forecasts header: %w", err)
	}
	detail := slices.Equal(head, DetailHeader)
	if !detail && !slices.Equal(head, Header) {
		return nil, fmt.Errorf("forecasts header %q, want %q", head, Header)
	}
	cr.FieldsPerRecord = len(head)
	var out []Row
	for {
		f, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("forecasts: %w", err)
		}
		if !detail {
			f = slices.Insert(f, 2, "", "")
		}
		row, err := parseRow(f)
		if err != nil {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("forecasts line %d: %w", line, err)
		}
		out = append(out, row)
	}
}

// parseRow parses the fields of a row under DetailHeader.
func parseRow(f []string) (Row, error) {
	var errs []error
	num := func(i int) decimal.Decimal {
		d, err := decimal.Parse(f[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", DetailHeader[i], err))
		}
		return d
	}
	est := func(i int) Estimate {
		return Estimate{Forecast: num(i), Lower80: num(i + 1), Upper80: num(i + 2), Lower95: num(i + 3), Upper95: num(i + 4)}
	}
	r := Row{Payer: f[1], Account: f[2], Service: f[3], Currency: f[4], Measure: f[12]}
	r.MonthToDate, r.Estimate, r.Steps, r.Next = num(5), est(6), num(13), est(14)
	month, err := anomaly.ParseDay(f[0] + "-01")
	if err != nil {
		errs = append(errs, fmt.Errorf("billing_period %q: %w", f[0], err))
	}
	if r.AsOf, err = anomaly.ParseDay(f[11]); err != nil {
		errs = append(errs, fmt.Errorf("as_of: %w", err))
	}
	if r.UsageDays, err = strconv.Atoi(f[19]); err != nil {
		errs = append(errs, fmt.Errorf("usage_days: %w", err))
	}
	r.Month, r.Days = month, int(monthStart(month+31)-month)
	return r, errors.Join(errs...)
}

// Writer writes rows under DetailHeader one at a time.
type Writer struct {
	cw     *csv.Writer
	header bool
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{cw: csv.NewWriter(w)} }

// Write writes a row, after the header when it is the first.
func (w *Writer) Write(r Row) error {
	if !w.header {
		w.header = true
		if err := w.cw.Write(DetailHeader); err != nil {
			return err
		}
	}
	return w.cw.Write(r.Fields(true))
}

// Flush writes the header if no row was written, and what is buffered.
func (w *Writer) Flush() error {
	if !w.header {
		w.header = true
		if err := w.cw.Write(DetailHeader); err != nil {
			return err
		}
	}
	w.cw.Flush()
	return w.cw.Error()
}
