package findings

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// allLines is a month of every kind of line the rules read, planted and
// look-alike, and lines no rule reads.
func allLines() []Line {
	return concat(
		daily(june, func(d string) Line { return usage(d, "AmazonEC2", "USE1-ElasticIP:IdleAddress", eip, "24", "0.12") }),
		daily(june, func(d string) Line { return usage(d, "AmazonEC2", "USE1-NatGateway-Hours", nat, "24", "1.08") }),
		daily(june, func(d string) Line { return usage(d, "AmazonEC2", "USE1-NatGateway-Bytes", nat, "0.01", "0.00045") }),
		daily(june, func(d string) Line { return usage(d, "AmazonVPC", "USE1-VpcEndpoint-Hours", vpce, "24", "0.24") }),
		daily(june, func(d string) Line { return usage(d, "AWSELB", "USE1-LoadBalancerUsage", alb, "24", "0.54") }),
		daily(june, func(d string) Line { return usage(d, "AWSELB", "USE1-LCUUsage", alb, "0.5", "0.004") }),
		daily(june, func(d string) Line { return gp2(d, vol, "40", "4") }),
		daily(june, func(d string) Line { return usage(d, "AmazonEC2", "EBS:VolumeUsage.gp3", "vol-gp3", "5", "0.4") }),
		daily(june, func(d string) Line { return usage(d, "AmazonEC2", "EBS:SnapshotUsage", snap, "0.5", "0.025") }),
		[]Line{usage("2024-05-31", "AmazonEC2", "EBS:SnapshotUsage", snap, "0.5", "0.025")},
		daily(june, func(d string) Line { return box(d, "m4.large", "2.4") }),
		daily(june, func(d string) Line { return box(d, "m7i.large", "2.4") }),
		[]Line{riFee("2025-06-01", "50", "12.5", "36.5", "9.125")},
		daily(june, func(d string) Line { return spFee(d, "24", "18") }),
		daily(days("2025-05-02", 60), func(d string) Line { return s3(d, "USE1-TimedStorage-ByteHrs", "10", "0.23") }),
		daily(june, func(d string) Line { return usage(d, "AmazonS3", "USE1-DataTransfer-Out-Bytes", bkt, "1", "0.09") }),
		daily(june, func(d string) Line {
			return usage(d, "AmazonRDS", "USE1-InstanceUsage:db.r6g.large", "db-1", "24", "5.47")
		}),
	)
}

func TestMergeInAnyOrder(t *testing.T) {
	lines := allLines()
	whole := feed(t, lines)
	want, err := whole.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	wantFindings := whole.Findings(DefaultConfig())
	if len(wantFindings) != 10 {
		t.Fatalf("%d findings from every rule's lines, want 10", len(wantFindings))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		// Deal the lines, shuffled, to 1 to 5 partial accumulators and merge
		// them in a shuffled order, some into an empty Acc.
		rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
		parts := make([]Acc, 1+rng.IntN(5))
		for i := range lines {
			if err := parts[rng.IntN(len(parts))].Add(&lines[i]); err != nil {
				t.Fatal(err)
			}
		}
		var merged Acc
		for _, i := range rng.Perm(len(parts)) {
			merged.Merge(&parts[i])
		}
		got, err := merged.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("trial %d: merged accumulator encodes differently from the whole", trial)
		}
		if fs := merged.Findings(DefaultConfig()); !reflect.DeepEqual(findingStrings(fs), findingStrings(wantFindings)) {
			t.Fatalf("trial %d: findings differ:\n%v\n%v", trial, findingStrings(fs), findingStrings(wantFindings))
		}
	}
}

func findingStrings(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+" "+f.ResourceID+" "+f.FirstSeen+" "+f.LastSeen+" "+f.MonthlyCost.String()+" "+f.MonthlySaving.String())
	}
	return out
}

func TestBinaryRoundTrip(t *testing.T) {
	a := feed(t, allLines())
	b, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Acc
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	again, err := back.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Fatal("decoded accumulator encodes differently")
	}
	if back.Len() != a.Len() {
		t.Fatalf("%d resources back, want %d", back.Len(), a.Len())
	}
	// Bounded: one cell per resource and day, whatever the lines.
	t.Logf("%d resources, %d bytes", a.Len(), len(b))
}

func TestAddRejectsBadDay(t *testing.T) {
	var a Acc
	l := usage("2025-06-01", "AmazonEC2", "USE1-ElasticIP:IdleAddress", eip, "24", "0.12")
	l.UsageDay = "2025-06-01T00:00:00Z"
	if err := a.Add(&l); err == nil || a.Len() != 0 {
		t.Fatalf("Add of a line with day %q: error %v, %d resources", l.UsageDay, err, a.Len())
	}
	// A line no rule reads is not checked.
	other := usage("2025-06-01", "AmazonRDS", "InstanceUsage:db.t3.micro", "db", "24", "0.4")
	other.UsageDay = "junk"
	if err := a.Add(&other); err != nil {
		t.Fatal(err)
	}
}

func TestFirstSeen(t *testing.T) {
	a := feed(t, allLines())
	got := a.FirstSeen()
	if len(got) != 1 || got[snap] != "2024-05-31" {
		t.Fatalf("FirstSeen = %v", got)
	}
}

func TestUsageTypesBounded(t *testing.T) {
	var lines []Line
	for i := range 20 {
		lines = append(lines, usage("2025-06-01", "AmazonEC2", "USE1-ElasticIP:IdleAddress"+string(rune('a'+i)), eip, "1", "0.005"))
	}
	a := feed(t, lines)
	for _, r := range a.res {
		if len(r.usageTypes) != maxUsageTypes {
			t.Fatalf("%d usage types kept, want %d", len(r.usageTypes), maxUsageTypes)
		}
	}
}
