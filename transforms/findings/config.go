package findings

import "github.com/curpipe/curpipe/transforms/decimal"

// Config holds the rules' thresholds. DefaultConfig returns the defaults
// each field's comment states; the command's flags override them. The
// zero Config is strict, not default: its zero percentages flag no
// previous-generation instance or idle bucket.
type Config struct {
	// IdleDays is N, the number of most recent days billed over which a
	// NAT gateway or VPC endpoint must have processed almost nothing, and
	// the least number of days it must have been billed. Default 7.
	IdleDays int
	// IdleGBPerDay is what "almost no" data means for a NAT gateway or a
	// VPC endpoint: at most this many GB processed a day on average over
	// the last IdleDays days. Default 0.1 (100 MB a day: health checks and
	// stray updates, not a workload).
	IdleGBPerDay decimal.Decimal
	// LoadBalancerIdleDays is the window for load balancers. Default 7, as
	// Trusted Advisor's idle load balancer check.
	LoadBalancerIdleDays int
	// LoadBalancerUnitsPerDay is what "almost no" work means for a load
	// balancer: at most this many LCU-hours (application, network and
	// gateway load balancers) or GB processed (Classic) a day on average
	// over the window. Default 1: one LCU-hour a day is about 25 new
	// connections a second for one hour.
	LoadBalancerUnitsPerDay decimal.Decimal
	// SnapshotAgeMonths is how long ago a snapshot must first have been
	// billed, in calendar months before its last day billed. Default 12.
	SnapshotAgeMonths int
	// FirstSeen holds the first day each snapshot was billed in earlier
	// billing periods, by resource id (see (*Acc).FirstSeen). May be nil.
	FirstSeen map[string]string
	// PreviousGenerationPercent is the estimated saving of moving an
	// on-demand previous-generation instance to the current generation,
	// in percent of its cost. Default 5, the dashboards' estimate: with
	// no price table in the bill, a percentage stated as such.
	PreviousGenerationPercent decimal.Decimal
	// S3IdleDays is how many most recent days a bucket must have been
	// billed for Standard storage only, with no requests. Default 60
	// ("two months"); one report holds at most 31 days, so the caller
	// merges the previous period's Acc to reach it.
	S3IdleDays int
	// S3SavingPercent is the estimated saving on an idle Standard bucket,
	// in percent of its Standard storage cost. Default 30, the dashboards'
	// estimate for moving it to an infrequent-access class.
	S3SavingPercent decimal.Decimal
	// MinMonthlySaving drops findings whose estimated monthly saving is
	// below it. Default 0.01: a saving under a cent is noise.
	MinMonthlySaving decimal.Decimal
}

// DefaultConfig returns the default thresholds.
func DefaultConfig() Config {
	return Config{
		IdleDays:                  7,
		IdleGBPerDay:              decimal.MustParse("0.1"),
		LoadBalancerIdleDays:      7,
		LoadBalancerUnitsPerDay:   decimal.MustParse("1"),
		SnapshotAgeMonths:         12,
		PreviousGenerationPercent: decimal.MustParse("5"),
		S3IdleDays:                60,
		S3SavingPercent:           decimal.MustParse("30"),
		MinMonthlySaving:          decimal.MustParse("0.01"),
	}
}
