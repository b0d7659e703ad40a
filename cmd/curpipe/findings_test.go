package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/transforms/findings"
)

// findingsHeader is how `curpipe findings` CSV must begin.
const findingsHeader = "rule,resource_id,usage_account_id,region,first_seen,last_seen,monthly_cost,estimated_monthly_saving"

// idleExport writes a CUR 1.0 file of April 2024, every day billing: an
// idle Elastic IP (0.12 a day), an idle NAT gateway (24 hours at 0.045,
// 0.01 GB processed), a busy NAT gateway (50 GB a day) and, when withEIP
// is false, no address at all.
func idleExport(t *testing.T, dir string, withEIP bool) {
	t.Helper()
	var b strings.Builder
	b.WriteString("bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate," +
		"lineItem/ProductCode,lineItem/UsageType,lineItem/Operation,lineItem/ResourceId,product/region,lineItem/UsageAmount,lineItem/UnblendedCost,lineItem/CurrencyCode\n")
	line := func(day, service, usageType, op, resource, amount, cost string) {
		fmt.Fprintf(&b, "111111111111,2024-04-01T00:00:00Z,222222222222,Usage,%sT00:00:00Z,%sT23:59:59Z,%s,%s,%s,%s,us-east-1,%s,%s,USD\n",
			day, day, service, usageType, op, resource, amount, cost)
	}
	for d := 1; d <= 30; d++ {
		day := fmt.Sprintf("2024-04-%02d", d)
		if withEIP {
			line(day, "AmazonEC2", "USE1-ElasticIP:IdleAddress", "AssociateAddressVPC", "eipalloc-0idle", "24", "0.12")
		}
		line(day, "AmazonEC2", "USE1-NatGateway-Hours", "NatGateway", "nat-0idle", "24", "1.08")
		line(day, "AmazonEC2", "USE1-NatGateway-Bytes", "NatGateway", "nat-0idle", "0.01", "0.00045")
		line(day, "AmazonEC2", "USE1-NatGateway-Hours", "NatGateway", "nat-0busy", "24", "1.08")
		line(day, "AmazonEC2", "USE1-NatGateway-Bytes", "NatGateway", "nat-0busy", "50", "2.25")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "idle-00001.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// findingRows reads `curpipe findings` CSV as rule|resource -> saving,
// after checking its header.
func findingRows(t *testing.T, out string) map[string]string {
	t.Helper()
	if !strings.HasPrefix(out, findingsHeader+",") {
		t.Fatalf("findings CSV begins %q, want %q", strings.SplitN(out, "\n", 2)[0], findingsHeader)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range recs[1:] {
		got[r[0]+"|"+r[1]] = r[7]
	}
	return got
}

// TestFindingsCommand: the planted idle address and gateway are found
// with their exact savings (30 of 30 days: the month's bill), the busy
// gateway is not; --rule and the formats select and print them; a new
// version of the report without the address resolves its finding.
func TestFindingsCommand(t *testing.T) {
	in, out := filepath.Join(t.TempDir(), "exports"), t.TempDir()
	idleExport(t, in, true)
	if _, err := curpipe(t, "run", "--input", in, "--output", out); err != nil {
		t.Fatal(err)
	}
	csvOut, err := curpipe(t, "findings", "--output", out)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"idle-public-ip|eipalloc-0idle": "3.6", "idle-nat-gateway|nat-0idle": "32.4"}
	if got := findingRows(t, csvOut); !maps.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	if lines := strings.Split(strings.TrimSpace(csvOut), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[1], "idle-nat-gateway,") {
		t.Errorf("not sorted by saving, largest first:\n%s", csvOut)
	}

	only, err := curpipe(t, "findings", "--output", out, "--rule", "idle-public-ip")
	if err != nil {
		t.Fatal(err)
	}
	if got := findingRows(t, only); !maps.Equal(got, map[string]string{"idle-public-ip|eipalloc-0idle": "3.6"}) {
		t.Errorf("--rule idle-public-ip: %v", got)
	}
	js, err := curpipe(t, "findings", "--output", out, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		Rule     string            `json:"rule"`
		Saving   string            `json:"estimated_monthly_saving"`
		Evidence map[string]string `json:"evidence"`
		Formula  string            `json:"formula"`
	}
	if err := json.Unmarshal([]byte(js), &docs); err != nil || len(docs) != 2 {
		t.Fatalf("json: %v, %d findings:\n%s", err, len(docs), js)
	}
	if docs[0].Rule != "idle-nat-gateway" || docs[0].Saving != "32.4" || docs[0].Formula == "" || len(docs[0].Evidence) == 0 {
		t.Errorf("json's first finding: %+v", docs[0])
	}
	table, err := curpipe(t, "findings", "--output", out, "--format", "table")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(table, "RULE ") || !strings.Contains(table, "nat-0idle") {
		t.Errorf("table:\n%s", table)
	}
	if _, err := curpipe(t, "findings", "--output", out, "--rule", "nope"); err == nil {
		t.Error("--rule nope: no error")
	}

	// The address is released: the report's next version bills none.
	idleExport(t, in, false)
	if _, err := curpipe(t, "run", "--input", in, "--output", out); err != nil {
		t.Fatal(err)
	}
	csvOut, err = curpipe(t, "findings", "--output", out)
	if err != nil {
		t.Fatal(err)
	}
	if got := findingRows(t, csvOut); !maps.Equal(got, map[string]string{"idle-nat-gateway|nat-0idle": "32.4"}) {
		t.Errorf("after the address is gone: %v", got)
	}
}

// TestFindingsInTableWithDigest stores the findings in a DynamoDB table
// and sends one digest of the new ones on the topic; a rerun finds
// nothing new and sends none.
func TestFindingsInTableWithDigest(t *testing.T) {
	awstest.Endpoint(t)
	in, out := filepath.Join(t.TempDir(), "exports"), t.TempDir()
	idleExport(t, in, true)
	table := awstest.Name(t, "totals")
	topic := awstest.Topic(t, false)
	queue := awstest.SubscribedQueue(t, topic, false)
	run := func(extra ...string) {
		t.Helper()
		args := append([]string{"run", "--input", in, "--output", out, "--totals-table", table, "--sns-topic", topic,
			"--findings-digest-min", "1"}, extra...)
		if _, err := curpipe(t, args...); err != nil {
			t.Fatal(err)
		}
	}
	run("--create-table")
	got, err := curpipe(t, "findings", "--table", table)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"idle-public-ip|eipalloc-0idle": "3.6", "idle-nat-gateway|nat-0idle": "32.4"}
	if rows := findingRows(t, got); !maps.Equal(rows, want) {
		t.Errorf("table's findings %v, want %v", rows, want)
	}
	digests := func(ns []awstest.Notification) []awstest.Notification {
		var out []awstest.Notification
		for _, n := range ns {
			if n.MessageAttributes["type"].Value == "findings" {
				out = append(out, n)
			}
		}
		return out
	}
	// The report's event and the digest.
	ds := digests(awstest.Notifications(t, queue, 2))
	if len(ds) != 1 {
		t.Fatalf("%d digests, want 1", len(ds))
	}
	d := ds[0]
	if !strings.Contains(d.Subject, "2 new savings findings") || !strings.Contains(d.Subject, "36.00") {
		t.Errorf("digest subject %q", d.Subject)
	}
	doc := d.Message[strings.Index(d.Message, "\n{")+1:]
	var body struct {
		New      int    `json:"new"`
		Saving   string `json:"estimated_monthly_saving"`
		Findings []struct {
			Resource string `json:"resource_id"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(doc), &body); err != nil {
		t.Fatalf("digest JSON: %v\n%s", err, d.Message)
	}
	if body.New != 2 || body.Saving != "36" || len(body.Findings) != 2 || body.Findings[0].Resource != "nat-0idle" {
		t.Errorf("digest figures %+v", body)
	}

	run("--reprocess")
	if ds := digests(awstest.Notifications(t, queue, 1)); len(ds) != 0 {
		t.Errorf("a rerun sent %d digests of findings already known", len(ds))
	}
}

// TestREADMEStatesEveryFormula: the README's table quotes each rule's
// formula as the code states it.
func TestREADMEStatesEveryFormula(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range findings.Rules() {
		if f := findings.Formula(r); f == "" || !strings.Contains(string(b), "| `"+r+"` |") || !strings.Contains(string(b), f) {
			t.Errorf("README lacks rule %s with its formula %q", r, f)
		}
	}
}

// TestFindingsPlanted runs the planted resources of curgen (an idle,
// unused or outdated resource and a busy look-alike per rule, over 13
// billing periods) through `curpipe run` and `curpipe findings`, rendered
// as CUR 1.0, CUR 2.0 and FOCUS: every planted resource is found, no
// look-alike, and the three renderings give the same findings, savings
// included. (cmd/curgen/gen's TestPlantedFindings checks each saving
// against the planted lines.)
func TestFindingsPlanted(t *testing.T) {
	cfg := gen.DefaultPlantConfig()
	cfg.Seed = 7
	p := gen.NewPlant(cfg)
	var want []string
	for _, r := range p.Resources {
		if r.Flagged {
			want = append(want, r.Rule+"|"+r.ResourceID)
		}
	}
	slices.Sort(want)
	if len(want) != len(findings.Rules()) {
		t.Fatalf("%d planted resources to find, want one per rule", len(want))
	}
	var first string
	for _, format := range []gen.Format{gen.CUR1CSV, gen.CUR2Parquet, gen.FOCUSCSV} {
		t.Run(string(format), func(t *testing.T) {
			in, out := t.TempDir(), t.TempDir()
			if _, err := p.Write(in, format); err != nil {
				t.Fatal(err)
			}
			if _, err := curpipe(t, "run", "--input", in, "--output", out, "--no-anomalies", "--no-forecasts"); err != nil {
				t.Fatal(err)
			}
			got, err := curpipe(t, "findings", "--output", out)
			if err != nil {
				t.Fatal(err)
			}
			var found []string
			for id := range findingRows(t, got) {
				found = append(found, id)
			}
			slices.Sort(found)
			if !slices.Equal(found, want) {
				t.Errorf("found %v\nplanted %v", found, want)
			}
			if first == "" {
				first = got
			} else if got != first {
				t.Errorf("%s findings differ from CUR 1.0's:\n%s\nCUR 1.0:\n%s", format, got, first)
			}
		})
	}
}
