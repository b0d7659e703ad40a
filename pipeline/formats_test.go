package pipeline_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/curpipe/curpipe/pipeline"
)

// curParquetRow is a line item in the snake_case schema that CUR 1.0's
// Athena integration and CUR 2.0 share, with costs as DOUBLE as AWS
// writes them, and CUR 2.0's product map.
type curParquetRow struct {
	BillPayerAccountID     string            `parquet:"bill_payer_account_id"`
	LineItemUsageAccountID string            `parquet:"line_item_usage_account_id"`
	LineItemLineItemType   string            `parquet:"line_item_line_item_type"`
	LineItemUsageStartDate time.Time         `parquet:"line_item_usage_start_date,timestamp(millisecond)"`
	LineItemProductCode    string            `parquet:"line_item_product_code"`
	LineItemCurrencyCode   string            `parquet:"line_item_currency_code"`
	LineItemUnblendedCost  float64           `parquet:"line_item_unblended_cost"`
	SavingsPlanEffective   float64           `parquet:"savings_plan_savings_plan_effective_cost"`
	Product                map[string]string `parquet:"product"`
}

func parquetFile(t *testing.T, rows []curParquetRow) []byte {
	t.Helper()
	var b bytes.Buffer
	w := parquet.NewGenericWriter[curParquetRow](&b)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pqRow(day, typ string, cost, spCost float64) curParquetRow {
	start, _ := time.Parse(time.DateOnly, day)
	return curParquetRow{
		BillPayerAccountID: "111111111111", LineItemUsageAccountID: "222222222222", LineItemLineItemType: typ,
		LineItemUsageStartDate: start, LineItemProductCode: "AmazonEC2", LineItemCurrencyCode: "USD",
		LineItemUnblendedCost: cost, SavingsPlanEffective: spCost,
		Product: map[string]string{"region": "us-east-1", "product_name": "Amazon EC2"},
	}
}

// TestParquetExports reads CUR as AWS delivers it in Parquet: Athena month
// folders (CUR 1.0) and a CUR 2.0 data export with its manifest.
func TestParquetExports(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	athena := filepath.Join(in, "cur", "rep", "rep", "year=2024", "month=3")
	writeFile(t, filepath.Join(athena, "rep-00001.snappy.parquet"), parquetFile(t, []curParquetRow{
		pqRow("2024-03-01", "Usage", 1.6475682491, 0),
		pqRow("2024-03-01", "SavingsPlanCoveredUsage", 0.5, 0.25),
	}), t0)
	writeFile(t, filepath.Join(athena, "rep-00002.snappy.parquet"), parquetFile(t, []curParquetRow{
		pqRow("2024-03-02", "Usage", 1.81e-8, 0),
	}), t0)

	data := filepath.Join(in, "exports", "exp", "data", "BILLING_PERIOD=2024-04")
	writeFile(t, filepath.Join(data, "exp-00001.snappy.parquet"), parquetFile(t, []curParquetRow{
		pqRow("2024-04-01", "Usage", 2.5893953072562468e-05, 0),
		pqRow("2024-04-01", "Tax", 10, 0),
	}), t0)
	writeFile(t, filepath.Join(data, "stale-00009.snappy.parquet"), parquetFile(t, []curParquetRow{
		pqRow("2024-04-01", "Usage", 999, 0),
	}), t0)
	m, _ := json.Marshal(map[string]any{
		"executionId":   "exec-1",
		"exportName":    "exp",
		"billingPeriod": map[string]string{"start": "2024-04-01T00:00:00.000Z", "end": "2024-05-01T00:00:00.000Z"},
		"dataFiles":     []string{"s3://billing/exports/exp/data/BILLING_PERIOD=2024-04/exp-00001.snappy.parquet"},
	})
	writeFile(t, filepath.Join(in, "exports", "exp", "metadata", "BILLING_PERIOD=2024-04", "exp-Manifest.json"), m, t0)

	sum := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out})
	for _, o := range sum.Outcomes {
		if o.Status != "committed" {
			t.Errorf("%s: %s %s", o.Name, o.Status, o.Reason)
		}
	}
	if len(sum.Outcomes) != 2 {
		t.Fatalf("want the Athena month and the CUR 2.0 period, got %+v", sum.Outcomes)
	}
	tab := readDetail(t, out)
	wantDecimal(t, "2024-03-01", dayTotal(tab, "2024-03-01"), "2.1475682491")
	wantDecimal(t, "2024-03-02", dayTotal(tab, "2024-03-02"), "0.0000000181")
	wantDecimal(t, "2024-04-01 (only the files the manifest lists)", dayTotal(tab, "2024-04-01"), "10.000025893953072562468")
	var amortized string
	for d, s := range tab {
		if d.Day == "2024-03-01" {
			amortized = s.Amortized.String()
		}
	}
	if amortized != "1.8975682491" {
		t.Errorf("2024-03-01 amortized = %s, want 1.8975682491 (the Savings Plan's effective cost)", amortized)
	}
	if files := listFiles(t, out, "curated"); len(files) != 3 {
		t.Errorf("curated files %v, want one per source file and day (3)", files)
	}
}

// TestZippedCSV reads a CUR delivered with ZIP compression.
func TestZippedCSV(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	f, err := zw.Create("z-1.csv")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(curCSV(line{"2024-06-01", "1", "AmazonS3", "Usage", "0.1"}, line{"2024-06-01", "1", "AmazonS3", "Usage", "0.2"}))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(in, "z-1.csv.zip"), b.Bytes(), t0)
	sum := runBatch(t, pipeline.Config{Inputs: []string{in}, Output: out})
	if o := outcomeByName(t, sum, "z-1.csv.zip"); o.Status != "committed" || o.Rows != 2 {
		t.Fatalf("outcome %+v", o)
	}
	wantDecimal(t, "2024-06-01", dayTotal(readDetail(t, out), "2024-06-01"), "0.3")
}
