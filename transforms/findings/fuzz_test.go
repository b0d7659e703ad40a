package findings

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
)

func FuzzUnmarshal(f *testing.F) {
	whole, err := feed(f, allLines()).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	small, err := feed(f, []Line{riFee("2025-06-01", "1", "0.5", "1", "0")}).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(whole)
	f.Add(small)
	f.Add(magic)
	f.Add([]byte{})
	f.Add(append(append([]byte(nil), magic...), 0xff, 0xff, 0xff, 0xff, 0x0f))
	f.Fuzz(func(t *testing.T, b []byte) {
		var a Acc
		if err := a.UnmarshalBinary(b); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		// What decodes encodes to a form that decodes to the same Acc
		// (the input may have spelled a number with redundant bytes), and
		// gives findings.
		again, err := a.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var b2 Acc
		if err := b2.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoded %x does not decode: %v", again, err)
		}
		if third, err := b2.MarshalBinary(); err != nil || !bytes.Equal(third, again) {
			t.Fatalf("decoded %x, encodes to %x, then to %x (%v)", b, again, third, err)
		}
		_ = a.Findings(DefaultConfig())
	})
}

func FuzzCSVRoundTrip(f *testing.F) {
	f.Add(RuleIdleNATGateway, nat, "USE1-NatGateway-Hours", "hours", "32.4135", "-0.0000000001", 30)
	f.Add("", "", "", "", "0", "1e-8", 0)
	f.Add("a,b", "\"quoted\"", "x\ny", "n", "12345678901234567890.5", "7", -1)
	f.Fuzz(func(t *testing.T, rule, id, usageType, name, cost, saving string, days int) {
		c, err1 := decimal.Parse(cost)
		s, err2 := decimal.Parse(saving)
		if err1 != nil || err2 != nil {
			return
		}
		in := []Finding{{
			Rule: rule, ResourceID: id, UsageAccount: testAccount, Region: testRegion, Payer: testPayer,
			FirstSeen: "2025-06-01", LastSeen: "2025-06-30", MonthlyCost: c, MonthlySaving: s, DaysSeen: days,
			Detail: usageType, Evidence: Evidence{UsageTypes: []string{usageType}, Figures: []Measure{{Name: name, Value: c}}},
		}}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, in); err != nil {
			if !errors.Is(err, ErrUnencodable) {
				t.Fatalf("WriteCSV: %v", err)
			}
			return
		}
		out, err := ReadCSV(strings.NewReader(buf.String()))
		if err != nil {
			t.Fatalf("ReadCSV of %q: %v", buf.String(), err)
		}
		if !sameFindings(in, out) {
			t.Fatalf("round trip of %q:\n%+v\n%+v", buf.String(), in, out)
		}
	})
}

// sameFindings compares findings with decimals compared as numbers.
func sameFindings(a, b []Finding) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Rule != y.Rule || x.ResourceID != y.ResourceID || x.UsageAccount != y.UsageAccount ||
			x.Region != y.Region || x.Payer != y.Payer || x.FirstSeen != y.FirstSeen || x.LastSeen != y.LastSeen ||
			!x.MonthlyCost.Equal(y.MonthlyCost) || !x.MonthlySaving.Equal(y.MonthlySaving) ||
			x.DaysSeen != y.DaysSeen || x.Detail != y.Detail ||
			len(x.Evidence.UsageTypes) != len(y.Evidence.UsageTypes) || len(x.Evidence.Figures) != len(y.Evidence.Figures) {
			return false
		}
		for j := range x.Evidence.UsageTypes {
			if x.Evidence.UsageTypes[j] != y.Evidence.UsageTypes[j] {
				return false
			}
		}
		for j := range x.Evidence.Figures {
			if x.Evidence.Figures[j].Name != y.Evidence.Figures[j].Name || !x.Evidence.Figures[j].Value.Equal(y.Evidence.Figures[j].Value) {
				return false
			}
		}
	}
	return true
}
