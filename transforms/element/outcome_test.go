package element

import "testing"

func TestNewestComplete(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Outcome
		want string
	}{
		{"no days", Outcome{BillingPeriod: "2024-03"}, ""},
		{"an open month's newest day is partial", Outcome{BillingPeriod: "2024-03", Days: []string{"2024-03-02", "2024-03-10", "2024-03-01"}}, "2024-03-09"},
		{"a month's last day is complete", Outcome{BillingPeriod: "2024-02", Days: []string{"2024-02-28", "2024-02-29"}}, "2024-02-29"},
		{"a period with a time", Outcome{BillingPeriod: "2024-03-01T00:00:00Z", Days: []string{"2024-03-01"}}, "2024-02-29"},
		{"no billing period", Outcome{Days: []string{"2024-03-05"}}, "2024-03-05"},
		{"an unreadable period", Outcome{BillingPeriod: "March 2024", Days: []string{"2024-03-05"}}, "2024-03-05"},
	} {
		if got := tc.o.NewestComplete(); got != tc.want {
			t.Errorf("%s: NewestComplete() = %q, want %q", tc.name, got, tc.want)
		}
	}
}
