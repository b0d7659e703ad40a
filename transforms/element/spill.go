package element

import (
	"context"
	"fmt"

	"github.com/curpipe/curpipe/io/objstore"
)

// A parse spills its partial sums to the lake and sends their names
// through the shuffle, not the sums themselves. A runner such as prism
// holds every element of a shuffle in memory until the stage after it
// runs (all of a batch run's, several times over); spilled, what it holds
// is a name per group and day, and a run's memory no longer grows with
// its reports' cells.

// Spill writes a batch of cells and returns the Cells that name it.
func Spill(ctx context.Context, u string, c Cells) (Cells, error) {
	b, err := encodeCells(c)
	if err != nil {
		return Cells{}, err
	}
	if err := objstore.WriteAll(ctx, u, b); err != nil {
		return Cells{}, fmt.Errorf("spill partial sums: %w", err)
	}
	return Cells{Spilled: []string{u}}, nil
}

// ReadSpilled reads a batch that Spill wrote.
func ReadSpilled(ctx context.Context, u string) (Cells, error) {
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
