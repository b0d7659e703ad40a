package findings_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/findings"
)

// TestAddCopiesStrings feeds lines whose strings alias one buffer that is
// overwritten after each Add, as a reader's is: what the Acc keeps must
// not change with it.
func TestAddCopiesStrings(t *testing.T) {
	const text = "USE1-ElasticIP:IdleAddress|eipalloc-0abc|111111111111|222222222222|us-east-1"
	buf := []byte(text)
	var a findings.Acc
	for day := 1; day <= 3; day++ {
		copy(buf, text)
		f := strings.Split(unsafe.String(unsafe.SliceData(buf), len(buf)), "|")
		l := findings.Line{UsageDay: fmt.Sprintf("2024-04-%02d", day), LineItemType: "Usage", Service: "AmazonEC2",
			UsageType: f[0], ResourceID: f[1], Payer: f[2], UsageAccount: f[3], Region: f[4],
			UsageAmount: decimal.MustParse("24"), UnblendedCost: decimal.MustParse("0.12")}
		if err := a.Add(&l); err != nil {
			t.Fatal(err)
		}
		for i := range buf {
			buf[i] = '#'
		}
	}
	fs := a.Findings(findings.DefaultConfig())
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1: %+v", len(fs), fs)
	}
	f := fs[0]
	if f.ResourceID != "eipalloc-0abc" || f.Payer != "111111111111" || f.UsageAccount != "222222222222" || f.Region != "us-east-1" ||
		!slices.Equal(f.Evidence.UsageTypes, []string{"USE1-ElasticIP:IdleAddress"}) {
		t.Errorf("the finding follows the overwritten buffer: %+v", f)
	}
}
