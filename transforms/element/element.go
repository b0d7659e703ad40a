// Package element holds the plain data types that cross curpipe's Beam
// stages (reports, the files of a report, their parse statuses, partial
// sums, verdicts, day shards and outcomes), their coders, and the spilling
// of partial sums to the lake. Every stage package imports it; it imports
// no stage.
package element

import (
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/transforms/totals"
)

// Report is a resolved report as it travels through the graph.
type Report struct {
	Ref           string // ID@Version: the key that gathers the report's pieces
	ID            string // identity across versions
	Key           string // short stable token of ID, for file names
	ExportKey     string // short stable token of the export across its billing periods
	Name          string
	Kind          string
	BillingPeriod string // "YYYY-MM", "" when unknown
	Version       string
	VersionKey    string // short token of Version, for file names
	VersionTime   int64  // Unix nanoseconds; orders versions of one ID
	Manifest      string
	Files         []string
	Err           string // resolution failed: the report fails with this
	Skip          string // not processed, with why (an older version, say)
	// Messages are the queue messages that announced the report (stream
	// mode), acknowledged once it is committed.
	Messages []Message
}

// FileTask is one data object of a report, the unit of parallel work.
type FileTask struct {
	Ref           string
	ReportKey     string
	ReportName    string
	ReportID      string
	Version       string
	VersionKey    string
	BillingPeriod string
	URL           string
	Index         int // the file's position in the report; names its outputs
	// Messages announced the report; parsing keeps them invisible on their
	// queue so that no second reader takes the report meanwhile.
	Messages []Message
}

// FileGroup is some of a report's files, parsed one after another into
// one set of partial sums: a report's partials in the shuffle are one set
// per group, however many files it has.
type FileGroup struct {
	Tasks  []FileTask
	Groups int // how many groups its report's files were dealt into
}

// FileStatus is the outcome of parsing one file.
type FileStatus struct {
	Ref        string
	URL        string
	Index      int
	Rows       int64
	BadRows    int64
	Curated    []string // URLs of the curated Parquet files written
	Quarantine string   // URL of the quarantine file, "" if none
	Findings   string   // URL of what the file gathered for the savings rules, "" if nothing
	Err        string   // "" when the file parsed
	Millis     int64
	// Days are the UTC days the file has sums for, sorted: with its
	// siblings' they are what the report's commit must write, no fewer.
	Days []string
}

// DayVerdict is what the writer of one day's totals needs to know of its
// report's verdict. It travels to each day the verdict names, keyed like
// the day's totals and combined with them, so that the writer finds both
// in one element.
type DayVerdict struct {
	Ref         string
	ReportID    string
	ReportKey   string
	Version     string
	VersionKey  string
	VersionTime int64
	OK          bool // every file parsed: the day may be written
}

// DayTotal is a report's total for one cell: a totals.Row, so that a
// parse's rows cross the shuffle and reach the writers without a copy (a
// report can have millions of cells).
type DayTotal = totals.Row

// Message is a queue message whose work a report carries, to be
// acknowledged once the report is committed.
type Message struct {
	Queue         string
	ID            string
	ReceiptHandle string
}

// Receipts converts messages to what sqsio acknowledges.
func Receipts(ms []Message) []sqsio.Receipt {
	out := make([]sqsio.Receipt, len(ms))
	for i, m := range ms {
		out[i] = sqsio.Receipt{Queue: m.Queue, ID: m.ID, ReceiptHandle: m.ReceiptHandle}
	}
	return out
}
