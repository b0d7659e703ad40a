package main

import (
	"strings"
	"testing"
)

func TestReadLabels(t *testing.T) {
	const header = "kind,payer_account_id,usage_account_id,service,start_date,end_date,expected_per_day,impact_per_day,group\n"
	ls, err := readLabels(strings.NewReader(header +
		"spike,p,a,AmazonEC2,2024-03-05,2024-03-05,1000.5,250.1,\n" + // 250.1 >= max(50, 200.1)
		"spike,p,a,AmazonRDS,2024-03-05,2024-03-05,1000.5,200,\n" + // 200 < 200.1
		"new_service,p,a,AWSGlue,2024-03-05,2024-03-05,0,50,\n" +
		"masked_pair,p,a,AmazonS3,2024-03-05,2024-03-09,300,-60,pair-1\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []bool
	for _, l := range ls {
		got = append(got, l.material)
	}
	if want := []bool{true, false, true, true}; len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("material %v, want %v", got, want)
	}
	for _, bad := range []string{
		"",
		"kind,payer\n",
		header + "spike,p,a,s,2024-03-05,2024-03-04,1,100,\n",
		header + "spike,,a,s,2024-03-05,2024-03-05,1,100,\n",
		header + "spike,p,a,s,2024-03-05,2024-03-05,one,100,\n",
		header + "spike,p,a,s,2024-13-05,2024-03-05,1,100,\n",
	} {
		if _, err := readLabels(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// readLabels fails or returns labels that hold what their row says, with
// the materiality bar applied; it never panics.
func FuzzReadLabels(f *testing.F) {
	const header = "kind,payer_account_id,usage_account_id,service,start_date,end_date,expected_per_day,impact_per_day,group\n"
	f.Add(header + "spike,p,a,AmazonEC2,2024-03-05,2024-03-05,1000.5,250.1,\n")
	f.Add(header + "masked_pair,p,a,s,2024-03-05,2024-03-09,3e2,-6E1,pair-1\n")
	f.Add(header + "new_service,p,,,2024-03-05,2024-03-05,0,\"50\",\n")
	f.Fuzz(func(t *testing.T, s string) {
		ls, err := readLabels(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, l := range ls {
			if l.key.Payer == "" || l.end < l.start || l.material != material(l.impact, l.expected) {
				t.Fatalf("%q: label %+v", s, l)
			}
		}
	})
}
