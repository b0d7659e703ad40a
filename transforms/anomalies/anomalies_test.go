package anomalies

import (
	"testing"

	"github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/totals"
)

func TestNewestPartial(t *testing.T) {
	for _, tc := range []struct {
		period string
		days   []string
		want   string
	}{
		{"2024-03", []string{"2024-03-01", "2024-03-14", "2024-03-02"}, "2024-03-14"}, // mid-month: the newest day is partial
		{"2024-02", []string{"2024-02-01", "2024-02-29"}, ""},                         // the period's last day: complete
		{"2024-02-01T00:00:00Z", []string{"2024-02-10"}, "2024-02-10"},                // a CUR 2.0 period written long
		{"2024-02", nil, ""},
		{"", []string{"2024-02-10"}, ""}, // no period: nothing known
	} {
		got, ok := newestPartial(element.Outcome{BillingPeriod: tc.period, Days: tc.days})
		if (got != "" && ok) != (tc.want != "") || (ok && got != tc.want) {
			t.Errorf("newestPartial(%s, %v) = %q, %v; want %q", tc.period, tc.days, got, ok, tc.want)
		}
	}
}

func TestExplained(t *testing.T) {
	d := decimal.MustParse
	anomaly := func(account, service, start, end, impact string) alert.Anomaly {
		return alert.Anomaly{Payer: "1", Account: account, Service: service, Currency: "USD", Start: start, End: end, Impact: d(impact)}
	}
	total := anomaly("", "", "2024-03-10", "2024-03-10", "1000")
	ec2 := anomaly("2", "AmazonEC2", "2024-03-10", "2024-03-10", "900")
	small := anomaly("2", "AmazonS3", "2024-03-10", "2024-03-12", "300")
	other := anomaly("2", "AmazonS3", "2024-03-20", "2024-03-20", "900")  // other days
	fall := anomaly("3", "AmazonRDS", "2024-03-10", "2024-03-10", "-900") // the other way
	for _, tc := range []struct {
		name string
		in   []alert.Anomaly
		want int // anomalies kept
	}{
		{"a total explained by one series", []alert.Anomaly{total, ec2}, 1},
		{"a total explained by two together", []alert.Anomaly{total, small, anomaly("4", "AWSLambda", "2024-03-09", "2024-03-11", "250")}, 2},
		{"a total its series explain less than half of", []alert.Anomaly{total, small}, 2},
		{"series on other days explain nothing", []alert.Anomaly{total, other}, 2},
		{"a fall explains no rise", []alert.Anomaly{total, fall}, 2},
		{"series alone", []alert.Anomaly{ec2, fall}, 2},
	} {
		got := explained(tc.in)
		if len(got) != tc.want {
			t.Errorf("%s: kept %d of %d, want %d", tc.name, len(got), len(tc.in), tc.want)
		}
	}
}

// TestDetectHoles: a day a payer's data does not cover yet is no fall, and
// the days after it no rise; a service that stops while the payer's data
// goes on is a fall.
func TestDetectHoles(t *testing.T) {
	const from, last = "2023-10-01", "2024-02-20"
	// steady puts a payer's two services at a steady cost on every day
	// from..last but those skip says, and EC2 at zero on those zero says.
	steady := func(skip, zero func(day string) bool) totals.Table {
		tab := totals.Table{}
		start, _ := anomaly.ParseDay(from)
		end, _ := anomaly.ParseDay(last)
		for d := start; d <= end; d++ {
			day := d.String()
			if skip(day) {
				continue
			}
			ec2 := "100.25"
			if zero(day) {
				ec2 = "0"
			}
			for service, cost := range map[string]string{"AmazonEC2": ec2, "AmazonS3": "20.5"} {
				tab.Merge(totals.Dims{Day: day, Provider: "aws", Payer: "1", Account: "2", Service: service, Currency: "USD"},
					totals.Sums{NetUnblended: decimal.MustParse(cost)})
			}
		}
		return tab
	}
	never := func(string) bool { return false }
	endOfJanuary := func(day string) bool { return day == "2024-01-30" || day == "2024-01-31" }
	for _, tc := range []struct {
		name       string
		tab        totals.Table
		wantFall   bool
		wantNoneOf string // a day no anomaly may reach
	}{
		{"every day there", steady(never, never), false, ""},
		{"January's last days not delivered yet", steady(endOfJanuary, never), false, ""},
		{"a hole mid-month", steady(func(day string) bool { return day >= "2024-02-05" && day <= "2024-02-07" }, never), false, ""},
		{"EC2 stops while S3 goes on", steady(never, endOfJanuary), true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := detect(anomaly.DefaultConfig(), tc.tab, from, last, "2024-01-01", nil)
			if err != nil {
				t.Fatal(err)
			}
			var falls int
			for _, a := range got {
				if a.Impact.Sign() < 0 && a.Service == "AmazonEC2" && a.Start == "2024-01-30" {
					falls++
					continue
				}
				t.Errorf("unexpected anomaly %s %s..%s impact %s", a.ID(), a.Start, a.End, a.Impact)
			}
			if (falls > 0) != tc.wantFall {
				t.Errorf("EC2's fall on 2024-01-30 found %d times, want it %v", falls, tc.wantFall)
			}
		})
	}
}

func TestCovers(t *testing.T) {
	day := func(s string) anomaly.Day {
		d, err := anomaly.ParseDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	days := func(ss ...string) []anomaly.Day {
		var out []anomaly.Day
		for _, s := range ss {
			out = append(out, day(s))
		}
		return out
	}
	c := covers(days("2024-01-28", "2024-01-29", "2024-01-28", "2024-02-01", "2024-02-02", "2024-02-29", "2024-03-01", "2024-03-02"), day("2024-03-02"))
	for _, tc := range []struct {
		day, run, end string
		partial       bool
	}{
		{"2024-01-28", "2024-01-28", "2024-01-29", false},
		{"2024-01-29", "2024-01-28", "2024-01-29", true}, // January's newest day, short of its end
		{"2024-02-01", "2024-02-01", "2024-02-02", false},
		{"2024-02-29", "2024-02-29", "2024-03-02", false}, // February's last day: complete
		{"2024-03-02", "2024-02-29", "2024-03-02", false}, // the end read: days after it may be there
	} {
		run, ok := c.runs[day(tc.day)]
		if !ok || run != day(tc.run) || c.ends[run] != day(tc.end) || c.partial[day(tc.day)] != tc.partial {
			t.Errorf("%s: run %s..%s partial %v (covered %v), want %s..%s partial %v",
				tc.day, run, c.ends[run], c.partial[day(tc.day)], ok, tc.run, tc.end, tc.partial)
		}
	}
	if len(c.partial) != 1 {
		t.Errorf("partial days %v, want only 2024-01-29", c.partial)
	}
}
