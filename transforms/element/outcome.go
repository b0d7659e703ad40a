package element

import (
	"slices"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/rowcoder"
)

func init() {
	rowcoder.Register(encodeOutcome, decodeOutcome)
}

var outcomeCodec rowcoder.Codec[Outcome]

func encodeOutcome(v Outcome) ([]byte, error) { return outcomeCodec.Encode(v) }
func decodeOutcome(b []byte) (Outcome, error) { return outcomeCodec.Decode(b) }

// The outcomes of a report.
const (
	Committed = "committed"
	Failed    = "failed"
	Skipped   = "skipped"
)

// Outcome is what happened to one report, for the run summary and the
// notifications.
type Outcome struct {
	Ref           string
	ReportID      string
	ExportKey     string // short stable token of the export across its billing periods
	Name          string
	BillingPeriod string
	Version       string
	Status        string // Committed, Failed or Skipped
	Reason        string // why it failed or was skipped
	Files         int
	Rows          int64
	BadRows       int64
	Days          []string
	Payers        []string // the payer accounts of its cells, sorted
	Totals        []CurrencyTotal
	Millis        int64 // parse time summed over the report's files
	// Messages announced the report (stream mode): acknowledged when it
	// is committed or skipped, left for redelivery when it failed.
	Messages []Message
	// Findings are the URLs of what the report's files gathered for the
	// savings rules (parse.ParseOptions.Findings), in file order.
	Findings []string
	// Unnotified says why the report's notification could not be sent
	// (stream mode); its messages are then left for redelivery too.
	Unnotified string
}

// CurrencyTotal is a sum for one provider and currency.
type CurrencyTotal struct {
	Provider     string
	Currency     string
	Unblended    decimal.Decimal
	NetUnblended decimal.Decimal
	Amortized    decimal.Decimal
	LineItems    int64
}

// NewestComplete returns the newest complete day of the report version:
// its newest day, or the day before when that one is the newest day of a
// billing period not yet over, which a delivery bills only in part; ""
// when there is none.
func (o Outcome) NewestComplete() string {
	if len(o.Days) == 0 {
		return ""
	}
	newest := slices.Max(o.Days)
	if len(o.BillingPeriod) < 7 {
		return newest
	}
	start, err := time.Parse("2006-01", o.BillingPeriod[:7])
	if err != nil {
		return newest
	}
	if newest >= start.AddDate(0, 1, -1).Format(time.DateOnly) {
		return newest
	}
	d, err := time.Parse(time.DateOnly, newest)
	if err != nil {
		return ""
	}
	return d.AddDate(0, 0, -1).Format(time.DateOnly)
}
