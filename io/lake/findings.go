package lake

import (
	"context"
	"errors"
	"fmt"

	"github.com/curpipe/curpipe/io/objstore"
)

// FindingsURL is where the lake keeps the savings findings: one CSV of
// every finding standing, sorted by estimated saving.
func FindingsURL(output string) string { return objstore.Join(output, "findings", "findings.csv") }

// findingsDir is the folder of what a report's files gathered for the
// rules while the report is processed.
func findingsDir(output, reportKey string) string {
	return objstore.Join(output, "_curpipe", "findings", reportKey)
}

// FindingsPartialURL names what one file of a report version gathered
// for the rules (findings.Acc in its binary form): named by the file's
// index, so a parse run again writes the same object.
func FindingsPartialURL(output, reportKey, versionKey string, index int) string {
	return objstore.Join(findingsDir(output, reportKey), versionKey, fmt.Sprintf("%05d.bin", index))
}

// FindingsPeriodURL is what an export's committed report of a billing
// period gathered, kept so that rules looking back further than one
// period (idle buckets, idle gateways at a month's start) see the period
// before. exportKey names the export across its periods.
func FindingsPeriodURL(output, exportKey, period string) string {
	return objstore.Join(output, "_curpipe", "findings", "exports", exportKey, period+".bin")
}

// FirstSeenURL keeps the first day each of an export's snapshots was
// billed, over every period committed, for the old snapshots' rule.
func FirstSeenURL(output, exportKey string) string {
	return objstore.Join(output, "_curpipe", "findings", "exports", exportKey, "first_seen.csv")
}

// RemoveFindingsPartials removes what a report version's files gathered
// for the findings, once the version will not be committed (the savings
// stage removes a committed version's once it has read them).
func RemoveFindingsPartials(ctx context.Context, output, reportKey, versionKey string) error {
	dir := objstore.Join(findingsDir(output, reportKey), versionKey)
	store, err := objstore.For(dir)
	if err != nil {
		return err
	}
	objs, err := store.List(ctx, dir+"/")
	if errors.Is(err, objstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := store.Remove(ctx, o.URL); err != nil {
			return fmt.Errorf("remove %s: %w", o.URL, err)
		}
	}
	store.Remove(ctx, dir) // a local lake's folder; see RemoveSpilled
	return nil
}
