package lake_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/curpipe/curpipe/io/lake"
	_ "github.com/curpipe/curpipe/io/localfs"
	"github.com/curpipe/curpipe/io/objstore"
)

// TestRemoveFindingsPartials removes one version's partials and leaves
// another version's and the export's state.
func TestRemoveFindingsPartials(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	keep := []string{lake.FindingsPartialURL(out, "r", "v2", 0), lake.FindingsPeriodURL(out, "e", "2024-03")}
	gone := []string{lake.FindingsPartialURL(out, "r", "v1", 0), lake.FindingsPartialURL(out, "r", "v1", 1)}
	for _, u := range append(keep, gone...) {
		if err := objstore.WriteAll(ctx, u, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := lake.RemoveFindingsPartials(ctx, out, "r", "v1"); err != nil {
		t.Fatal(err)
	}
	if err := lake.RemoveFindingsPartials(ctx, out, "r", "never"); err != nil {
		t.Errorf("a version with nothing gathered: %v", err)
	}
	for _, u := range gone {
		if _, err := os.Stat(u); !os.IsNotExist(err) {
			t.Errorf("%s is still there", u)
		}
	}
	if _, err := os.Stat(filepath.Dir(gone[0])); !os.IsNotExist(err) {
		t.Errorf("the version's folder is still there")
	}
	for _, u := range keep {
		if _, err := os.Stat(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}
