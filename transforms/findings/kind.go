package findings

// kind is the family of resource an Acc tracks, one per rule.
type kind uint8

const (
	kindNone kind = iota
	kindPublicIP
	kindNATGateway
	kindVPCEndpoint
	kindLoadBalancer
	kindGP2Volume
	kindSnapshot
	kindPreviousGeneration
	kindReservedInstance
	kindSavingsPlan
	kindS3Bucket
	kindCount // not a kind: the number of kinds
)

// Rule names, as they appear in a Finding and in the CSV's rule column.
const (
	RuleIdlePublicIP       = "idle-public-ip"
	RuleIdleNATGateway     = "idle-nat-gateway"
	RuleIdleVPCEndpoint    = "idle-vpc-endpoint"
	RuleIdleLoadBalancer   = "idle-load-balancer"
	RuleGP2ToGP3           = "gp2-to-gp3"
	RuleOldSnapshot        = "old-snapshot"
	RulePreviousGeneration = "previous-generation"
	RuleUnusedReserved     = "unused-reserved-instance"
	RuleUnusedSavingsPlan  = "unused-savings-plan"
	RuleIdleS3Standard     = "idle-s3-standard"
)

// nSlots is the number of sums a cell holds; slotNames says what each
// slot of a kind holds (an empty name: unused), and names the figures in
// a Finding's evidence.
const nSlots = 5

var slotNames = [kindCount][nSlots]string{
	kindPublicIP:           {"idle_hours", "idle_cost"},
	kindNATGateway:         {"hours", "hours_cost", "gb_processed", "gb_processed_cost"},
	kindVPCEndpoint:        {"hours", "hours_cost", "gb_processed", "gb_processed_cost"},
	kindLoadBalancer:       {"hours", "hours_cost", "lcu_or_gb", "lcu_or_gb_cost"},
	kindGP2Volume:          {"gb_months", "storage_cost"},
	kindSnapshot:           {"gb_months", "storage_cost"},
	kindPreviousGeneration: {"hours", "cost"},
	kindReservedInstance:   {"unused_amortized_upfront_fee", "unused_recurring_fee", "amortized_upfront_fee", "recurring_fee"},
	kindSavingsPlan:        {"total_commitment", "used_commitment"},
	kindS3Bucket:           {"standard_gb_months", "standard_cost", "requests", "requests_cost", "other_storage_cost"},
}

var ruleNames = [kindCount]string{
	kindPublicIP:           RuleIdlePublicIP,
	kindNATGateway:         RuleIdleNATGateway,
	kindVPCEndpoint:        RuleIdleVPCEndpoint,
	kindLoadBalancer:       RuleIdleLoadBalancer,
	kindGP2Volume:          RuleGP2ToGP3,
	kindSnapshot:           RuleOldSnapshot,
	kindPreviousGeneration: RulePreviousGeneration,
	kindReservedInstance:   RuleUnusedReserved,
	kindSavingsPlan:        RuleUnusedSavingsPlan,
	kindS3Bucket:           RuleIdleS3Standard,
}

// Rules returns the rule names in a fixed order.
func Rules() []string {
	return append([]string(nil), ruleNames[1:]...)
}
