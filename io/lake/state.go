package lake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/curpipe/curpipe/io/objstore"
)

// newer reports whether version a is newer than b: by time, then by name
// so that two versions stamped alike still have one order everywhere.
func newer(aTime int64, a string, bTime int64, b string) bool {
	if aTime != bTime {
		return aTime > bTime
	}
	return a > b
}

// State is what the lake records of a report's committed version.
type State struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Kind          string   `json:"kind"`
	BillingPeriod string   `json:"billing_period,omitempty"`
	Version       string   `json:"version"`
	VersionKey    string   `json:"version_key,omitempty"` // names the folder of its day totals
	VersionTime   string   `json:"version_time"`
	Manifest      string   `json:"manifest,omitempty"`
	Sources       []string `json:"sources"`
	Curated       []string `json:"curated"`
	Days          []string `json:"days"`
}

// LoadState reads a report's committed state; nil when none is committed.
func LoadState(ctx context.Context, output, key string) (*State, error) {
	b, err := objstore.ReadAll(ctx, StateURL(output, key))
	if errors.Is(err, objstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read report state: %w", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("read report state %s: %w", StateURL(output, key), err)
	}
	return &st, nil
}

// Newer reports whether the committed version is newer than the version
// stamped t and named version.
func (st *State) Newer(t int64, version string) bool {
	return st.Version != version && newer(versionTime(st.VersionTime), st.Version, t, version)
}

// versionTime parses State.VersionTime back to Unix nanoseconds.
func versionTime(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0
	}
	return t.UnixNano()
}
