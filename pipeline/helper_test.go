package pipeline_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/pipeline"
	"github.com/curpipe/curpipe/transforms/commit"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/totals"
)

var runCount int

// runBatch runs the batch graph on the test runner (prism unless --runner
// says otherwise) and returns the run's summary.
func runBatch(t *testing.T, cfg pipeline.Config) commit.Summary {
	t.Helper()
	runCount++
	if cfg.RunID == "" {
		cfg.RunID = fmt.Sprintf("test-%s-%d", strings.ReplaceAll(t.Name(), "/", "_"), runCount)
	}
	p, s := beam.NewPipelineWithRoot()
	if err := pipeline.Batch(s, cfg); err != nil {
		t.Fatalf("build: %v", err)
	}
	if err := ptest.Run(p); err != nil {
		t.Fatalf("run: %v", err)
	}
	b, err := os.ReadFile(lake.SummaryURL(cfg.Output, cfg.RunID))
	if err != nil {
		t.Fatalf("read summary: %v", err)
	}
	var sum commit.Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatalf("parse summary: %v", err)
	}
	return sum
}

// outcomeByName returns the outcome of the report with the given name.
func outcomeByName(t *testing.T, sum commit.Summary, name string) element.Outcome {
	t.Helper()
	for _, o := range sum.Outcomes {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no report named %q in %+v", name, sum.Outcomes)
	return element.Outcome{}
}

// readDetail reads an output's daily_detail.csv.
func readDetail(t *testing.T, out string) totals.Table {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "totals", "daily_detail.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab := make(totals.Table)
	if err := tab.ReadDetail(f); err != nil {
		t.Fatal(err)
	}
	return tab
}

// curHeader is a CUR 1.0 header in AWS's naming, in an order of its own to
// show that columns are found by name.
var curHeader = []string{
	"identity/LineItemId", "bill/PayerAccountId", "bill/BillingPeriodStartDate", "lineItem/UsageAccountId",
	"lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/ProductCode",
	"lineItem/CurrencyCode", "lineItem/UnblendedCost", "lineItem/NetUnblendedCost",
	"savingsPlan/SavingsPlanEffectiveCost", "reservation/EffectiveCost", "product/ProductName",
}

// line is one CUR line item for a fixture.
type line struct {
	day, account, service, typ, cost string
}

func (l line) record(i int) []string {
	return []string{
		fmt.Sprintf("id-%d", i), "111111111111", l.day[:7] + "-01T00:00:00Z", l.account,
		l.typ, l.day + "T00:00:00Z", l.day + "T01:00:00Z", l.service,
		"USD", l.cost, "", "", "", "Product, with a comma",
	}
}

// curCSV renders line items as a CUR CSV.
func curCSV(lines ...line) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	w.Write(curHeader)
	for i, l := range lines {
		w.Write(l.record(i))
	}
	w.Flush()
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// writeFile writes a fixture file, creating folders, with a given time.
func writeFile(t *testing.T, path string, b []byte, mtime time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// manifest renders a CUR 1.0 manifest naming keys relative to the bucket.
func manifest(assembly, name, period string, keys ...string) []byte {
	m := map[string]any{
		"assemblyId":    assembly,
		"account":       "111111111111",
		"reportId":      "rid-" + name,
		"reportName":    name,
		"compression":   "GZIP",
		"contentType":   "text/csv",
		"bucket":        "billing",
		"billingPeriod": map[string]string{"start": period + "01T000000.000Z", "end": "20240201T000000.000Z"},
		"reportKeys":    keys,
	}
	b, _ := json.Marshal(m)
	return b
}

// dayTotal returns the unblended total of a day over all detail rows.
func dayTotal(tab totals.Table, day string) decimal.Decimal {
	var sum decimal.Decimal
	for d, s := range tab {
		if d.Day == day {
			sum = sum.Add(s.Unblended)
		}
	}
	return sum
}

func wantDecimal(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(decimal.MustParse(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// snapshot reads every file under root except the run records, which
// differ per run by design.
func snapshot(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if strings.HasPrefix(rel, filepath.Join("_curpipe", "runs")) {
			return nil
		}
		b, err := os.ReadFile(p)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// listFiles lists the files under root/sub, relative to root.
func listFiles(t *testing.T, root, sub string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(root, sub), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}
