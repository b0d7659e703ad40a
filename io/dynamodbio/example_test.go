package dynamodbio_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/curpipe/curpipe/io/dynamodbio"
	"github.com/curpipe/curpipe/transforms/totals"
)

// The commit stage writes each day of a report version (in parallel in the
// pipeline), then commits the version. Not run: it needs an endpoint.
func ExampleTable_Commit() {
	ctx := context.Background()
	tbl, err := dynamodbio.Open(ctx, "curpipe-totals")
	if err != nil {
		log.Fatal(err)
	}
	if err := tbl.Check(ctx); err != nil {
		log.Fatal(err)
	}
	v := dynamodbio.Version{ReportKey: "3f2a9c0d1e4b", ReportID: "s3://bucket/cur/daily/20250101-20250201", Version: "assembly-1", VersionTime: 1735900000000000000}
	byDay := map[string][]totals.Row{ /* the report's daily totals */ }
	var days []string
	for day, rows := range byDay {
		st, err := tbl.WriteDay(ctx, v, day, rows)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d written, %d unchanged, %d deleted\n", day, st.Written, st.Unchanged, st.Deleted)
		days = append(days, day)
	}
	_, err = tbl.Commit(ctx, v, "daily", "2025-01", days)
	if errors.Is(err, dynamodbio.ErrStale) {
		fmt.Println("superseded by a newer version; nothing to do")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	sums, err := tbl.Query(ctx, "2025-01-01", "2025-01-31")
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range sums.Daily().Rows() {
		fmt.Println(r.Day, r.Currency, r.Unblended)
	}
}
