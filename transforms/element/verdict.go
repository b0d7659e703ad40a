package element

import "slices"

// Verdict says whether a report may be committed: every file parsed and
// the bad rows stay within the allowance. It is small (no totals), so it
// can reach every shard of the report as a side input.
type Verdict struct {
	Report Report
	Files  []FileStatus // sorted by Index
	Err    string       // why the report fails; "" when it may commit
}

// OK reports whether the report may be committed.
func (v Verdict) OK() bool { return v.Err == "" && v.Report.Skip == "" }

// Days returns the days the report's files have sums for, sorted: what
// its commit must write, no more and no fewer.
func (v Verdict) Days() []string {
	var days []string
	for _, st := range v.Files {
		days = append(days, st.Days...)
	}
	slices.Sort(days)
	return slices.Compact(days)
}

// DayVerdict returns what the writer of each of the report's days needs
// to know of the verdict.
func (v Verdict) DayVerdict() DayVerdict {
	r := v.Report
	return DayVerdict{Ref: r.Ref, ReportID: r.ID, ReportKey: r.Key, Version: r.Version,
		VersionKey: r.VersionKey, VersionTime: r.VersionTime, OK: v.OK()}
}
