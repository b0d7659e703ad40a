package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/curpipe/curpipe/io/objstore"
)

// A parse spills its partial sums to the lake and sends their names
// through the shuffle, not the sums themselves. A runner such as prism
// holds every element of a shuffle in memory until the stage after it
// runs (all of a batch run's, several times over); spilled, what it holds
// is a name per group and day, and a run's memory no longer grows with
// its reports' cells.

// SpillDir is the folder under which a report version's parse groups
// spill their partial sums.
func SpillDir(output, reportKey, versionKey string) string {
	return objstore.Join(output, "_curpipe", "partials", reportKey, versionKey)
}

// spillURL names one group's partial sums of one day: the group is named
// by its first file, which no other group of its report holds. A parse
// run again writes the same sums to the same object.
func spillURL(output string, first FileTask, day string) string {
	return objstore.Join(SpillDir(output, first.ReportKey, first.VersionKey), fmt.Sprintf("%s-%d.cells", day, first.Index))
}

// spill writes a batch of cells and returns the Cells that name it.
func spill(ctx context.Context, u string, c Cells) (Cells, error) {
	b, err := encodeCells(c)
	if err != nil {
		return Cells{}, err
	}
	if err := objstore.WriteAll(ctx, u, b); err != nil {
		return Cells{}, fmt.Errorf("spill partial sums: %w", err)
	}
	return Cells{Spilled: []string{u}}, nil
}

// readSpilled reads a batch that spill wrote.
func readSpilled(ctx context.Context, u string) (Cells, error) {
	b, err := objstore.ReadAll(ctx, u)
	if err != nil {
		return Cells{}, fmt.Errorf("read partial sums: %w", err)
	}
	c, err := decodeCells(b)
	if err != nil {
		return Cells{}, fmt.Errorf("read partial sums %s: %w", u, err)
	}
	return c, nil
}

// RemoveSpilled removes what a report version's parse spilled, once its
// outcome is decided.
func RemoveSpilled(ctx context.Context, output, reportKey, versionKey string) error {
	dir := SpillDir(output, reportKey, versionKey)
	store, err := objstore.For(dir)
	if err != nil {
		return err
	}
	objs, err := store.List(ctx, dir+"/")
	if errors.Is(err, objstore.ErrNotFound) {
		return nil // nothing was spilled
	}
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := store.Remove(ctx, o.URL); err != nil {
			return fmt.Errorf("remove %s: %w", o.URL, err)
		}
	}
	// A local lake keeps folders: remove the version's, and the report's
	// once empty. Errors are ignored: a folder still in use stays, and an
	// object store has no folders to remove.
	store.Remove(ctx, dir)
	store.Remove(ctx, objstore.Join(output, "_curpipe", "partials", reportKey))
	return nil
}
