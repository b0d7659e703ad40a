package findings

import "testing"

// BenchmarkAddUninteresting feeds lines no rule reads, the bulk of a
// bill: they must be turned away for the price of a few comparisons.
func BenchmarkAddUninteresting(b *testing.B) {
	lines := []Line{
		usage("2025-06-01", "AmazonEC2", "USE1-BoxUsage:m7i.large", "i-0123456789abcdef0", "1", "0.1008"),
		usage("2025-06-01", "AmazonEC2", "USE1-DataTransfer-Regional-Bytes", "i-0123456789abcdef0", "0.02", "0.0002"),
		usage("2025-06-01", "AmazonRDS", "USE1-InstanceUsage:db.r6g.large", "arn:aws:rds:us-east-1:222222222222:db:main", "1", "0.225"),
		usage("2025-06-01", "AWSLambda", "USE1-Lambda-GB-Second", "arn:aws:lambda:us-east-1:222222222222:function:f", "12.5", "0.0002083"),
		usage("2025-06-01", "AmazonEC2", "EBS:VolumeUsage.gp3", "vol-0123456789abcdef0", "0.1333", "0.0106"),
		usage("2025-06-01", "AmazonS3", "USE1-DataTransfer-Out-Bytes", "bucket", "0.5", "0.045"),
	}
	tax := usage("2025-06-01", "AWSSupportBusiness", "Dollar", "", "1", "100")
	tax.LineItemType = "Tax"
	lines = append(lines, tax)
	var a Acc
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := a.Add(&lines[i%len(lines)]); err != nil {
			b.Fatal(err)
		}
	}
	if a.Len() != 0 {
		b.Fatalf("%d resources tracked from lines no rule reads", a.Len())
	}
}

// BenchmarkAddInteresting feeds a line a rule reads, for comparison.
func BenchmarkAddInteresting(b *testing.B) {
	l := usage("2025-06-01", "AmazonEC2", "USE1-NatGateway-Hours", nat, "1", "0.045")
	var a Acc
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Add(&l); err != nil {
			b.Fatal(err)
		}
	}
}
