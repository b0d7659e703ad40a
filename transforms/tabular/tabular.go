// Package tabular reads billing exports as rows of named text fields,
// whatever their container: CSV (plain, gzip or zip) or Parquet.
//
// Every reader streams: it holds one row (CSV) or one row group's needed
// columns (Parquet) at a time, never the whole object. Columns are chosen by
// header name, never by position, because AWS changes the column set from
// month to month.
package tabular

import (
	"errors"
	"fmt"
)

// Reader yields the rows of one object.
type Reader interface {
	// Header returns the column names in file order. For Parquet, the
	// names are the leaf column paths joined with '.', top-level columns
	// plain ("line_item_unblended_cost").
	Header() []string
	// Select restricts the fields returned by Next to the named columns, in
	// the given order. A name absent from the header yields "" in its slot.
	// It must be called before the first Next; readers may use it to skip
	// decoding other columns.
	Select(names []string) error
	// Next returns the selected fields of the next row. The slice and its
	// strings may be reused by the following call. It returns io.EOF after
	// the last row.
	Next() ([]string, error)
	// Pos returns the position of the row last returned, for messages:
	// the 1-based line for CSV, the 1-based row number for Parquet.
	Pos() int64
	// Close releases the reader. It does not close the underlying source.
	Close() error
}

// Sentinel errors for row problems. They arrive wrapped in *RowError.
var (
	// ErrFieldCount: a row has a different number of fields than the header.
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrCorrupt: the container is damaged (bad gzip stream, truncated file).
	ErrCorrupt = errors.New("corrupt or truncated data")
	// ErrHeader: the header cannot be matched to the rows. Like ErrCorrupt,
	// it fails the whole object, not one row.
	ErrHeader = errors.New("header does not match the rows")
)

// RowError reports a problem at a position in an object.
type RowError struct {
	Object string // the object's name or URL
	Pos    int64  // line (CSV) or row number (Parquet); 0 when unknown
	Err    error
}

func (e *RowError) Error() string {
	if e.Pos > 0 {
		return fmt.Sprintf("%s:%d: %v", e.Object, e.Pos, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Object, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }
