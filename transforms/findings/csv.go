package findings

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Header is the CSV header WriteCSV writes and ReadCSV expects. Its first
// eight columns are the issue's; after them: the payer, the days seen in
// the month of last_seen, the detail (instance or volume type), the usage
// types joined by "|", and the evidence as name=value pairs joined by ";".
var Header = []string{
	"rule", "resource_id", "usage_account_id", "region", "first_seen", "last_seen",
	"monthly_cost", "estimated_monthly_saving",
	"payer_account_id", "days_seen", "detail", "usage_types", "evidence",
}

// ErrUnencodable is wrapped by WriteCSV's error for a finding a text field
// of which the CSV form cannot carry back: a usage type holding "|", an
// evidence name holding "=" or ";", or any field holding a carriage return
// (which CSV readers drop before a newline).
var ErrUnencodable = errors.New("field cannot round-trip through CSV")

// WriteCSV writes the header and one record per finding, in the order
// given.
func WriteCSV(w io.Writer, fs []Finding) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return fmt.Errorf("findings: writing CSV header: %w", err)
	}
	for i, f := range fs {
		rec, err := record(f)
		if err != nil {
			return fmt.Errorf("findings: finding %d (%s %s): %w", i, f.Rule, f.ResourceID, err)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("findings: writing finding %d: %w", i, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("findings: writing CSV: %w", err)
	}
	return nil
}

func record(f Finding) ([]string, error) {
	for _, ut := range f.Evidence.UsageTypes {
		if ut == "" || strings.Contains(ut, "|") {
			return nil, fmt.Errorf("usage type %q: %w", ut, ErrUnencodable)
		}
	}
	pairs := make([]string, len(f.Evidence.Figures))
	for i, m := range f.Evidence.Figures {
		if m.Name == "" || strings.ContainsAny(m.Name, "=;") {
			return nil, fmt.Errorf("evidence name %q: %w", m.Name, ErrUnencodable)
		}
		pairs[i] = m.Name + "=" + m.Value.String()
	}
	rec := []string{
		f.Rule, f.ResourceID, f.UsageAccount, f.Region, f.FirstSeen, f.LastSeen,
		f.MonthlyCost.String(), f.MonthlySaving.String(),
		f.Payer, strconv.Itoa(f.DaysSeen), f.Detail,
		strings.Join(f.Evidence.UsageTypes, "|"), strings.Join(pairs, ";"),
	}
	for _, s := range rec {
		if strings.Contains(s, "\r") {
			return nil, fmt.Errorf("carriage return in %q: %w", s, ErrUnencodable)
		}
	}
	return rec, nil
}

// ReadCSV reads what WriteCSV wrote. The header must begin with Header;
// further columns are ignored, so that columns can be added.
func ReadCSV(r io.Reader) ([]Finding, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("findings: reading CSV header: %w", err)
	}
	if len(head) < len(Header) || !slices.Equal(head[:len(Header)], Header) {
		return nil, fmt.Errorf("findings: CSV header %q does not begin with %q", head, Header)
	}
	var out []Finding
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("findings: reading CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) < len(Header) {
			return nil, fmt.Errorf("findings: CSV line %d: %d fields, want %d", line, len(rec), len(Header))
		}
		f, err := parseRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("findings: CSV line %d: %w", line, err)
		}
		out = append(out, f)
	}
}

func parseRecord(rec []string) (Finding, error) {
	f := Finding{
		Rule: rec[0], ResourceID: rec[1], UsageAccount: rec[2], Region: rec[3],
		FirstSeen: rec[4], LastSeen: rec[5], Payer: rec[8], Detail: rec[10],
	}
	var err error
	if f.MonthlyCost, err = decimal.Parse(rec[6]); err != nil {
		return f, fmt.Errorf("monthly_cost: %w", err)
	}
	if f.MonthlySaving, err = decimal.Parse(rec[7]); err != nil {
		return f, fmt.Errorf("estimated_monthly_saving: %w", err)
	}
	if f.DaysSeen, err = strconv.Atoi(rec[9]); err != nil {
		return f, fmt.Errorf("days_seen: %w", err)
	}
	if rec[11] != "" {
		f.Evidence.UsageTypes = strings.Split(rec[11], "|")
	}
	if rec[12] == "" {
		return f, nil
	}
	for pair := range strings.SplitSeq(rec[12], ";") {
		name, value, ok := strings.Cut(pair, "=")
		if !ok {
			return f, fmt.Errorf("evidence %q: no '='", pair)
		}
		d, err := decimal.Parse(value)
		if err != nil {
			return f, fmt.Errorf("evidence %s: %w", name, err)
		}
		f.Evidence.Figures = append(f.Evidence.Figures, Measure{Name: name, Value: d})
	}
	return f, nil
}
