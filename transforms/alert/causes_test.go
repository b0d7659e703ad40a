package alert

import (
	"reflect"
	"slices"
	"testing"
)

func TestCauseDays(t *testing.T) {
	for _, tc := range []struct {
		start, end       string
		actual, baseline []string
	}{
		{"2026-11-03", "2026-11-03", []string{"2026-11-03"}, []string{"2026-10-27"}},
		{"2026-11-03", "2026-11-05", []string{"2026-11-03", "2026-11-04", "2026-11-05"}, []string{"2026-10-27", "2026-10-28", "2026-10-29"}},
		// Ten days: the last seven, against the same weekdays two weeks
		// back, all before the start.
		{"2026-11-01", "2026-11-10", []string{"2026-11-04", "2026-11-05", "2026-11-06", "2026-11-07", "2026-11-08", "2026-11-09", "2026-11-10"},
			[]string{"2026-10-21", "2026-10-22", "2026-10-23", "2026-10-24", "2026-10-25", "2026-10-26", "2026-10-27"}},
		{"2026-11-05", "2026-11-04", nil, nil},
		{"bad", "2026-11-04", nil, nil},
	} {
		actual, baseline := CauseDays(Anomaly{Start: tc.start, End: tc.end})
		if !slices.Equal(actual, tc.actual) || !slices.Equal(baseline, tc.baseline) {
			t.Errorf("CauseDays(%s..%s) = %v, %v; want %v, %v", tc.start, tc.end, actual, baseline, tc.actual, tc.baseline)
		}
		for _, d := range baseline {
			if d >= tc.start {
				t.Errorf("CauseDays(%s..%s): baseline day %s is not before the start", tc.start, tc.end, d)
			}
		}
	}
}

func TestExplain(t *testing.T) {
	line := func(day, account, service, region, usage, cost string) Line {
		return Line{Day: day, Payer: "111111111111", Account: account, Service: service, Currency: "USD", Region: region, UsageType: usage, Cost: dec(cost)}
	}
	lines := []Line{
		// the spike's day, 2026-11-03, against 2026-10-27
		line("2026-11-03", "222222222222", "AmazonEC2", "us-east-1", "BoxUsage:c5.xlarge", "1600.004"),
		line("2026-10-27", "222222222222", "AmazonEC2", "us-east-1", "BoxUsage:c5.xlarge", "100"),
		line("2026-11-03", "222222222222", "AmazonEC2", "us-west-2", "DataTransfer-Out-Bytes", "300.556"),
		line("2026-10-27", "222222222222", "AmazonEC2", "us-west-2", "DataTransfer-Out-Bytes", "66"),
		// a line that fell: not a cause of a rise
		line("2026-11-03", "222222222222", "AmazonEC2", "us-east-1", "EBS:VolumeUsage.gp3", "10"),
		line("2026-10-27", "222222222222", "AmazonEC2", "us-east-1", "EBS:VolumeUsage.gp3", "40"),
		// unchanged: no contribution
		line("2026-11-03", "222222222222", "AmazonEC2", "us-east-1", "NatGateway-Hours", "5"),
		line("2026-10-27", "222222222222", "AmazonEC2", "us-east-1", "NatGateway-Hours", "5"),
		// other series, days, payers and currencies
		line("2026-11-03", "333333333333", "AmazonS3", "eu-west-1", "TimedStorage-ByteHrs", "900"),
		line("2026-11-02", "222222222222", "AmazonEC2", "us-east-1", "BoxUsage:c5.xlarge", "5000"),
		{Day: "2026-11-03", Payer: "999999999999", Account: "222222222222", Service: "AmazonEC2", Currency: "USD", Region: "us-east-1", UsageType: "BoxUsage:c5.xlarge", Cost: dec("7")},
		{Day: "2026-11-03", Payer: "111111111111", Account: "222222222222", Service: "AmazonEC2", Currency: "EUR", Region: "us-east-1", UsageType: "BoxUsage:c5.xlarge", Cost: dec("7")},
	}
	a := Anomaly{Payer: "111111111111", Account: "222222222222", Service: "AmazonEC2", Currency: "USD", Start: "2026-11-03", End: "2026-11-03", Impact: dec("1700")}
	Explain(&a, lines)
	want := []RootCause{{Region: "us-east-1", UsageType: "BoxUsage:c5.xlarge", Contribution: dec("1500.004")},
		{Region: "us-west-2", UsageType: "DataTransfer-Out-Bytes", Contribution: dec("234.556")}}
	if !reflect.DeepEqual(a.RootCauses, want) {
		t.Errorf("a series' causes = %+v, want %+v", a.RootCauses, want)
	}

	total := Anomaly{Payer: "111111111111", Currency: "USD", Start: "2026-11-03", End: "2026-11-03", Impact: dec("2600")}
	Explain(&total, lines)
	want = []RootCause{{Account: "222222222222", Service: "AmazonEC2", Region: "us-east-1", UsageType: "BoxUsage:c5.xlarge", Contribution: dec("1500.004")},
		{Account: "333333333333", Service: "AmazonS3", Region: "eu-west-1", UsageType: "TimedStorage-ByteHrs", Contribution: dec("900")},
		{Account: "222222222222", Service: "AmazonEC2", Region: "us-west-2", UsageType: "DataTransfer-Out-Bytes", Contribution: dec("234.556")}}
	if !reflect.DeepEqual(total.RootCauses, want) {
		t.Errorf("a payer total's causes = %+v, want %+v", total.RootCauses, want)
	}

	drop := a
	drop.Impact = dec("-30")
	Explain(&drop, lines)
	if want := []RootCause{{Region: "us-east-1", UsageType: "EBS:VolumeUsage.gp3", Contribution: dec("-30")}}; !reflect.DeepEqual(drop.RootCauses, want) {
		t.Errorf("a drop's causes = %+v, want %+v", drop.RootCauses, want)
	}

	var many []Line
	for i := range 9 {
		many = append(many, line("2026-11-03", "222222222222", "AmazonEC2", "us-east-1", "Usage"+string(rune('A'+i)), "1"+string(rune('0'+i))))
	}
	Explain(&a, many)
	if len(a.RootCauses) != MaxRootCauses || a.RootCauses[0].UsageType != "UsageI" || a.RootCauses[MaxRootCauses-1].UsageType != "UsageE" {
		t.Errorf("causes of many lines = %+v, want the %d largest", a.RootCauses, MaxRootCauses)
	}
}
