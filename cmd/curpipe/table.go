package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/curpipe/curpipe/io/dynamodbio"
	"github.com/curpipe/curpipe/transforms/totals"
)

// queryTable reads totals from DynamoDB, summed across reports.
func queryTable(ctx context.Context, table, from, to string) (totals.Table, error) {
	if from == "" || to == "" {
		return nil, &exitError{code: 2, err: errors.New("--table needs --from and --to: the table is read day by day")}
	}
	t, err := dynamodbio.Open(ctx, table)
	if err != nil {
		return nil, err
	}
	tab, err := t.Query(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", table, err)
	}
	return tab, nil
}

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
