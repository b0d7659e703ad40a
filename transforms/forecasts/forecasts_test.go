package forecasts

import (
	"testing"

	"github.com/curpipe/curpipe/transforms/element"
)

func TestNewestComplete(t *testing.T) {
	for _, tc := range []struct {
		period string
		days   []string
		want   string
	}{
		{"2024-03", []string{"2024-03-01", "2024-03-14", "2024-03-02"}, "2024-03-13"}, // mid-month: the newest day is incomplete
		{"2024-03", []string{"2024-03-01"}, "2024-02-29"},                             // the 1st only: the day before
		{"2024-02", []string{"2024-02-01", "2024-02-29"}, "2024-02-29"},               // the period is over
		{"2024-02", []string{"2024-02-10", "2024-03-01"}, "2024-03-01"},               // a late line past the period
		{"", []string{"2024-02-10"}, "2024-02-10"},                                    // no period: taken as it is
		{"2024-02", nil, ""},
	} {
		if got := newestComplete(element.Outcome{BillingPeriod: tc.period, Days: tc.days}); got != tc.want {
			t.Errorf("newestComplete(%s, %v) = %q, want %q", tc.period, tc.days, got, tc.want)
		}
	}
}
