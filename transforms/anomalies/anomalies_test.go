package anomalies

import (
	"testing"

	"github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
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
