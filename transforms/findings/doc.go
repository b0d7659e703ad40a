// Package findings finds idle, unused and outdated AWS resources in the
// billing lines themselves, and prices what removing or changing each one
// would save, exactly.
//
// # Use
//
//	var acc findings.Acc
//	for each parsed line l: acc.Add(&l)      // cheap for lines no rule reads
//	acc.Merge(&other)                         // partial accumulators, any order
//	fs := acc.Findings(findings.DefaultConfig())
//	findings.Sort(fs)
//	findings.WriteCSV(w, fs)
//
// An Acc keeps, per resource, one small cell of sums per usage day: never
// lines. It encodes to a compact binary form (MarshalBinary) so that
// partial accumulators can travel between pipeline stages, and merging is
// exact addition, so the order of merges does not matter.
//
// # Rules
//
// Each rule is a function of the sums of one resource, documented with its
// formula in rules.go; Formula returns the same text for the README. The
// billing data holds no attachment state, CPU or request counts, so the
// rules decide what the bill alone can: a resource billed for being there
// and billed for (almost) no work.
//
// # Money
//
// Every figure is an exact decimal. Costs are unblended, as the AWS Cloud
// Intelligence Dashboards use them: a saving is what the public price list
// charged, before private discounts.
//
// Monthly figures are those of the calendar month of the last day the
// resource was billed: the sum over that month's days seen, scaled by
// (days in the month) / (days seen in it). A resource billed every day of
// the month thus shows exactly its bill, to the cent; a resource seen on
// fewer days is projected to the whole month, the quotient rounded to 10
// fractional digits (halves away from zero) when it does not terminate.
// Monthly fees (RIFee lines) are not scaled. Percentages are exact. The
// projection needs lines of daily or hourly granularity, as the daily
// totals do: a monthly-granularity report's one line a month, dated the
// 1st, would be taken for a single day seen.
//
// # Findings across reports
//
// A report version replaces the previous one for its billing period, and
// a finding lives across periods: Update combines stored findings with the
// fresh ones of a report, keeping the earliest first day seen. The rule
// for old snapshots needs a first day billed from earlier periods too;
// Config.FirstSeen carries it in, and (*Acc).FirstSeen hands out the
// first days of this accumulator's snapshots for the caller to keep.
package findings
