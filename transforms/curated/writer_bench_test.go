package curated_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/curpipe/curpipe/transforms/curated"
	"github.com/curpipe/curpipe/transforms/decimal"
)

// benchRecords returns n line items shaped like a daily CUR's: a week of
// usage days plus a day of the previous month (several partitions, in no
// order of day), some 50 accounts, usage types and descriptions, long
// resource ARNs, costs with 10 to 20 fractional digits, a few of them
// negative, and some usage amounts missing.
func benchRecords(tb testing.TB, n int) []*curated.Record {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	list := func(n int, format string, args ...func(int) any) []string {
		s := make([]string, n)
		for i := range s {
			a := make([]any, len(args))
			for j, f := range args {
				a[j] = f(i)
			}
			s[i] = fmt.Sprintf(format, a...)
		}
		return s
	}
	id := func(i int) any { return i }
	accounts := list(50, "%012d", func(i int) any { return 100000000000 + i*7919 })
	services := list(50, "Amazon%s%d", func(i int) any { return []string{"EC2", "S3", "RDS", "CloudWatch", "DynamoDB"}[i%5] }, id)
	usageTypes := list(60, "USE1-BoxUsage:m5.%dxlarge", id)
	operations := list(20, "RunInstances:%04d", id)
	regions := []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", ""}
	itemTypes := []string{"Usage", "Usage", "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "Tax", "Credit"}
	descriptions := list(50, "$0.%03d per On Demand Linux m5.%dxlarge Instance Hour in US East (N. Virginia), billed per second", id, id)
	resources := list(20000, "arn:aws:ec2:us-east-1:%012d:instance/i-%017x",
		func(i int) any { return 100000000000 + i%50*7919 }, func(i int) any { return uint64(i) * 0x9e3779b97f4a7c15 >> 4 })

	// amount returns a decimal as billing exports print a double: 1 to 17
	// significant digits (1 in 50 with 20, as some exports print) and 10 to
	// 20 fractional ones, a tenth of costs in E notation.
	amount := func(neg, cost bool) decimal.Decimal {
		digits := make([]byte, 1+rng.IntN(17))
		if rng.IntN(50) == 0 {
			digits = make([]byte, 20)
		}
		for i := range digits {
			digits[i] = byte('1' + rng.IntN(9))
		}
		frac := 10 + rng.IntN(11)
		var s strings.Builder
		if neg {
			s.WriteByte('-')
		}
		switch n := len(digits); {
		case cost && rng.IntN(10) == 0:
			fmt.Fprintf(&s, "%c.%sE%d", digits[0], digits[1:], n-1-frac)
		case n > frac:
			fmt.Fprintf(&s, "%s.%s", digits[:n-frac], digits[n-frac:])
		default:
			fmt.Fprintf(&s, "0.%s%s", strings.Repeat("0", frac-n), digits)
		}
		return decimal.MustParse(s.String())
	}
	days := []time.Time{time.Date(2023, 2, 28, 0, 0, 0, 0, time.UTC)}
	for d := range 7 {
		days = append(days, time.Date(2023, 3, 1+d, 0, 0, 0, 0, time.UTC))
	}
	recs := make([]*curated.Record, n)
	for i := range recs {
		start := days[rng.IntN(len(days))].Add(time.Duration(rng.IntN(24)) * time.Hour)
		itemType := pick(itemTypes)
		unblended := amount(itemType == "Credit" || rng.IntN(50) == 0, true)
		recs[i] = &curated.Record{
			UsageStart: start, UsageEnd: start.Add(time.Hour), Provider: "AWS",
			PayerAccountID: accounts[0], UsageAccountID: pick(accounts), Service: pick(services),
			LineItemType: itemType, UsageType: pick(usageTypes), Operation: pick(operations),
			Region: pick(regions), ResourceID: pick(resources), Description: pick(descriptions),
			Currency: "USD", UsageAmount: amount(false, false), HasUsageAmount: rng.IntN(20) != 0,
			UnblendedCost: unblended, NetUnblended: unblended, AmortizedCost: amount(false, true),
			ReportID: "s3://billing-bucket/cur/daily-report/20230301-20230401", ReportVersion: "asm-1",
			SourceObject: "s3://billing-bucket/cur/daily-report/20230301-20230401/asm-1/daily-report-00001.csv.gz",
			SourceLine:   int64(i + 2),
		}
	}
	return recs
}

// countingFile is a destination that keeps nothing but its size.
type countingFile struct{ n *int64 }

func (f countingFile) Write(p []byte) (int, error) { *f.n += int64(len(p)); return len(p), nil }
func (countingFile) Close() error                  { return nil }

// BenchmarkPartitioned writes 200k rows as parsefile does, each Record on
// its way to one of nine daily partitions, and reports the CPU cost a row.
func BenchmarkPartitioned(b *testing.B) {
	recs := benchRecords(b, 200_000)
	period := func(*curated.Record) string { return "2023-03" }
	var size int64
	open := func(string) (io.WriteCloser, error) { return countingFile{&size}, nil }
	b.ReportAllocs()
	for b.Loop() {
		size = 0
		p := curated.NewPartitioned(open, "daily-report-00001", period)
		for _, r := range recs {
			if err := p.Write(r); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := p.Close(); err != nil {
			b.Fatal(err)
		}
	}
	rows := float64(b.N * len(recs))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rows, "ns/row")
	b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(size)/float64(len(recs)), "bytes/row")
}
