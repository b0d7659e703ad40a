package findings

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestHeaderBeginsWithTheIssues(t *testing.T) {
	const issue = "rule,resource_id,usage_account_id,region,first_seen,last_seen,monthly_cost,estimated_monthly_saving"
	if got := strings.Join(Header, ","); !strings.HasPrefix(got, issue+",") {
		t.Fatalf("Header %q does not begin with %q", got, issue)
	}
}

func TestCSVRoundTrip(t *testing.T) {
	fs := feed(t, allLines()).Findings(DefaultConfig())
	var buf bytes.Buffer
	if err := WriteCSV(&buf, fs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFindings(fs, back) {
		t.Fatalf("round trip differs:\n%+v\n%+v", fs, back)
	}
}

func TestCSVSortedBySaving(t *testing.T) {
	fs := feed(t, allLines()).Findings(DefaultConfig())
	var buf bytes.Buffer
	if err := WriteCSV(&buf, fs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// Largest saving first: the unused Savings Plan (180), the idle NAT
	// gateway (32.40), the unused reservation (21.625).
	for i, prefix := range []string{"rule,", "unused-savings-plan,", "idle-nat-gateway,", "unused-reserved-instance,"} {
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("line %d: %q, want it to begin with %q", i, lines[i], prefix)
		}
	}
	t.Log("\n" + buf.String())
}

func TestSortTies(t *testing.T) {
	fs := []Finding{
		finding(RuleIdlePublicIP, testPayer, "b", "", "", "1"),
		finding(RuleIdlePublicIP, testPayer, "a", "", "", "1"),
		finding(RuleGP2ToGP3, testPayer, "z", "", "", "1"),
		finding(RuleGP2ToGP3, testPayer, "y", "", "", "2"),
	}
	Sort(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+":"+f.ResourceID)
	}
	want := "gp2-to-gp3:y gp2-to-gp3:z idle-public-ip:a idle-public-ip:b"
	if strings.Join(got, " ") != want {
		t.Fatalf("sorted %v, want %s", got, want)
	}
}

func TestReadCSVErrors(t *testing.T) {
	head := strings.Join(Header, ",") + "\n"
	good := "idle-public-ip,eipalloc-1,2,us-east-1,2025-06-01,2025-06-30,3.6,3.6,1,30,,a|b,idle_hours=720;idle_cost=3.6\n"
	if fs, err := ReadCSV(strings.NewReader(head + good)); err != nil || len(fs) != 1 {
		t.Fatalf("good CSV: %v, %d findings", err, len(fs))
	}
	for name, in := range map[string]string{
		"no header":     "",
		"wrong header":  "rule,resource\n",
		"short record":  head + "idle-public-ip,x\n",
		"bad cost":      head + strings.Replace(good, ",3.6,3.6,", ",3.6x,3.6,", 1),
		"bad days":      head + strings.Replace(good, ",30,", ",thirty,", 1),
		"bad evidence":  head + strings.Replace(good, "idle_hours=720", "idle_hours", 1),
		"bad evidence2": head + strings.Replace(good, "idle_hours=720", "idle_hours=7e", 1),
	} {
		if _, err := ReadCSV(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestWriteCSVRefusesWhatCannotComeBack(t *testing.T) {
	f := finding(RuleIdlePublicIP, testPayer, "x", "2025-06-01", "2025-06-30", "1")
	f.Evidence.UsageTypes = []string{"a|b"}
	if err := WriteCSV(&bytes.Buffer{}, []Finding{f}); !errors.Is(err, ErrUnencodable) {
		t.Fatalf("WriteCSV: %v, want ErrUnencodable", err)
	}
}
