package parse

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	_ "github.com/curpipe/curpipe/io/localfs" // local files for parseFile
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/tabular"
)

// findingsColumns are the curated columns savings findings read, besides
// source_line, which keys the rows.
var findingsColumns = []string{"source_line", "pricing_term", "instance_type", "volume_type",
	"ri_unused_upfront_fee", "ri_unused_recurring_fee", "sp_total_commitment", "sp_used_commitment",
	"resource_tags"}

// cur1Fields is a CUR 1.0 CSV with the columns findings read and three
// tag columns, one line of each kind that carries them.
const cur1Fields = `identity/LineItemId,bill/PayerAccountId,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UsageType,lineItem/ResourceId,lineItem/CurrencyCode,lineItem/UnblendedCost,pricing/term,product/instanceType,product/volumeApiName,reservation/UnusedAmortizedUpfrontFeeForBillingPeriod,reservation/UnusedRecurringFee,savingsPlan/TotalCommitmentToDate,savingsPlan/UsedCommitment,resourceTags/user:team,resourceTags/user:Name,resourceTags/aws:createdBy
a,111111111111,222222222222,Usage,2024-01-03T00:00:00Z,AmazonEC2,EBS:VolumeUsage.gp2,vol-1,USD,0.1,OnDemand,,gp2,,,,,payments,"db, primary",
b,111111111111,222222222222,Usage,2024-01-03T00:00:00Z,AmazonEC2,BoxUsage:m4.large,i-1,USD,0.1,OnDemand,m4.large,,,,,,,,
c,111111111111,222222222222,RIFee,2024-01-01T00:00:00Z,AmazonEC2,HeavyUsage:m5.large,,USD,73,Reserved,m5.large,,1.25E-1,2.5,,,,,
d,111111111111,222222222222,SavingsPlanRecurringFee,2024-01-01T00:00:00Z,ComputeSavingsPlans,ComputeSP:1yrNoUpfront,,USD,100,,,,,,100,87.5,,,
`

// focusFields is FOCUS with its Tags JSON and PricingCategory.
const focusFields = `BillingAccountId,SubAccountId,ChargeCategory,ChargePeriodStart,ServiceName,ResourceId,BilledCost,EffectiveCost,BillingCurrency,ProviderName,PricingCategory,CommitmentDiscountType,Tags
1,2,Usage,2024-01-03T00:00:00Z,Amazon EC2,i-1,1,1,USD,AWS,Standard,,"{""application"": ""Lens"", ""team"": ""web""}"
1,2,Usage,2024-01-03T00:00:00Z,Amazon EC2,i-2,1,0.5,USD,AWS,Committed,Savings Plan,NULL
`

// cur2Line is a CUR 2.0 line item with its map columns, as AWS Data
// Exports writes them: optional maps of strings, DOUBLE figures.
type cur2Line struct {
	Payer        string            `parquet:"bill_payer_account_id"`
	Account      string            `parquet:"line_item_usage_account_id"`
	Type         string            `parquet:"line_item_line_item_type"`
	Start        time.Time         `parquet:"line_item_usage_start_date,timestamp(millisecond)"`
	Currency     string            `parquet:"line_item_currency_code"`
	Unblended    float64           `parquet:"line_item_unblended_cost"`
	Term         *string           `parquet:"pricing_term,optional"`
	Instance     *string           `parquet:"product_instance_type,optional"`
	RIUpfront    *float64          `parquet:"reservation_unused_amortized_upfront_fee_for_billing_period,optional"`
	RIRecurring  *float64          `parquet:"reservation_unused_recurring_fee,optional"`
	SPTotal      *float64          `parquet:"savings_plan_total_commitment_to_date,optional"`
	SPUsed       *float64          `parquet:"savings_plan_used_commitment,optional"`
	Product      map[string]string `parquet:"product,optional"`
	ResourceTags map[string]string `parquet:"resource_tags,optional"`
}

func cur2Fields(t *testing.T) []byte {
	t.Helper()
	s := func(v string) *string { return &v }
	f := func(v float64) *float64 { return &v }
	day := time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC)
	first := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	lines := []cur2Line{
		{Payer: "1", Account: "2", Type: "Usage", Start: day, Currency: "USD", Unblended: 0.1, Term: s("OnDemand"),
			Product:      map[string]string{"product_name": "Amazon Elastic Compute Cloud", "volume_api_name": "gp2"},
			ResourceTags: map[string]string{"user_team": "payments", "user_name": `db "primary"`}},
		{Payer: "1", Account: "2", Type: "Usage", Start: day, Currency: "USD", Unblended: 0.1, Term: s("OnDemand"),
			Instance: s("m4.large"), Product: map[string]string{"instance_type": "m4.large"}},
		{Payer: "1", Account: "2", Type: "RIFee", Start: first, Currency: "USD", Unblended: 73, Term: s("Reserved"),
			Instance: s("m5.large"), RIUpfront: f(0.125), RIRecurring: f(2.5), ResourceTags: map[string]string{}},
		{Payer: "1", Account: "2", Type: "SavingsPlanRecurringFee", Start: first, Currency: "USD", Unblended: 100,
			SPTotal: f(100), SPUsed: f(87.5)},
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[cur2Line](&buf)
	if _, err := w.Write(lines); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCuratedFindingsColumns parses a file of each format and reads the
// findings' columns back from the curated lake, keyed by source line.
func TestCuratedFindingsColumns(t *testing.T) {
	tests := []struct {
		name string
		file string
		data func(*testing.T) []byte
		want map[string][]string // by source_line: the other findingsColumns
	}{
		{"CUR 1.0 CSV", "cur-1.csv", func(*testing.T) []byte { return []byte(cur1Fields) }, map[string][]string{
			"2": {"OnDemand", "", "gp2", "", "", "", "", `{"user:Name":"db, primary","user:team":"payments"}`},
			"3": {"OnDemand", "m4.large", "", "", "", "", "", "{}"},
			"4": {"Reserved", "m5.large", "", "0.125", "2.5", "", "", "{}"},
			"5": {"", "", "", "", "", "100", "87.5", "{}"},
		}},
		{"CUR 2.0 Parquet", "cur2-00001.snappy.parquet", cur2Fields, map[string][]string{
			"1": {"OnDemand", "", "gp2", "", "", "", "", `{"user_name":"db \"primary\"","user_team":"payments"}`},
			"2": {"OnDemand", "m4.large", "", "", "", "", "", "{}"},
			"3": {"Reserved", "m5.large", "", "0.125", "2.5", "", "", "{}"},
			"4": {"", "", "", "", "", "100", "87.5", "{}"},
		}},
		{"FOCUS", "focus.csv", func(*testing.T) []byte { return []byte(focusFields) }, map[string][]string{
			"2": {"OnDemand", "", "", "", "", "", "", `{"application":"Lens","team":"web"}`},
			"3": {"SavingsPlan", "", "", "", "", "", "", "{}"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, tc.file)
			if err := os.WriteFile(name, tc.data(t), 0o644); err != nil {
				t.Fatal(err)
			}
			task := element.FileTask{Ref: "r@1", ReportKey: "rk", ReportName: "r", ReportID: "r", Version: "1",
				VersionKey: "vk", BillingPeriod: "2024-01", URL: name, Index: 1}
			res := parseFile(context.Background(), task, ParseOptions{Output: filepath.Join(dir, "lake")}, shareOf(ParseOptions{}, 1))
			if res.Status.Err != "" {
				t.Fatal(res.Status.Err)
			}
			got := map[string][]string{}
			for _, u := range res.Status.Curated {
				for line, row := range readCurated(t, strings.TrimPrefix(u, "file://")) {
					got[line] = row
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("%d curated rows, want %d", len(got), len(tc.want))
			}
			for line, want := range tc.want {
				if g := strings.Join(got[line], "|"); g != strings.Join(want, "|") {
					t.Errorf("line %s:\n got %q\nwant %q", line, got[line], want)
				}
			}
		})
	}
}

// readCurated returns the findings columns of a curated file by source
// line, decimals in their shortest form.
func readCurated(t *testing.T, name string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tabular.NewParquetReader(bytes.NewReader(data), int64(len(data)), name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Select(findingsColumns); err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for {
		f, err := r.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(f)-1)
		for i, v := range f[1:] {
			if strings.Contains(findingsColumns[i+1], "_fee") || strings.HasPrefix(findingsColumns[i+1], "sp_") {
				v = trimDecimal(v)
			}
			row[i] = v
		}
		rows[f[0]] = row
	}
}

// trimDecimal drops the trailing zeros of a DECIMAL's plain text.
func trimDecimal(v string) string {
	if !strings.Contains(v, ".") {
		return v
	}
	return strings.TrimSuffix(strings.TrimRight(v, "0"), ".")
}
