package curated

// SetBufferLimit sets how many rows p may hold in memory, so that tests
// reach the limit with few rows.
func SetBufferLimit(p *Partitioned, rows int64) { p.limit = rows }

// BufferedRows returns the rows p holds in memory.
func BufferedRows(p *Partitioned) int64 { return p.buffered }
