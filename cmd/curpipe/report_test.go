package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/transforms/costpage"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/findings"
)

// reportLake writes a generated history's totals as a lake's
// daily_detail.csv, and returns the lake's root.
func reportLake(t *testing.T) string {
	t.Helper()
	h := history(t, 5, 50, 2, 3, 12, gen.Events{})
	tab, err := h.Totals()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "totals"), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tab.WriteDetail(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "totals", "daily_detail.csv"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestReportHTML(t *testing.T) {
	root := reportLake(t)
	out := filepath.Join(t.TempDir(), "report.html")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"report", "--output", root, "--html", out}, &stdout, &stderr); err != nil {
		t.Fatalf("report: %v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<script type="application/json" id="data">{"title":"Cloud cost report through `, `"group":"account"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("the page has no %s", want)
		}
	}
	// Nothing on the page is fetched.
	if regexp.MustCompile(`(src|href)="(https?:)?//`).Match(b) {
		t.Error("the page refers to a network address")
	}
}

// syncBuffer is a buffer the server's goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestReportServe(t *testing.T) {
	root := reportLake(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"report", "--output", root, "--serve", "127.0.0.1:0"}, io.Discard, &stderr)
	}()
	addr := regexp.MustCompile(`http://[0-9.:]+/`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		url = addr.FindString(stderr.String())
	}
	if url == "" {
		t.Fatalf("the server did not start: %s", stderr.String())
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="chart"`) {
		t.Errorf("GET %s: %s, %d bytes", url, resp.Status, len(body))
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("report --serve stopped with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("report --serve did not stop when its context ended")
	}
}

// TestReportFindings: the lake's savings findings reach the page's data,
// their saving summed exactly.
func TestReportFindings(t *testing.T) {
	root := reportLake(t)
	d := func(s string) decimal.Decimal {
		v, err := decimal.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	fs := []findings.Finding{
		{Rule: findings.RuleIdlePublicIP, ResourceID: "eipalloc-0idle", UsageAccount: "222222222222", Region: "us-east-1",
			Payer: "111111111111", FirstSeen: "2026-01-01", LastSeen: "2026-01-12", MonthlyCost: d("3.72"), MonthlySaving: d("3.7200000001"), DaysSeen: 12},
		{Rule: findings.RuleIdleNATGateway, ResourceID: "nat-0idle", UsageAccount: "333333333333", Region: "us-east-1",
			Payer: "111111111111", FirstSeen: "2026-01-01", LastSeen: "2026-01-12", MonthlyCost: d("33.48"), MonthlySaving: d("33.4800000002"), DaysSeen: 12},
	}
	var buf bytes.Buffer
	if err := findings.WriteCSV(&buf, fs); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "findings"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "findings", "findings.csv"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report.html")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"report", "--output", root, "--html", out}, &stdout, &stderr); err != nil {
		t.Fatalf("report: %v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<script type="application/json" id="data">(.*?)</script>`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the page has no data")
	}
	var data costpage.Data
	if err := json.Unmarshal(m[1], &data); err != nil {
		t.Fatal(err)
	}
	p := data.Findings
	if len(p.Rows) != 2 || p.Rows[0].ResourceID != "nat-0idle" || p.Rows[0].MonthlySaving != "33.4800000002" {
		t.Errorf("rows = %+v, want the gateway first", p.Rows)
	}
	if len(p.Scopes) == 0 || p.Scopes[0].Saving != "37.2000000003" || p.Scopes[0].Count != 2 {
		t.Errorf("scopes = %+v, want all payers' 2 findings saving 37.2000000003", p.Scopes)
	}
}
