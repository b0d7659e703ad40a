package commit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/element"
)

// errShrink is the lake's refusal to shrink a version (dynamodbio.ErrShrink
// is the table's).
var errShrink = errors.New("the commit names fewer days than the same version already holds")

// removeProduced removes the files a report version wrote, unless the
// lake holds that very version committed: then they are the committed
// version's files (a duplicate run of it failed, say) and stay.
func (f *commitFn) removeProduced(ctx context.Context, v element.Verdict) error {
	st, err := lake.LoadState(ctx, f.Output, v.Report.Key)
	if err != nil {
		return err
	}
	if st != nil && st.ID == v.Report.ID && st.Version == v.Report.Version {
		log.Infof(ctx, "report %s version %s: its files are the committed version's and stay", v.Report.ID, v.Report.Version)
		return nil
	}
	for _, u := range producedFiles(v) {
		if err := objstore.Remove(ctx, u); err != nil {
			return fmt.Errorf("report %s: remove %s: %w", v.Report.ID, u, err)
		}
	}
	if err := f.store.Discard(ctx, reportVersion(v.Report), v.Days()); err != nil {
		return fmt.Errorf("report %s: %w", v.Report.ID, err)
	}
	return nil
}

// commitLake records the version in the lake and retires what the version
// it replaces left there. The same version committed again is a replay,
// which changes nothing, unless it would lose days (errShrink); a newer
// version already committed makes this one Skipped.
func (f *commitFn) commitLake(ctx context.Context, v element.Verdict, days []string) (result, error) {
	r := v.Report
	prev, err := lake.LoadState(ctx, f.Output, r.Key)
	if err != nil {
		return result{}, err
	}
	st := lake.State{
		ID:            r.ID,
		Name:          r.Name,
		Kind:          r.Kind,
		BillingPeriod: r.BillingPeriod,
		Version:       r.Version,
		VersionKey:    r.VersionKey,
		VersionTime:   time.Unix(0, r.VersionTime).UTC().Format(time.RFC3339Nano),
		Manifest:      r.Manifest,
		Sources:       r.Files,
		Curated:       []string{},
		Days:          days,
	}
	for _, fs := range v.Files {
		st.Curated = append(st.Curated, fs.Curated...)
	}
	sort.Strings(st.Curated)
	switch {
	case prev == nil:
	case prev.ID != r.ID:
		return result{}, fmt.Errorf("state file %s belongs to report %s (key collision)", lake.StateURL(f.Output, r.Key), prev.ID)
	case prev.Version == r.Version:
		for _, d := range prev.Days {
			if !slices.Contains(days, d) {
				return result{}, fmt.Errorf("%w: day %s of %d committed, %d in the commit", errShrink, d, len(prev.Days), len(days))
			}
		}
		if slices.Equal(prev.Days, days) && slices.Equal(prev.Curated, st.Curated) && prev.VersionKey == st.VersionKey {
			return result{element.Committed, ""}, nil // a replay: all is as it should be
		}
	case prev.Newer(r.VersionTime, r.Version):
		return result{element.Skipped, "a newer version is committed in the lake: " + prev.Version}, f.removeProduced(ctx, v)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return result{}, err
	}
	if err := objstore.WriteAll(ctx, lake.StateURL(f.Output, r.Key), append(b, '\n')); err != nil {
		return result{}, err
	}
	if prev == nil || prev.Version == r.Version {
		return result{element.Committed, ""}, nil
	}
	// Retire the replaced version: its day totals (only that version's
	// folder, never another's: a newer version may be writing its own),
	// and its curated files that this version does not share.
	replaced := totalstore.Version{ReportKey: r.Key, ReportID: prev.ID, Version: prev.Version, VersionKey: prev.VersionKey}
	if err := f.store.Retire(ctx, replaced, prev.Days); err != nil {
		return result{}, fmt.Errorf("retire version %s: %w", prev.Version, err)
	}
	keep := make(map[string]bool, len(st.Curated))
	for _, u := range st.Curated {
		keep[u] = true
	}
	for _, u := range prev.Curated {
		if !keep[u] {
			if err := objstore.Remove(ctx, u); err != nil {
				return result{}, fmt.Errorf("retire %s of version %s: %w", u, prev.Version, err)
			}
		}
	}
	return result{element.Committed, ""}, nil
}

func producedFiles(v element.Verdict) []string {
	var out []string
	for _, st := range v.Files {
		out = append(out, st.Curated...)
		if st.Quarantine != "" {
			out = append(out, st.Quarantine)
		}
	}
	return out
}
