package element

import (
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
	Name          string
	BillingPeriod string
	Version       string
	Status        string // Committed, Failed or Skipped
	Reason        string // why it failed or was skipped
	Files         int
	Rows          int64
	BadRows       int64
	Days          []string
	Totals        []CurrencyTotal
	Millis        int64 // parse time summed over the report's files
	// Messages announced the report (stream mode): acknowledged when it
	// is committed or skipped, left for redelivery when it failed.
	Messages []Message
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
