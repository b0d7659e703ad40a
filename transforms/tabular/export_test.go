package tabular

// SetInflateFloor lowers the inflate floor for a test and returns a
// function that restores it.
func SetInflateFloor(n int64) (restore func()) {
	old := inflateFloor
	inflateFloor = n
	return func() { inflateFloor = old }
}
