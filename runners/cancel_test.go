package runners

import "testing"

func TestNamed(t *testing.T) {
	for _, tc := range []struct {
		jobName, name string
		want          bool
	}{
		{"curpipe123x1", "curpipe123x1", true},
		{"curpipe123x1-root-1127072552-90e2870e", "curpipe123x1", true},
		{"curpipe123x12-root-1127072552-90e2870e", "curpipe123x1", false},
		{"go0job0101795763334562624269-root-1127070854-76d9ce95", "go-job-1-1795763334562624269", true},
		{"backfill02024-root-1-2", "Backfill_2024", true},
		{"other-root-1-2", "curpipe123x1", false},
	} {
		if got := named(tc.jobName, tc.name); got != tc.want {
			t.Errorf("named(%q, %q) = %v, want %v", tc.jobName, tc.name, got, tc.want)
		}
	}
}
