package parse

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/element"
)

func init() {
	register.Function2x1(describePartial)
	register.Function2x1(describeStatus)
}

// describePartial sums a batch of partial sums: its day, cells and cost.
func describePartial(k element.ShardKey, c element.Cells) string {
	var sum decimal.Decimal
	for _, r := range c.Rows {
		sum = sum.Add(r.Unblended)
	}
	return fmt.Sprintf("%s %s %d cells %s spilled %d", k.Ref, k.Day, len(c.Rows), sum, len(c.Spilled))
}

// describeStatus names a file's status: its rows, days and error.
func describeStatus(ref string, st element.FileStatus) string {
	failed := ""
	if st.Err != "" {
		failed = " failed"
	}
	return fmt.Sprintf("%s #%d rows %d days %s%s", ref, st.Index, st.Rows, strings.Join(st.Days, ","), failed)
}

const parseHeader = "identity/LineItemId,bill/PayerAccountId,lineItem/UsageAccountId,lineItem/LineItemType," +
	"lineItem/UsageStartDate,lineItem/ProductCode,lineItem/CurrencyCode,lineItem/UnblendedCost\n"

// TestParse runs Parse on prism over one group of two files of a report
// and a group of a file that cannot be read: the group's files are summed
// into one batch per day, exactly; every file has its status, the bad one
// failed, and it yields no sums.
func TestParse(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.csv", parseHeader+
		"1,111,222,Usage,2024-01-01T00:00:00Z,AmazonEC2,USD,0.1\n"+
		"2,111,222,Usage,2024-01-02T05:00:00Z,AmazonEC2,USD,1E-9\n")
	b := write("b.csv", parseHeader+
		"3,111,222,Usage,2024-01-01T23:59:59Z,AmazonEC2,USD,0.2\n"+
		"4,111,333,Usage,2024-01-01T10:00:00Z,AmazonS3,USD,-0.05\n")
	bad := write("bad.csv.gz", "not gzip at all")
	task := func(ref, u string, i int) element.FileTask {
		return element.FileTask{Ref: ref, ReportKey: "k", ReportName: "r", ReportID: ref, Version: "v", VersionKey: "v", URL: u, Index: i}
	}
	groups := []element.FileGroup{
		{Tasks: []element.FileTask{task("r@v", a, 0), task("r@v", b, 1)}, Groups: 1},
		{Tasks: []element.FileTask{task("x@v", bad, 0)}, Groups: 1},
	}
	p, s := beam.NewPipelineWithRoot()
	partials, statuses := Parse(s, beam.CreateList(s, groups), ParseOptions{})
	passert.Equals(s, beam.ParDo(s, describePartial, partials),
		"r@v 2024-01-01 2 cells 0.25 spilled 0",
		"r@v 2024-01-02 1 cells 0.000000001 spilled 0")
	passert.Equals(s, beam.ParDo(s, describeStatus, statuses),
		"r@v #0 rows 2 days 2024-01-01,2024-01-02",
		"r@v #1 rows 2 days 2024-01-01",
		"x@v #0 rows 0 days  failed")
	ptest.RunAndValidate(t, p)
}
