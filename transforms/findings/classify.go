package findings

import "strings"

// target says where a line's figures go: the kind of resource, its id,
// and the slots that receive the usage amount and the cost (-1: none).
type target struct {
	kind         kind
	id           string
	amount, cost int8
}

var reject = target{}

// classify decides whether any rule reads l. It is on the parse hot path:
// a line no rule reads must be turned away after a switch on the line
// item type and a few substring tests on the usage type, with no
// allocation.
func classify(l *Line) target {
	switch l.LineItemType {
	case "Usage":
		return classifyUsage(l)
	case "RIFee":
		if l.ReservationARN == "" {
			return reject
		}
		return target{kind: kindReservedInstance, id: l.ReservationARN, amount: -1, cost: -1}
	case "SavingsPlanRecurringFee":
		id := l.SavingsPlanARN
		if id == "" {
			id = l.ResourceID
		}
		if id == "" {
			return reject
		}
		return target{kind: kindSavingsPlan, id: id, amount: -1, cost: -1}
	}
	return reject
}

// classifyUsage classifies a Usage line: on-demand usage, neither covered
// by a Reserved Instance (DiscountedUsage) nor by a Savings Plan
// (SavingsPlanCoveredUsage).
func classifyUsage(l *Line) target {
	ut, id := l.UsageType, l.ResourceID
	if id == "" {
		return reject // no rule can point at a resource without an id
	}
	switch l.Service {
	case "AmazonEC2", "AmazonVPC", "AWSELB", "AmazonS3", "":
		// the services of the usage types below. A line with no product
		// code is tried on its usage type alone; the bucket rule and a
		// Classic load balancer's data need the product code, so the parse
		// stage fills it in every rendering (x_ServiceCode in FOCUS).
	default:
		return reject
	}
	t := func(k kind, amount, cost int8) target { return target{kind: k, id: id, amount: amount, cost: cost} }
	// Instance hours and bucket lines are the most frequent: they are
	// tested first.
	switch {
	case l.Service == "AmazonS3":
		return classifyS3(ut, t)
	case strings.Contains(ut, "BoxUsage"):
		// Split cost allocation rows (EKSPod-EC2, ECSTask-EC2) restate an
		// instance's cost per container: counting them would count it twice.
		if (l.PricingTerm == "" || l.PricingTerm == "OnDemand") && !splitCost(l.Operation) && previousGeneration(instanceType(l)) {
			return t(kindPreviousGeneration, 0, 1)
		}
		return reject
	case strings.Contains(ut, "IdleAddress"): // ElasticIP:IdleAddress, PublicIPv4:IdleAddress
		return t(kindPublicIP, 0, 1)
	case strings.Contains(ut, "NatGateway-"):
		return hoursOrBytes(ut, t, kindNATGateway, "-Hours", "-Bytes")
	case strings.Contains(ut, "VpcEndpoint-"):
		return hoursOrBytes(ut, t, kindVPCEndpoint, "-Hours", "-Bytes")
	case strings.Contains(ut, "LoadBalancerUsage"):
		return t(kindLoadBalancer, 0, 1)
	case strings.Contains(ut, "LCUUsage"),
		l.Service == "AWSELB" && strings.Contains(ut, "DataProcessing-Bytes"):
		return t(kindLoadBalancer, 2, 3)
	case strings.Contains(ut, "EBS:VolumeUsage.gp2"):
		return t(kindGP2Volume, 0, 1)
	case strings.Contains(ut, "EBS:SnapshotUsage"):
		return t(kindSnapshot, 0, 1)
	}
	return reject
}

func hoursOrBytes(ut string, t func(kind, int8, int8) target, k kind, hours, bytes string) target {
	switch {
	case strings.HasSuffix(ut, hours):
		return t(k, 0, 1)
	case strings.HasSuffix(ut, bytes):
		return t(k, 2, 3)
	}
	return reject
}

// classifyS3 sorts a bucket's lines into Standard storage, other storage
// classes and requests; the rest (data transfer, management features)
// does not bear on idleness as the rule defines it.
func classifyS3(ut string, t func(kind, int8, int8) target) target {
	switch {
	case strings.HasSuffix(ut, "TimedStorage-ByteHrs"):
		return t(kindS3Bucket, 0, 1)
	case strings.Contains(ut, "TimedStorage-"):
		return t(kindS3Bucket, -1, 4)
	case strings.Contains(ut, "Requests-"):
		return t(kindS3Bucket, 2, 3)
	}
	return reject
}

func splitCost(operation string) bool {
	return operation == "EKSPod-EC2" || operation == "ECSTask-EC2"
}

// instanceType is the line's instance type, or the one its usage type
// names ("USE1-BoxUsage:m4.large").
func instanceType(l *Line) string {
	if l.InstanceType != "" {
		return l.InstanceType
	}
	if _, after, ok := strings.Cut(l.UsageType, "BoxUsage:"); ok {
		return after
	}
	return ""
}

// previousGeneration reports whether the instance type's family is one
// AWS lists among its previous-generation instances.
func previousGeneration(instanceType string) bool {
	family, _, ok := strings.Cut(instanceType, ".")
	if !ok {
		return false
	}
	_, prev := previousFamilies[family]
	return prev
}

// previousFamilies are the families taken as previous generation: those
// of AWS's list of previous-generation instances as we know it, and the
// fourth generation of the general purpose, compute and memory families,
// which later generations replace at a lower price for the same size. It
// is a judgement kept in one place, not a price table: extend it here.
var previousFamilies = map[string]struct{}{
	"c1": {}, "c3": {}, "c4": {}, "cc2": {}, "cg1": {}, "cr1": {},
	"g2": {}, "g3": {}, "g3s": {}, "hi1": {}, "hs1": {}, "i2": {},
	"m1": {}, "m2": {}, "m3": {}, "m4": {}, "p2": {}, "r3": {}, "r4": {},
	"t1": {}, "x1": {}, "x1e": {},
}
