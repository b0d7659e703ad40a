package main

import (
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/anomaly"
)

const labelsCSV = "kind,payer_account_id,usage_account_id,service,start_date,end_date,expected_per_day,impact_per_day,group\n"

func TestReadEvents(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []event
		err      string
	}{
		{"spike", labelsCSV + "spike,p,a,AmazonEC2,2024-03-05,2024-03-05,1000.5,250.1,\n",
			[]event{{anomaly.Key{Payer: "p", Account: "a", Service: "AmazonEC2"}, anomaly.MustParseDay("2024-03-05"), anomaly.MustParseDay("2024-03-05"), true}}, ""},
		{"restated spike is not in the current totals", labelsCSV + "restated_spike,p,a,s,2024-03-05,2024-03-05,1,2,v1\n",
			[]event{{anomaly.Key{Payer: "p", Account: "a", Service: "s"}, anomaly.MustParseDay("2024-03-05"), anomaly.MustParseDay("2024-03-05"), false}}, ""},
		{"no rows", labelsCSV, nil, ""},
		{"wrong header", "kind,payer\n", nil, "header"},
		{"bad day", labelsCSV + "spike,p,a,s,2024-02-30,2024-03-01,1,2,\n", nil, "line 2"},
		{"end before start", labelsCSV + "drift,p,a,s,2024-03-05,2024-03-04,1,2,\n", nil, "before start"},
		{"no payer", labelsCSV + "spike,,a,s,2024-03-05,2024-03-05,1,2,\n", nil, "no payer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readEvents(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d events, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("event %d: %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestEventCovers(t *testing.T) {
	account := event{key: anomaly.Key{Payer: "p", Account: "a"}}
	for _, tc := range []struct {
		k    anomaly.Key
		want bool
	}{
		{anomaly.Key{Payer: "p", Account: "a", Service: "s"}, true},
		{anomaly.Key{Payer: "p", Account: "b", Service: "s"}, false},
		{anomaly.Key{Payer: "q", Account: "a", Service: "s"}, false},
	} {
		if got := account.covers(tc.k); got != tc.want {
			t.Errorf("an account's event covers %v: %v, want %v", tc.k, got, tc.want)
		}
	}
}

func FuzzReadEvents(f *testing.F) {
	f.Add(labelsCSV + "spike,p,a,AmazonEC2,2024-03-05,2024-03-05,1000.5,250.1,\n")
	f.Add(labelsCSV + "masked_pair,p,a,s,2024-03-05,2024-03-09,3e2,-6E1,pair-1\n")
	f.Add(labelsCSV + "new_account,p,,,2024-03-05,2024-03-05,0,\"50\",\n")
	f.Fuzz(func(t *testing.T, s string) {
		es, err := readEvents(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, e := range es {
			if e.key.Payer == "" || e.end < e.start {
				t.Fatalf("%q: event %+v", s, e)
			}
		}
	})
}
