package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Manifest formats, as told apart by ParseManifest.
const (
	FormatCUR1 = "cur1" // legacy Cost and Usage Report manifest (assemblyId, reportKeys)
	FormatCUR2 = "cur2" // AWS Data Exports manifest (executionId, dataFiles)
)

// Sentinel causes wrapped by ParseManifest's errors.
var (
	// ErrNotManifest: valid JSON that names no version and no files.
	ErrNotManifest = errors.New("not a billing manifest: no assemblyId, reportKeys, executionId or dataFiles")
	// ErrBadPeriod: a billingPeriod bound that is not a recognised timestamp.
	ErrBadPeriod = errors.New("unrecognised billing period timestamp")
	// ErrEmptyKey: a blank entry in reportKeys or dataFiles, which could never be resolved.
	ErrEmptyKey = errors.New("empty object key")
)

// Manifest is what a billing manifest says about one delivery. CUR 1.0 fills
// AssemblyID, ReportName, ReportKeys; CUR 2.0 (Data Exports) fills
// ExecutionID, ExportARN, DataFiles. Fields absent from the JSON stay zero.
type Manifest struct {
	Format        string   // FormatCUR1 or FormatCUR2
	AssemblyID    string   // CUR 1.0: the delivery (version) id
	Account       string   // CUR 1.0: payer account id, kept as text
	ReportID      string   // CUR 1.0
	ReportName    string   // CUR 1.0
	ExecutionID   string   // CUR 2.0: the delivery (version) id
	ExportARN     string   // CUR 2.0
	ExportName    string   // CUR 2.0, when the manifest carries it
	BillingPeriod Period   // start inclusive, end exclusive, UTC
	Bucket        string   // S3 bucket the keys live in, "" when not given
	ReportKeys    []string // CUR 1.0: bucket-relative keys, possibly with a leading '/'
	DataFiles     []string // CUR 2.0: full s3:// URIs
	Compression   string   // "GZIP", "ZIP", "Parquet", ...
	ContentType   string
	Charset       string
	Columns       []Column
}

// Column is one column a manifest declares. CUR 1.0 gives category and name
// ("lineItem", "UnblendedCost"); CUR 2.0 gives name and type.
type Column struct {
	Category string `json:"category,omitempty"`
	Name     string `json:"name"`
	Type     string `json:"type,omitempty"`
}

// Period is a billing period, [Start, End) in UTC. Zero when the manifest has none.
type Period struct {
	Start, End time.Time
}

// Month returns the period's start as "YYYY-MM", or "" when unknown.
func (p Period) Month() string {
	if p.Start.IsZero() {
		return ""
	}
	return p.Start.UTC().Format("2006-01")
}

// Version returns the delivery id: the assemblyId (CUR 1.0) or the executionId (CUR 2.0).
func (m Manifest) Version() string {
	if m.AssemblyID != "" {
		return m.AssemblyID
	}
	return m.ExecutionID
}

// Keys returns the data objects the manifest names: dataFiles, else reportKeys.
func (m Manifest) Keys() []string {
	if len(m.DataFiles) > 0 {
		return m.DataFiles
	}
	return m.ReportKeys
}

// Name returns the report or export name: reportName, exportName, or the name
// in the export ARN ("export/<name>-<uuid>"), in that order.
func (m Manifest) Name() string {
	switch {
	case m.ReportName != "":
		return m.ReportName
	case m.ExportName != "":
		return m.ExportName
	}
	return exportNameFromARN(m.ExportARN)
}

type rawManifest struct {
	AssemblyID    *string         `json:"assemblyId"`
	Account       flexString      `json:"account"`
	ReportID      string          `json:"reportId"`
	ReportName    string          `json:"reportName"`
	ExecutionID   *string         `json:"executionId"`
	ExportARN     string          `json:"exportArn"`
	ExportName    string          `json:"exportName"`
	BillingPeriod json.RawMessage `json:"billingPeriod"`
	Bucket        string          `json:"bucket"`
	ReportKeys    []string        `json:"reportKeys"`
	DataFiles     []string        `json:"dataFiles"`
	Compression   string          `json:"compression"`
	ContentType   string          `json:"contentType"`
	Charset       string          `json:"charset"`
	Columns       []Column        `json:"columns"`
}

// flexString accepts a JSON string or number, so an account id written as a
// number keeps its digits instead of failing the manifest.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// ParseManifest parses a CUR 1.0 or CUR 2.0 (Data Exports) manifest. Unknown
// fields are ignored; a UTF-8 byte order mark is skipped. billingPeriod may be
// {"start","end"} in the compact CUR form ("20180801T000000.000Z"), RFC 3339,
// "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD" or "YYYY-MM"; or a bare "YYYY-MM" string.
func ParseManifest(b []byte) (Manifest, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var raw rawManifest
	if err := json.Unmarshal(b, &raw); err != nil {
		return Manifest{}, fmt.Errorf("parse manifest: %w", err)
	}
	m := Manifest{
		Account:     string(raw.Account),
		ReportID:    raw.ReportID,
		ReportName:  raw.ReportName,
		ExportARN:   raw.ExportARN,
		ExportName:  raw.ExportName,
		Bucket:      raw.Bucket,
		ReportKeys:  raw.ReportKeys,
		DataFiles:   raw.DataFiles,
		Compression: raw.Compression,
		ContentType: raw.ContentType,
		Charset:     raw.Charset,
		Columns:     raw.Columns,
	}
	if raw.AssemblyID != nil {
		m.AssemblyID = *raw.AssemblyID
	}
	if raw.ExecutionID != nil {
		m.ExecutionID = *raw.ExecutionID
	}
	switch {
	case raw.ExecutionID != nil || raw.DataFiles != nil || raw.ExportARN != "":
		m.Format = FormatCUR2
	case raw.AssemblyID != nil || raw.ReportKeys != nil:
		m.Format = FormatCUR1
	default:
		return Manifest{}, fmt.Errorf("parse manifest: %w", ErrNotManifest)
	}
	for i, k := range m.ReportKeys {
		if strings.TrimSpace(k) == "" {
			return Manifest{}, fmt.Errorf("parse manifest: reportKeys[%d]: %w", i, ErrEmptyKey)
		}
	}
	for i, k := range m.DataFiles {
		if strings.TrimSpace(k) == "" {
			return Manifest{}, fmt.Errorf("parse manifest: dataFiles[%d]: %w", i, ErrEmptyKey)
		}
	}
	p, err := parsePeriod(raw.BillingPeriod)
	if err != nil {
		return Manifest{}, fmt.Errorf("parse manifest: billingPeriod: %w", err)
	}
	m.BillingPeriod = p
	return m, nil
}

func parsePeriod(raw json.RawMessage) (Period, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return Period{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Period{}, err
		}
		start, err := parseTime(s)
		if err != nil || start.IsZero() {
			return Period{}, err
		}
		return Period{Start: start, End: start.AddDate(0, 1, 0)}, nil
	}
	var obj struct {
		Start string `json:"start"`
		End   string `json:"end"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return Period{}, err
	}
	start, err := parseTime(obj.Start)
	if err != nil {
		return Period{}, fmt.Errorf("start: %w", err)
	}
	end, err := parseTime(obj.End)
	if err != nil {
		return Period{}, fmt.Errorf("end: %w", err)
	}
	return Period{Start: start, End: end}, nil
}

// timeLayouts are tried in order; a fraction of seconds is optional in each.
var timeLayouts = []string{
	"20060102T150405.999999999Z", // CUR 1.0 compact form
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
	"2006-01",
}

// parseTime reads one period bound; "" is a zero time, not an error, since
// bounds are optional.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: %w", s, ErrBadPeriod)
}

var uuidSuffix = regexp.MustCompile(`-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// exportNameFromARN takes "my-export" from
// "arn:aws:bcm-data-exports:us-east-1:123456789012:export/my-export-<uuid>".
func exportNameFromARN(arn string) string {
	i := strings.LastIndex(arn, ":export/")
	if i < 0 {
		return ""
	}
	return uuidSuffix.ReplaceAllString(arn[i+len(":export/"):], "")
}
