package alert

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Record is an anomaly as it is stored beside the totals: its figures,
// its status, and what was published of it, so that a redelivery, a
// rerun or a later window announces nothing twice.
type Record struct {
	Anomaly
	Status Status
	// Published is false for an anomaly recorded but not announced: below
	// the thresholds, or older than the alert horizon (a backfill).
	Published bool
	// Told is the impact last announced; a growth is measured from it.
	Told decimal.Decimal
}

// Header is the CSV header of the records, as `curpipe anomalies` lists
// them: usage_date is the anomaly's first day, the figures are over all
// its days.
var Header = []string{"usage_date", "payer_account_id", "usage_account_id", "service", "currency",
	"expected_cost", "actual_cost", "impact", "impact_percent", "max_impact", "anomaly_end", "days", "kind", "status",
	"published", "score", "root_causes", "told_impact"}

// WriteCSV writes the records with Header, sorted by first day and series.
func WriteCSV(w io.Writer, recs []Record) error {
	recs = slices.Clone(recs)
	Sort(recs)
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	for _, r := range recs {
		pct := ""
		if r.ImpactPercent != nil {
			pct = r.ImpactPercent.String()
		}
		causes, err := encodeCauses(r.RootCauses)
		if err != nil {
			return err
		}
		if err := cw.Write([]string{r.Start, r.Payer, r.Account, r.Service, r.Currency,
			r.Expected.String(), r.Actual.String(), r.Impact.String(), pct, r.MaxImpact.String(), r.End, strconv.Itoa(r.Days()),
			r.Kind, string(r.Status), strconv.FormatBool(r.Published), strconv.FormatFloat(r.Score, 'f', 2, 64),
			causes, r.Told.String()}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Sort orders records by first day, then series.
func Sort(recs []Record) {
	slices.SortFunc(recs, func(a, b Record) int {
		if c := strings.Compare(a.Start, b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID(), b.ID())
	})
}

// ReadCSV reads what WriteCSV wrote.
func ReadCSV(r io.Reader) ([]Record, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(Header)
	head, err := cr.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("anomalies header: %w", err)
	}
	if !slices.Equal(head, Header) {
		return nil, fmt.Errorf("anomalies header %q, want %q", head, Header)
	}
	var out []Record
	for {
		f, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("anomalies: %w", err)
		}
		rec, err := parseRecord(f)
		if err != nil {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("anomalies line %d: %w", line, err)
		}
		out = append(out, rec)
	}
}

func parseRecord(f []string) (Record, error) {
	var errs []error
	num := func(s string) decimal.Decimal {
		d, err := decimal.Parse(s)
		if err != nil {
			errs = append(errs, err)
		}
		return d
	}
	r := Record{Anomaly: Anomaly{Start: f[0], Payer: f[1], Account: f[2], Service: f[3], Currency: f[4],
		Expected: num(f[5]), Actual: num(f[6]), Impact: num(f[7]), MaxImpact: num(f[9]), End: f[10], Kind: f[12]},
		Status: Status(f[13]), Told: num(f[17])}
	if f[8] != "" {
		p := num(f[8])
		r.ImpactPercent = &p
	}
	var err error
	if r.Published, err = strconv.ParseBool(f[14]); err != nil {
		errs = append(errs, err)
	}
	if r.Score, err = strconv.ParseFloat(f[15], 64); err != nil {
		errs = append(errs, err)
	}
	if r.RootCauses, err = decodeCauses(f[16]); err != nil {
		errs = append(errs, err)
	}
	switch r.Status {
	case Open, Grown, Resolved:
	default:
		errs = append(errs, fmt.Errorf("status %q", r.Status))
	}
	return r, errors.Join(errs...)
}

// cause is a root cause in the root_causes column: a JSON array, since
// usage types and service names may hold any punctuation.
type cause struct {
	Account      string          `json:"account,omitempty"`
	Service      string          `json:"service,omitempty"`
	Region       string          `json:"region"`
	UsageType    string          `json:"usage_type"`
	Contribution decimal.Decimal `json:"contribution"`
}

func encodeCauses(cs []RootCause) (string, error) {
	if len(cs) == 0 {
		return "", nil
	}
	out := make([]cause, len(cs))
	for i, c := range cs {
		out[i] = cause(c)
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func decodeCauses(s string) ([]RootCause, error) {
	if s == "" {
		return nil, nil
	}
	var in []cause
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("root causes %q: %w", s, err)
	}
	out := make([]RootCause, len(in))
	for i, c := range in {
		out[i] = RootCause(c)
	}
	return out, nil
}
