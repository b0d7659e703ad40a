package curated_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/curpipe/curpipe/transforms/curated"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/tabular"
)

var columns = []string{"usage_start", "usage_end", "provider", "payer_account_id", "usage_account_id",
	"service", "line_item_type", "usage_type", "operation", "region", "resource_id", "description",
	"currency", "usage_amount", "unblended_cost", "net_unblended_cost", "amortized_cost", "report_id",
	"report_version", "source_object", "source_line", "pricing_term", "instance_type", "volume_type",
	"ri_unused_upfront_fee", "ri_unused_recurring_fee", "sp_total_commitment", "sp_used_commitment",
	"resource_tags"}

func d(s string) decimal.Decimal { return decimal.MustParse(s) }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// record returns a plausible Record with the given start and costs.
func record(start, unblended string, line int64) *curated.Record {
	return &curated.Record{
		UsageStart: at(start), UsageEnd: at(start).Add(time.Hour), Provider: "AWS",
		PayerAccountID: "012345678901", UsageAccountID: "000000000042", Service: "AmazonEC2",
		LineItemType: "Usage", UsageType: "BoxUsage:t3.micro", Operation: "RunInstances",
		Region: "us-east-1", ResourceID: "i-0abc", Description: "$0.0104 per On Demand Linux t3.micro",
		Currency: "USD", UsageAmount: d("1"), HasUsageAmount: true, UnblendedCost: d(unblended),
		NetUnblended: d(unblended), AmortizedCost: d(unblended), ReportID: "s3://b/cur/r/20230101-20230201",
		ReportVersion: "asm-1", SourceObject: "s3://b/cur/r/20230101-20230201/asm-1/r-1.csv.gz", SourceLine: line,
	}
}

// fields renders r as the tabular Parquet reader should read it back.
func fields(r *curated.Record) []string {
	dec := func(v decimal.Decimal) string { return v.String() }
	end, usage := "", ""
	if !r.UsageEnd.IsZero() {
		end = r.UsageEnd.UTC().Format(time.RFC3339Nano)
	}
	if r.HasUsageAmount {
		usage = dec(r.UsageAmount)
	}
	var riUpfront, riRecurring, spTotal, spUsed string
	if u := r.RIUnused; u != nil {
		riUpfront, riRecurring = dec(u.UpfrontFee), dec(u.RecurringFee)
	}
	if c := r.SPCommitment; c != nil {
		spTotal, spUsed = dec(c.Total), dec(c.Used)
	}
	return []string{r.UsageStart.UTC().Format(time.RFC3339Nano), end, r.Provider, r.PayerAccountID,
		r.UsageAccountID, r.Service, r.LineItemType, r.UsageType, r.Operation, r.Region, r.ResourceID,
		r.Description, r.Currency, usage, dec(r.UnblendedCost), dec(r.NetUnblended), dec(r.AmortizedCost),
		r.ReportID, r.ReportVersion, r.SourceObject, fmt.Sprint(r.SourceLine),
		r.PricingTerm, r.InstanceType, r.VolumeType, riUpfront, riRecurring, spTotal, spUsed, tagsJSON(r.ResourceTags)}
}

// tagsJSON renders tags as the tabular reader renders a MAP column: a
// JSON object with sorted keys, the last value of a repeated key.
func tagsJSON(tags []curated.Tag) string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// readBack reads a curated file with the tabular reader, decimals
// normalized through decimal.Parse so that 1.500…0 compares as 1.5.
func readBack(t *testing.T, data []byte) [][]string {
	t.Helper()
	r, err := tabular.NewParquetReader(bytes.NewReader(data), int64(len(data)), "curated.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if h := strings.Join(r.Header(), ","); h != strings.Join(columns, ",") {
		t.Fatalf("header %s, want %s", h, strings.Join(columns, ","))
	}
	var rows [][]string
	for {
		f, err := r.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		row := append([]string(nil), f...)
		for _, i := range []int{13, 14, 15, 16, 24, 25, 26, 27} { // the decimal columns
			if row[i] != "" {
				row[i] = d(row[i]).String()
			}
		}
		rows = append(rows, row)
	}
}

func write(t *testing.T, recs []*curated.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := curated.NewWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriterRoundTrip(t *testing.T) {
	noEnd := record("2023-01-01T00:00:00Z", "0", 3)
	noEnd.UsageEnd, noEnd.HasUsageAmount, noEnd.UsageAmount = time.Time{}, false, decimal.Decimal{}
	zeroUsage := record("2023-01-01T00:00:00.123456Z", "-0.000000000000000000000001", 4)
	zeroUsage.UsageAmount = d("0")
	local := record("2023-01-02T01:00:00+02:00", "9999999999.9999999999999999999999999999", 5)
	local.Description, local.Provider, local.ResourceID = "Ünïcode, \"quoted\"\n", "", ""
	// The columns savings findings read.
	riFee := record("2023-01-01T00:00:00Z", "73", 8)
	riFee.LineItemType, riFee.PricingTerm, riFee.InstanceType = "RIFee", "Reserved", "m4.large"
	riFee.RIUnused = &curated.RIUnused{UpfrontFee: d("0.125"), RecurringFee: d("0")}
	spFee := record("2023-01-01T00:00:00Z", "100", 9)
	spFee.LineItemType = "SavingsPlanRecurringFee"
	spFee.SPCommitment = &curated.SPCommitment{Total: d("100"), Used: d("87.5")}
	volume := record("2023-01-01T00:00:00Z", "0.1", 10)
	volume.PricingTerm, volume.VolumeType = "OnDemand", "gp2"
	volume.ResourceTags = []curated.Tag{{"user:team", "payments"}, {"aws:createdBy", "é \"x\""},
		{"user:Name", ""}, {"user:team", "web"}}
	otherTags := record("2023-01-01T01:00:00Z", "0.2", 11)
	otherTags.ResourceTags = []curated.Tag{{"user_cost_center", "4711"}}
	tests := []struct {
		name string
		recs []*curated.Record
	}{
		{"empty file", nil},
		{"one row", []*curated.Record{record("2023-01-01T00:00:00Z", "1.6475682491", 2)}},
		{"edges", []*curated.Record{noEnd, zeroUsage, local,
			record("2023-01-01T05:00:00Z", "-9999999999.9999999999999999999999999999", 6),
			record("2023-01-01T06:00:00Z", "1.81E-8", 7)}},
		{"findings columns", []*curated.Record{riFee, spFee, volume, record("2023-01-01T00:00:00Z", "1", 12),
			otherTags, volume}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := readBack(t, write(t, tc.recs))
			if len(got) != len(tc.recs) {
				t.Fatalf("%d rows, want %d", len(got), len(tc.recs))
			}
			for i, r := range tc.recs {
				if want := fields(r); strings.Join(got[i], "|") != strings.Join(want, "|") {
					t.Errorf("row %d:\n got %q\nwant %q", i, got[i], want)
				}
			}
		})
	}
}

// TestWriterRowGroups writes enough rows for several row groups and checks
// every row and the exact sum.
func TestWriterRowGroups(t *testing.T) {
	const n = 150_000
	recs := make([]*curated.Record, n)
	sum := decimal.Decimal{}
	for i := range recs {
		cost := fmt.Sprintf("0.%07d", i)
		recs[i] = record("2023-01-01T00:00:00Z", cost, int64(i+2))
		recs[i].ResourceID = fmt.Sprintf("i-%06d", i%5000)
		sum = sum.Add(d(cost))
	}
	data := write(t, recs)
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if g := len(f.RowGroups()); g < 3 {
		t.Errorf("%d row groups, want at least 3", g)
	}
	for i, g := range f.RowGroups() {
		if g.NumRows() > 64<<10 {
			t.Errorf("row group %d has %d rows, more than 64Ki", i, g.NumRows())
		}
	}
	got := readBack(t, data)
	total := decimal.Decimal{}
	for i, row := range got {
		if row[14] != recs[i].UnblendedCost.String() || row[20] != fmt.Sprint(i+2) {
			t.Fatalf("row %d: cost %s line %s", i, row[14], row[20])
		}
		total = total.Add(d(row[14]))
	}
	if !total.Equal(sum) || len(got) != n {
		t.Errorf("%d rows summing to %s, want %d summing to %s", len(got), total, n, sum)
	}
}

func TestWriterDecimalRange(t *testing.T) {
	tests := []struct {
		name  string
		set   func(*curated.Record)
		error string
	}{
		{"29 fractional digits", func(r *curated.Record) { r.UnblendedCost = d("0.00000000000000000000000000001") },
			"unblended_cost 0.00000000000000000000000000001 does not fit DECIMAL(38,28)"},
		{"a double's 17 digits at 1e-9 fit", func(r *curated.Record) { r.UnblendedCost = d("5.0904430290772475E-9") }, ""},
		{"11 integer digits", func(r *curated.Record) { r.NetUnblended = d("10000000000") },
			"net_unblended_cost 10000000000 does not fit DECIMAL(38,28)"},
		{"negative overflow", func(r *curated.Record) { r.AmortizedCost = d("-1E10") },
			"amortized_cost -10000000000 does not fit DECIMAL(38,28)"},
		{"usage amount", func(r *curated.Record) { r.UsageAmount = d("1e-30") },
			"usage_amount 0.000000000000000000000000000001 does not fit DECIMAL(38,24)"},
		{"large usage amount fits", func(r *curated.Record) { r.UsageAmount = d("12345678901234.5") }, ""},
		{"small usage amount fits", func(r *curated.Record) { r.UsageAmount = d("0.00016285505077083312") }, ""},
		{"zero usage start", func(r *curated.Record) { r.UsageStart = time.Time{} }, "usage_start is zero"},
		{"trailing zeros fit", func(r *curated.Record) { r.UnblendedCost = d("1.50000000000000000000000000000") }, ""},
		{"unused usage amount", func(r *curated.Record) { r.UsageAmount, r.HasUsageAmount = d("1e99"), false }, ""},
		{"unused reservation", func(r *curated.Record) { r.RIUnused = &curated.RIUnused{RecurringFee: d("1e10")} },
			"ri_unused_recurring_fee 10000000000 does not fit DECIMAL(38,28)"},
		{"used commitment", func(r *curated.Record) { r.SPCommitment = &curated.SPCommitment{Used: d("1e-29")} },
			"sp_used_commitment 0.00000000000000000000000000001 does not fit DECIMAL(38,28)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := curated.NewWriter(&buf)
			bad := record("2023-01-01T00:00:00Z", "1", 2)
			tc.set(bad)
			err := w.Write(bad)
			if tc.error == "" && err != nil || tc.error != "" && (err == nil || !strings.Contains(err.Error(), tc.error)) {
				t.Fatalf("Write: %v, want %q", err, tc.error)
			}
			// A rejected record leaves the file usable.
			good := record("2023-01-01T01:00:00Z", "2", 3)
			if err := w.Write(good); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			want := 2
			if tc.error != "" {
				want = 1
			}
			if rows := readBack(t, buf.Bytes()); len(rows) != want || w.Rows() != int64(want) {
				t.Errorf("%d rows read, Rows() = %d, want %d", len(rows), w.Rows(), want)
			}
		})
	}
}

func TestWriterAfterClose(t *testing.T) {
	w := curated.NewWriter(io.Discard)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(record("2023-01-01T00:00:00Z", "1", 2)); err == nil {
		t.Error("Write after Close: no error")
	}
}

func TestSchema(t *testing.T) {
	s := curated.Schema()
	var names []string
	for _, f := range s.Fields() {
		names = append(names, f.Name())
	}
	if strings.Join(names, ",") != strings.Join(columns, ",") {
		t.Errorf("columns %v, want %v", names, columns)
	}
	for _, want := range []string{
		"required int64 usage_start (TIMESTAMP(isAdjustedToUTC=true,unit=MICROS))",
		"optional int64 usage_end (TIMESTAMP(isAdjustedToUTC=true,unit=MICROS))",
		"required binary provider (STRING)",
		"optional fixed_len_byte_array(16) usage_amount (DECIMAL(38,24))",
		"required fixed_len_byte_array(16) unblended_cost (DECIMAL(38,28))",
		"required int64 source_line",
		"optional fixed_len_byte_array(16) ri_unused_upfront_fee (DECIMAL(38,28))",
		"optional fixed_len_byte_array(16) sp_used_commitment (DECIMAL(38,28))",
		"required group resource_tags (MAP)",
	} {
		if !strings.Contains(s.String(), want) {
			t.Errorf("schema lacks %q:\n%s", want, s)
		}
	}
}

// BenchmarkWriter reports the write speed and the file size per row of a
// realistic day: many resources, repeated descriptions, varied costs.
func BenchmarkWriter(b *testing.B) {
	recs := make([]*curated.Record, 100_000)
	for i := range recs {
		recs[i] = record(time.Date(2023, 1, 1, i%24, 0, 0, 0, time.UTC).Format(time.RFC3339),
			fmt.Sprintf("0.%010d", (i*7919)%10_000_000_000), int64(i+2))
		recs[i].ResourceID = fmt.Sprintf("i-%017x", i/24)
		recs[i].UsageAccountID = fmt.Sprintf("%012d", i%40)
		recs[i].UsageType = fmt.Sprintf("USE1-BoxUsage:t3.%d", i%12)
	}
	var size int
	b.ResetTimer()
	for b.Loop() {
		var buf bytes.Buffer
		w := curated.NewWriter(&buf)
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size)/float64(len(recs)), "bytes/row")
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "rows/s")
}
