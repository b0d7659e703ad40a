package lake

import (
	"context"
	"errors"
	"fmt"

	"github.com/curpipe/curpipe/io/objstore"
)

// SpillDir is the folder under which a report version's parse groups
// spill their partial sums.
func SpillDir(output, reportKey, versionKey string) string {
	return objstore.Join(output, "_curpipe", "partials", reportKey, versionKey)
}

// PartialsURL names one parse group's partial sums of one day: the group
// is named by the index of its first file, which no other group of its
// report holds, so a parse run again writes the same sums to the same
// object.
func PartialsURL(output, reportKey, versionKey, day string, firstIndex int) string {
	return objstore.Join(SpillDir(output, reportKey, versionKey), fmt.Sprintf("%s-%d.cells", day, firstIndex))
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
