package costpage

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/findings"
	"github.com/curpipe/curpipe/transforms/totals"
)

// chromium is Debian's Chromium, which CI installs (.ci/run).
const chromium = "/usr/bin/chromium"

// browser starts headless Chromium for the test, with the flags it needs
// on a machine with no network: no sandbox as root, no GPU, and none of
// its own background connections, which would count as requests.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the browser test needs %s in CI: %v", chromium, err)
		}
		t.Skipf("no %s (apt-get install chromium): %v", chromium, err)
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 1150))
	t.Cleanup(cancel)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTime)
	return ctx
}

// detailSum sums daily_detail.csv's net unblended cost of a day and
// service, of a payer when payer is set.
func detailSum(t *testing.T, csvFile, day, service, payer string) string {
	t.Helper()
	b, err := os.ReadFile(csvFile)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var sum decimal.Decimal
	for _, r := range recs[1:] { // usage_date,provider,payer,account,service,currency,unblended,net_unblended,...
		if r[0] == day && r[4] == service && r[5] == "USD" && (payer == "" || r[2] == payer) {
			sum = sum.Add(dec(t, r[7]))
		}
	}
	return sum.String()
}

// TestPageInBrowser loads the page from its file in Chromium and checks
// what it draws against daily_detail.csv.
func TestPageInBrowser(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	detail := filepath.Join(dir, "daily_detail.csv")
	var buf bytes.Buffer
	if err := sample(t).WriteDetail(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(detail, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// The page is made from the CSV, as `curpipe report` makes it from
	// the lake.
	tab := totals.Table{}
	if err := tab.ReadDetail(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	recs := []alert.Record{{Anomaly: alert.Anomaly{Payer: "444444444444", Account: "555555555555", Service: "s4",
		Currency: "USD", Kind: "spike", Start: "2026-03-10", End: "2026-03-10",
		Expected: dec(t, "11"), Actual: dec(t, "100.0234567891"), Impact: dec(t, "89.0234567891")}}}
	planted := sampleFindings(t)
	d, err := Build(tab, recs, nil, Options{Title: "Cost report test", Top: 3, Findings: planted, FindingRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	var html bytes.Buffer
	if err := Render(&html, d); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, html.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + page

	// Open the tab first, so that the listener and the network domain are
	// there before the page loads.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	var mu sync.Mutex
	var problems []string
	pages := map[string]bool{url: true}
	err = chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if !pages[ev.Request.URL] {
				problems = append(problems, "request for "+ev.Request.URL)
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == "error" || ev.Type == "assert" {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				problems = append(problems, "console error: "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == "error" {
				problems = append(problems, "log error: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}

	const day = "2026-03-10"
	str := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	value := func(series string) string {
		return str(`(() => { const r = document.querySelector('#chart-svg rect.bar[data-day="` + day +
			`"][data-series="` + series + `"]'); return r ? r.dataset.value : ""; })()`)
	}
	count := func(sel string) string { return str(`String(document.querySelectorAll('` + sel + `').length)`) }
	choose := func(id, v string) {
		t.Helper()
		err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#"+id), v),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('`+id+`').dispatchEvent(new Event('change'))`))
		if err != nil {
			t.Fatalf("choosing %s %s: %v", id, v, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`#chart-svg rect.bar`))); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	s0, all, anomalies := value("s0"), count("#chart-svg rect.bar"), count("#chart-svg path.anomaly")
	findingsAll := shownFindings(t, str)
	// One payer: s0 of that payer alone.
	choose("payer", "444444444444")
	s0Payer, payerOnly := value("s0"), count("#chart-svg rect.bar")
	findingsPayer := shownFindings(t, str)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// Grouped by account: the series are the payer's one account.
	choose("group", "account")
	groups := str(`[...new Set([...document.querySelectorAll('#chart-svg rect.bar')].map(r => r.dataset.series))].join(",")`)
	accountBars := count("#chart-svg rect.bar")
	// The payer's one account, by service: the payer's figures again.
	choose("account", "555555555555")
	choose("group", "service")
	s0Account := value("s0")
	findingsAccount := shownFindings(t, str)
	// A page with no findings says so in one line.
	none := filepath.Join(dir, "none.html")
	d.Findings = buildFindings(nil, DefaultFindingRows)
	html.Reset()
	if err := Render(&html, d); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(none, html.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	pages["file://"+none] = true
	mu.Unlock()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+none), chromedp.WaitVisible(chromedp.CSS(`#chart-svg rect.bar`))); err != nil {
		t.Fatalf("loading %s: %v", none, err)
	}
	noFindings := shownFindings(t, str)
	png := filepath.Join(t.ArtifactDir(), "report.png")
	if err := os.WriteFile(png, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", png)

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
	if want := detailSum(t, detail, day, "s0", ""); s0 != want {
		t.Errorf("s0 on %s drawn as %q, daily_detail.csv has %s", day, s0, want)
	}
	if want := detailSum(t, detail, day, "s0", "444444444444"); s0Payer != want || s0Account != want {
		t.Errorf("payer 444444444444's s0 on %s drawn as %q, its account's as %q; daily_detail.csv has %s", day, s0Payer, s0Account, want)
	}
	// 19 days of s0, s1, s2 and Other, then one payer's 19 days of the
	// same, then its one account.
	if all != "76" || payerOnly != "76" || accountBars != "19" {
		t.Errorf("bars: %s for all, %s for the payer, %s by account; want 76, 76, 19", all, payerOnly, accountBars)
	}
	if s0 == s0Payer {
		t.Errorf("choosing a payer left s0 at %s", s0)
	}
	if groups != "555555555555" {
		t.Errorf("grouped by account, series %q; want the payer's account 555555555555", groups)
	}
	if anomalies != "1" {
		t.Errorf("%s anomalies marked, want 1", anomalies)
	}

	// The findings panel: the planted findings' savings, summed here
	// apart from Build, exactly as the data hold them, and rounded to
	// cents on the page.
	for _, c := range []struct {
		name           string
		shown          panel
		payer, account string
		more           string
	}{
		{"all payers", findingsAll, "", "", "5 more findings not listed; `curpipe findings` lists them all."},
		{"payer 444444444444", findingsPayer, "444444444444", "", "1 more finding not listed; `curpipe findings` lists them all."},
		{"account 555555555555", findingsAccount, "", "555555555555", "1 more finding not listed; `curpipe findings` lists them all."},
	} {
		want := wantPanel(t, planted, c.payer, c.account, 2)
		want.More = c.more
		if got, want := fmt.Sprintf("%+v", c.shown), fmt.Sprintf("%+v", want); got != want {
			t.Errorf("findings of %s shown as\n%s\nwant\n%s", c.name, got, want)
		}
	}
	if noFindings.Summary != "No savings findings." || len(noFindings.Rules)+len(noFindings.Rows) != 0 || noFindings.More != "" {
		t.Errorf("with no findings the panel shows %+v", noFindings)
	}
}

// panel is what the findings panel shows: its total's exact value and
// text, each rule's line and each row's, with the rule's tooltip.
type panel struct {
	Summary, Total, TotalText string
	Rules, Rows               []string
	More                      string
}

func shownFindings(t *testing.T, str func(string) string) panel {
	t.Helper()
	js := `(() => {
		const total = document.getElementById("findings-total");
		const lines = (sel, f) => [...document.querySelectorAll(sel)].map((tr) => f([...tr.cells]));
		return JSON.stringify({
			Summary: total ? "" : document.getElementById("findings-summary").textContent,
			Total: total ? total.dataset.value : "", TotalText: total ? total.textContent : "",
			Rules: lines("#finding-rules tr:has(td)", (c) => [c[0].textContent, c[0].title, c[1].textContent, c[2].dataset.value, c[2].textContent].join("|")),
			Rows: lines("#findings tr:has(td)", (c) => [c[0].textContent, c[0].title, c[1].textContent, c[2].textContent, c[8].dataset.value, c[8].textContent].join("|")),
			More: document.getElementById("findings-more").textContent,
		});
	})()`
	var p panel
	if err := json.Unmarshal([]byte(str(js)), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantPanel is what the panel should show of fs in a scope, listing
// limit rows; More is left to the caller.
func wantPanel(t *testing.T, fs []findings.Finding, payer, account string, limit int) panel {
	t.Helper()
	fs = slices.Clone(fs)
	findings.Sort(fs)
	var p panel
	var total decimal.Decimal
	perRule := map[string]decimal.Decimal{}
	counts := map[string]int{}
	var rules []string
	for _, f := range fs {
		if (payer != "" && f.Payer != payer) || (account != "" && f.UsageAccount != account) {
			continue
		}
		total = total.Add(f.MonthlySaving)
		if counts[f.Rule] == 0 {
			rules = append(rules, f.Rule)
		}
		perRule[f.Rule] = perRule[f.Rule].Add(f.MonthlySaving)
		counts[f.Rule]++
		if len(p.Rows) < limit {
			p.Rows = append(p.Rows, strings.Join([]string{f.Rule, findings.Formula(f.Rule), f.ResourceID, f.UsageAccount,
				f.MonthlySaving.String(), cents(f.MonthlySaving)}, "|"))
		}
	}
	slices.SortFunc(rules, func(a, b string) int { return perRule[b].Cmp(perRule[a]) })
	for _, r := range rules {
		p.Rules = append(p.Rules, strings.Join([]string{r, findings.Formula(r), fmt.Sprint(counts[r]),
			perRule[r].String(), cents(perRule[r])}, "|"))
	}
	p.Total, p.TotalText = total.String(), cents(total)
	return p
}

// cents is d rounded to cents with thousands separated, as the page shows
// money.
func cents(d decimal.Decimal) string {
	s := d.Round(2).String()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	frac = (frac + "00")[:2]
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return sign + whole + "." + frac
}
