package element

// ShardKey keys one report's totals of one day.
type ShardKey struct {
	Ref string
	Day string
}

// Shard is one report's totals of one day: the unit the commit writes in
// parallel, so that a large report (31 days of hundreds of accounts and
// services) never funnels through one key. It carries the verdict of its
// report, which met its totals under the same key.
type Shard struct {
	Ref      string
	Day      string
	Rows     []DayTotal   // sorted by Dims
	Verdicts []DayVerdict // the report's verdict: one, unless something went amiss
	// Missing says why Rows lack some of the day's cells ("" when they
	// do not): the writer then writes nothing and acknowledges the day
	// missing, and the report does not commit.
	Missing string
}

// Cells are a batch of cells of one report and day: the unit partial sums
// travel in, so that the shuffle carries one element per file and day.
// A report's verdict travels to each of its days as Cells of no rows.
type Cells struct {
	Rows     []DayTotal
	Verdicts []DayVerdict
	// Spilled name objects that hold more of the day's cells, in this
	// encoding: what a parse wrote to the lake instead of the shuffle
	// (see Parse).
	Spilled []string
}
