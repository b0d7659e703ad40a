package alert

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
)

func dec(s string) decimal.Decimal { return decimal.MustParse(s) }

func pct(s string) *decimal.Decimal { d := dec(s); return &d }

// spike is an anomaly of one day: 1,734.56 over an expected 693.82.
func spike() Anomaly {
	return Anomaly{Payer: "111111111111", Account: "222222222222", Service: "Amazon Elastic Compute Cloud", Currency: "USD",
		Kind: "spike", Start: "2026-11-03", End: "2026-11-03", Expected: dec("693.82"), Actual: dec("2428.38"),
		Impact: dec("1734.56"), MaxImpact: dec("1734.56"), ImpactPercent: pct("250.00"), Score: 9.1234,
		RootCauses: []RootCause{{Region: "us-east-1", UsageType: "BoxUsage:c5.xlarge", Contribution: dec("1500.004")},
			{Region: "us-west-2", UsageType: "DataTransfer-Out-Bytes", Contribution: dec("234.556")}}}
}

func TestThresholds(t *testing.T) {
	a := spike()
	small := a
	small.Impact, small.ImpactPercent = dec("60"), pct("8.65")
	down := a
	down.Impact, down.ImpactPercent = dec("-1734.56"), pct("-250")
	fresh := a
	fresh.Expected, fresh.Impact, fresh.ImpactPercent = dec("0"), dec("500"), nil
	for _, tc := range []struct {
		name string
		th   Thresholds
		a    Anomaly
		want bool
	}{
		{"both reached", Thresholds{dec("100"), dec("20"), And}, a, true},
		{"impact too small, and", Thresholds{dec("100"), dec("5"), And}, small, false},
		{"impact too small, or", Thresholds{dec("100"), dec("5"), Or}, small, true},
		{"neither, or", Thresholds{dec("100"), dec("20"), Or}, small, false},
		{"a fall counts by its size", Thresholds{dec("100"), dec("20"), And}, down, true},
		{"nothing expected passes the percentage", Thresholds{dec("100"), dec("20"), And}, fresh, true},
		{"nothing expected, impact too small", Thresholds{dec("1000"), dec("20"), And}, fresh, false},
	} {
		if got := tc.th.Pass(tc.a); got != tc.want {
			t.Errorf("%s: Pass = %v, want %v", tc.name, got, tc.want)
		}
	}
	if err := (Thresholds{dec("-1"), dec("20"), "xor"}).Validate(); err == nil || !strings.Contains(err.Error(), "--alert-min-impact") || !strings.Contains(err.Error(), "--alert-threshold-mode") {
		t.Errorf("Validate: %v", err)
	}
}

func TestCompose(t *testing.T) {
	m, err := Compose(spike(), Open)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Cost anomaly: Amazon Elastic Compute Cloud in 222222222222 +USD 1,734.56 (+250.00%) since 2026-11-03"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	for _, want := range []string{
		"Amazon Elastic Compute Cloud in account 222222222222 (payer 111111111111) cost USD 1,734.56 more than expected over 1 day(s) since 2026-11-03 (+250.00%).",
		"expected  USD 693.82", "actual    USD 2,428.38", "impact    +USD 1,734.56 (+250.00%), largest day +USD 1,734.56",
		"us-east-1        BoxUsage:c5.xlarge", "+USD 1,500.00",
	} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}
	// The JSON after the text, with AWS's names and exact figures.
	var doc map[string]any
	if err := json.Unmarshal([]byte(m.Body[strings.Index(m.Body, "{"):]), &doc); err != nil {
		t.Fatalf("the body's JSON: %v", err)
	}
	impact := doc["Impact"].(map[string]any)
	for k, want := range map[string]string{"TotalImpact": "1734.56", "TotalExpectedSpend": "693.82", "TotalActualSpend": "2428.38",
		"TotalImpactPercentage": "250", "MaxImpact": "1734.56"} {
		if impact[k] != want {
			t.Errorf("Impact.%s = %v, want %s", k, impact[k], want)
		}
	}
	causes := doc["RootCauses"].([]any)
	if len(causes) != 2 || causes[0].(map[string]any)["Impact"].(map[string]any)["Contribution"] != "1500.004" ||
		causes[0].(map[string]any)["UsageType"] != "BoxUsage:c5.xlarge" || causes[0].(map[string]any)["LinkedAccount"] != "222222222222" {
		t.Errorf("RootCauses %v", causes)
	}
	if doc["AnomalyStartDate"] != "2026-11-03" || doc["status"] != "open" || doc["type"] != "anomaly" {
		t.Errorf("doc %v", doc)
	}
	if want := map[string]string{"type": "anomaly", "status": "open", "payer": "111111111111", "account": "222222222222",
		"service": "Amazon Elastic Compute Cloud", "currency": "USD"}; !reflect.DeepEqual(m.Attributes, want) {
		t.Errorf("attributes %v, want %v", m.Attributes, want)
	}

	total := spike()
	total.Account, total.Service, total.Impact, total.ImpactPercent = "", "", dec("-1234567.891"), pct("-33.333")
	m, _ = Compose(total, Resolved)
	if want := "Resolved cost anomaly: payer 111111111111 total -USD 1,234,567.89 (-33.33%) since 2026-11-03"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	fresh := spike()
	fresh.Kind, fresh.Expected, fresh.ImpactPercent, fresh.Impact = "new", dec("0"), nil, dec("512")
	m, _ = Compose(fresh, Open)
	if want := "New spend: Amazon Elastic Compute Cloud in 222222222222 +USD 512.00 since 2026-11-03"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	if strings.Contains(m.Body, "TotalImpactPercentage") {
		t.Error("a new series' message has an impact percentage")
	}
}

func TestRecordsCSV(t *testing.T) {
	a := spike()
	b := spike()
	b.Account, b.Service, b.ImpactPercent, b.Start, b.End = "", "", nil, "2026-11-01", "2026-11-04"
	b.RootCauses = []RootCause{{Account: "333333333333", Service: "Amazon S3", Region: "eu-west-1", UsageType: `EU-Requests-Tier1;"x"=1/2,`, Contribution: dec("-0.0000001")}}
	recs := []Record{{Anomaly: a, Status: Grown, Published: true, Told: dec("1734.56")}, {Anomaly: b, Status: Resolved}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, recs); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "usage_date,payer_account_id,usage_account_id,service,currency,expected_cost,actual_cost,impact,") {
		t.Errorf("header: %s", buf.String())
	}
	got, err := ReadCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Start != "2026-11-01" || got[0].Days() != 4 || got[1].Status != Grown || !got[1].Published ||
		!got[1].Told.Equal(dec("1734.56")) || len(got[1].RootCauses) != 2 || !got[1].RootCauses[1].Contribution.Equal(dec("234.556")) ||
		got[1].ImpactPercent == nil || got[0].ImpactPercent != nil {
		t.Errorf("round trip: %+v", got)
	}
	if len(got) == 2 && !reflect.DeepEqual(got[0].RootCauses, b.RootCauses) {
		t.Errorf("root causes of a payer's total: got %+v, want %+v", got[0].RootCauses, b.RootCauses)
	}
	if _, err := ReadCSV(strings.NewReader("usage_date,x\n")); err == nil {
		t.Error("a wrong header reads")
	}
}

func TestAdvance(t *testing.T) {
	p := Policy{Thresholds: Thresholds{dec("100"), dec("20"), And}, Horizon: "2026-11-01"}
	a := spike()
	grown := a
	grown.End, grown.Impact, grown.ImpactPercent = "2026-11-05", dec("4000"), pct("190")
	slightly := a
	slightly.End, slightly.Impact = "2026-11-04", dec("2000")
	old := a
	old.Start, old.End = "2026-09-03", "2026-09-03"
	small := a
	small.Impact, small.ImpactPercent = dec("50"), pct("7")
	published := &Record{Anomaly: a, Status: Open, Published: true, Told: a.Impact}
	quiet := &Record{Anomaly: small, Status: Open}
	for _, tc := range []struct {
		name      string
		prev      *Record
		now       *Anomaly
		announce  Status
		published bool
		status    Status
		told      string
	}{
		{"new and material", nil, &a, Open, true, Open, "1734.56"},
		{"the same again (a redelivery)", published, &a, "", true, Open, "1734.56"},
		{"grew twofold by the minimum", published, &grown, Grown, true, Grown, "4000"},
		{"grew a little", published, &slightly, "", true, Open, "1734.56"},
		{"resolved by a restatement", published, nil, Resolved, true, Resolved, "1734.56"},
		{"resolved again", &Record{Anomaly: a, Status: Resolved, Published: true}, nil, "", true, Resolved, "0"},
		{"before the horizon: recorded only", nil, &old, "", false, Open, "0"},
		{"below the thresholds: recorded only", nil, &small, "", false, Open, "0"},
		{"an unpublished one resolves quietly", quiet, nil, "", false, Resolved, "0"},
		{"an unpublished one becomes material", quiet, &a, Open, true, Open, "1734.56"},
		{"back after it was resolved", &Record{Anomaly: a, Status: Resolved, Published: true, Told: a.Impact}, &a, Open, true, Open, "1734.56"},
	} {
		rec, announce := p.Advance(tc.prev, tc.now)
		if announce != tc.announce || rec.Published != tc.published || rec.Status != tc.status || !rec.Told.Equal(dec(tc.told)) {
			t.Errorf("%s: announce %q, record %s published %v told %s; want %q, %s, %v, %s", tc.name, announce, rec.Status,
				rec.Published, rec.Told, tc.announce, tc.status, tc.published, tc.told)
		}
	}
}

// FuzzReadCSV: any input reads without a panic, and what reads writes back
// to records that read the same.
func FuzzReadCSV(f *testing.F) {
	var buf bytes.Buffer
	WriteCSV(&buf, []Record{{Anomaly: spike(), Status: Open, Published: true, Told: dec("1")}})
	f.Add(buf.String())
	f.Add(strings.Join(Header, ",") + "\n" + `2024-01-01,1,,,USD,1,2,1,,1,2024-01-01,1,new,open,false,NaN,"[{""region"":""r"",""usage_type"":""u"",""contribution"":""1""}]",0` + "\n")
	f.Fuzz(func(t *testing.T, in string) {
		recs, err := ReadCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteCSV(&out, recs); err != nil {
			t.Fatalf("write what was read: %v", err)
		}
		again, err := ReadCSV(&out)
		if err != nil || len(again) != len(recs) {
			t.Fatalf("read back %d records, %v; want %d", len(again), err, len(recs))
		}
		for i := range recs {
			if again[i].ID() != recs[i].ID() && !slices.ContainsFunc(recs, func(r Record) bool { return r.ID() == again[i].ID() }) {
				t.Errorf("record %s read back as %s", recs[i].ID(), again[i].ID())
			}
		}
	})
}
