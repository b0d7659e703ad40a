package main

import (
	"context"
	"fmt"
	"io"

	"github.com/curpipe/curpipe/io/dynamodbio"
)

// createTotalsTable creates the totals table when it is missing.
func createTotalsTable(ctx context.Context, table string, log io.Writer) error {
	t, err := dynamodbio.Open(ctx, table)
	if err != nil {
		return err
	}
	if err := t.Create(ctx); err != nil {
		return fmt.Errorf("create table %s: %w", table, err)
	}
	fmt.Fprintf(log, "curpipe: table %s is ready\n", table)
	return nil
}
