package dynamodbio

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

// Version identifies one version of a report.
type Version struct {
	ReportKey   string // short stable key of the report; no '#'
	ReportID    string // the report's full identity, stored for people
	Version     string
	VersionTime int64 // Unix nanoseconds
}

// compareVersions orders versions of one report: by VersionTime, then by
// Version. ReportID is not part of the order.
func compareVersions(a, b Version) int {
	return cmp.Or(cmp.Compare(a.VersionTime, b.VersionTime), strings.Compare(a.Version, b.Version))
}

func (v Version) validate() error {
	switch {
	case v.ReportKey == "":
		return errors.New("empty report key")
	case strings.Contains(v.ReportKey, "#"):
		// '#' separates sort-key fields; a key containing it would match
		// another report's prefix.
		return fmt.Errorf("report key %q contains '#'", v.ReportKey)
	case v.Version == "":
		return fmt.Errorf("report %s: empty version", v.ReportKey)
	}
	return nil
}

// line is one (provider, service, currency) entry of a cell.
type line struct {
	Provider, Service, Currency string
	totals.Sums
}

// cell is one report's figures for one (day, payer, usage account).
type cell struct {
	Version
	Day, Payer, Account string
	Lines               []line // sorted by provider, service, currency
}

// Item attribute names.
const (
	attrReportKey   = "report_key"
	attrReportID    = "report_id"
	attrVersion     = "version"
	attrVersionTime = "version_time"
	attrDay         = "day"
	attrPayer       = "payer"
	attrAccount     = "account"
	attrLines       = "lines"

	attrName          = "name"
	attrBillingPeriod = "billing_period"
	attrDays          = "days"
	attrCommittedAt   = "committed_at"
	attrWriterVersion = "writer_version"
	attrWriterTime    = "writer_version_time"
	attrWriterDays    = "writer_days"
)

func dayPK(day string) string              { return "DAY#" + day }
func statePK(reportKey string) string      { return "REPORT#" + reportKey }
func reportPrefix(reportKey string) string { return "R#" + reportKey + "#" }
func cellSK(reportKey, payer, account string) string {
	return reportPrefix(reportKey) + escape(payer) + "#" + escape(account)
}

const stateSK = "STATE"

// escape keeps '#' out of the id fields of a sort key, so that distinct
// (payer, account) pairs never share one.
var escape = strings.NewReplacer("%", "%25", "#", "%23").Replace

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{keyPK: str(pk), keySK: str(sk)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func num(s string) types.AttributeValue { return &types.AttributeValueMemberN{Value: s} }

// cellsFor groups rows into cells keyed by sort key. Rows with equal
// dimensions are summed.
func cellsFor(v Version, day string, rows []totals.Row) (map[string]*cell, error) {
	cells := make(map[string]*cell)
	for _, r := range rows {
		if r.Day != day {
			return nil, fmt.Errorf("row of day %q among the rows of day %s", r.Day, day)
		}
		sk := cellSK(v.ReportKey, r.Payer, r.Account)
		c := cells[sk]
		if c == nil {
			c = &cell{Version: v, Day: day, Payer: r.Payer, Account: r.Account}
			cells[sk] = c
		}
		i, found := slices.BinarySearchFunc(c.Lines, r.Dims, compareLine)
		if found {
			c.Lines[i].Sums = c.Lines[i].Sums.Add(r.Sums)
			continue
		}
		c.Lines = slices.Insert(c.Lines, i, line{r.Provider, r.Service, r.Currency, r.Sums})
	}
	return cells, nil
}

func compareLine(l line, d totals.Dims) int {
	return cmp.Or(strings.Compare(l.Provider, d.Provider), strings.Compare(l.Service, d.Service), strings.Compare(l.Currency, d.Currency))
}

// sameLines reports whether a and b hold the same figures.
func sameLines(a, b []line) bool {
	return slices.EqualFunc(a, b, func(x, y line) bool {
		return x.Provider == y.Provider && x.Service == y.Service && x.Currency == y.Currency && x.Sums.Equal(y.Sums)
	})
}

// versionAttrs returns the attributes common to cells and markers.
func versionAttrs(v Version, day string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrReportKey:   str(v.ReportKey),
		attrReportID:    str(v.ReportID),
		attrVersion:     str(v.Version),
		attrVersionTime: num(strconv.FormatInt(v.VersionTime, 10)),
		attrDay:         str(day),
	}
}

// markerItem is the item through which a version claims a day.
func markerItem(v Version, day string) map[string]types.AttributeValue {
	it := versionAttrs(v, day)
	it[keyPK], it[keySK] = str(dayPK(day)), str(reportPrefix(v.ReportKey))
	return it
}

// item returns c as a DynamoDB item.
func (c *cell) item() map[string]types.AttributeValue {
	it := versionAttrs(c.Version, c.Day)
	it[keyPK], it[keySK] = str(dayPK(c.Day)), str(cellSK(c.ReportKey, c.Payer, c.Account))
	it[attrPayer], it[attrAccount] = str(c.Payer), str(c.Account)
	lines := make([]types.AttributeValue, len(c.Lines))
	for i, l := range c.Lines {
		lines[i] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"provider":      str(l.Provider),
			"service":       str(l.Service),
			"currency":      str(l.Currency),
			"unblended":     money(l.Unblended),
			"net_unblended": money(l.NetUnblended),
			"amortized":     money(l.Amortized),
			"line_items":    num(strconv.FormatInt(l.LineItems, 10)),
		}}
	}
	it[attrLines] = &types.AttributeValueMemberL{Value: lines}
	return it
}

// money stores d as a Number when DynamoDB can hold it exactly (at most 38
// significant digits, magnitude within 1e-130..1e126) and as a String of
// the same text otherwise. Trailing integer zeros count as digits here:
// being wrong on the safe side only costs a String.
func money(d decimal.Decimal) types.AttributeValue {
	s := d.String()
	intPart, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	all := intPart + frac
	sig := strings.TrimLeft(all, "0")
	if sig == "" {
		return num("0")
	}
	exp := len(intPart) - 1 - (len(all) - len(sig)) // power of ten of the first digit
	if len(sig) > 38 || exp < -130 || exp > 125 {
		return str(s)
	}
	return num(s)
}

// decodeMoney reads a cost stored as a Number or a String.
func decodeMoney(av types.AttributeValue) (decimal.Decimal, error) {
	switch v := av.(type) {
	case *types.AttributeValueMemberN:
		return decimal.Parse(v.Value)
	case *types.AttributeValueMemberS:
		return decimal.Parse(v.Value)
	case nil:
		return decimal.Decimal{}, errors.New("missing")
	}
	return decimal.Decimal{}, fmt.Errorf("%T, want N or S", av)
}

func getS(it map[string]types.AttributeValue, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func getN(it map[string]types.AttributeValue, name string) (int64, error) {
	v, ok := it[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("%s: missing or not a number", name)
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return n, nil
}

func getSS(it map[string]types.AttributeValue, name string) []string {
	v, ok := it[name].(*types.AttributeValueMemberSS)
	if !ok {
		return nil
	}
	return slices.Sorted(slices.Values(v.Value))
}

// decodeVersion reads the version stored under the given attribute names;
// ok is false when there is none.
func decodeVersion(it map[string]types.AttributeValue, verAttr, timeAttr string) (v Version, ok bool, err error) {
	if _, ok := it[timeAttr]; !ok {
		return Version{}, false, nil
	}
	v.VersionTime, err = getN(it, timeAttr)
	v.Version = getS(it, verAttr)
	v.ReportID = getS(it, attrReportID)
	return v, err == nil, err
}

// decodeCell reads a cell item; day comes from the partition key.
func decodeCell(it map[string]types.AttributeValue, day string) (*cell, error) {
	v, _, err := decodeVersion(it, attrVersion, attrVersionTime)
	if err != nil {
		return nil, err
	}
	v.ReportKey = getS(it, attrReportKey)
	c := &cell{Version: v, Day: day, Payer: getS(it, attrPayer), Account: getS(it, attrAccount)}
	lines, ok := it[attrLines].(*types.AttributeValueMemberL)
	if !ok {
		return nil, errors.New("lines: missing or not a list")
	}
	for i, av := range lines.Value {
		m, ok := av.(*types.AttributeValueMemberM)
		if !ok {
			return nil, fmt.Errorf("lines[%d]: not a map", i)
		}
		l := line{Provider: getS(m.Value, "provider"), Service: getS(m.Value, "service"), Currency: getS(m.Value, "currency")}
		for _, f := range []struct {
			name string
			p    *decimal.Decimal
		}{{"unblended", &l.Unblended}, {"net_unblended", &l.NetUnblended}, {"amortized", &l.Amortized}} {
			if *f.p, err = decodeMoney(m.Value[f.name]); err != nil {
				return nil, fmt.Errorf("lines[%d].%s: %w", i, f.name, err)
			}
		}
		if l.LineItems, err = getN(m.Value, "line_items"); err != nil {
			return nil, fmt.Errorf("lines[%d]: %w", i, err)
		}
		c.Lines = append(c.Lines, l)
	}
	slices.SortFunc(c.Lines, func(a, b line) int {
		return compareLine(a, totals.Dims{Provider: b.Provider, Service: b.Service, Currency: b.Currency})
	})
	return c, nil
}

// rows returns c's lines as rows of the detailed grain.
func (c *cell) rows() []totals.Row {
	rows := make([]totals.Row, len(c.Lines))
	for i, l := range c.Lines {
		rows[i] = totals.Row{
			Dims: totals.Dims{Day: c.Day, Provider: l.Provider, Payer: c.Payer, Account: c.Account, Service: l.Service, Currency: l.Currency},
			Sums: l.Sums,
		}
	}
	return rows
}
