package dynamodbio

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/curpipe/curpipe/transforms/totals"
)

// maxQueryDays bounds a Query's range (ten years), so that a typo in a
// date does not start a million reads.
const maxQueryDays = 3660

// Query sums every report's cells for the days from through to (YYYY-MM-DD,
// inclusive) into a table at the detailed grain. Reads are strongly
// consistent, so a commit that has returned is visible.
func (t *Table) Query(ctx context.Context, from, to string) (totals.Table, error) {
	days, err := dayRange(from, to)
	if err != nil {
		return nil, fmt.Errorf("dynamodbio: query: %w", err)
	}
	out := make(totals.Table)
	var mu sync.Mutex
	err = t.forEach(ctx, days, func(ctx context.Context, day string) error {
		items, err := t.queryDay(ctx, day, "R#")
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, it := range items {
			rk, sk := getS(it, attrReportKey), getS(it, keySK)
			if sk == reportPrefix(rk) {
				continue // a marker
			}
			c, err := decodeCell(it, day)
			if err != nil {
				return fmt.Errorf("table %q: cell %s %s: %w", t.name, dayPK(day), sk, err)
			}
			for _, r := range c.rows() {
				out.Merge(r.Dims, r.Sums)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dynamodbio: query %s to %s: %w", from, to, err)
	}
	return out, nil
}

// readDay returns the report's cells on day by sort key, and the day's
// marker (nil when there is none).
func (t *Table) readDay(ctx context.Context, reportKey, day string) (map[string]*cell, *Version, error) {
	prefix := reportPrefix(reportKey)
	items, err := t.queryDay(ctx, day, prefix)
	if err != nil {
		return nil, nil, err
	}
	cells := make(map[string]*cell, len(items))
	var marker *Version
	for _, it := range items {
		sk := getS(it, keySK)
		if sk == prefix {
			v, _, err := decodeVersion(it, attrVersion, attrVersionTime)
			if err != nil {
				return nil, nil, fmt.Errorf("table %q: marker %s %s: %w", t.name, dayPK(day), sk, err)
			}
			v.ReportKey = reportKey
			marker = &v
			continue
		}
		c, err := decodeCell(it, day)
		if err != nil {
			return nil, nil, fmt.Errorf("table %q: cell %s %s: %w", t.name, dayPK(day), sk, err)
		}
		cells[sk] = c
	}
	return cells, marker, nil
}

// queryDay returns the items of day's partition whose sort key begins with
// prefix, following every page.
func (t *Table) queryDay(ctx context.Context, day, prefix string) ([]map[string]types.AttributeValue, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(t.name),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames:  map[string]string{"#pk": keyPK, "#sk": keySK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(dayPK(day)), ":prefix": str(prefix)},
		ConsistentRead:            aws.Bool(true),
	}
	if t.pageLimit > 0 {
		in.Limit = aws.Int32(t.pageLimit)
	}
	var items []map[string]types.AttributeValue
	for {
		var out *dynamodb.QueryOutput
		err := t.do(ctx, "Query", func(ctx context.Context) error {
			var err error
			out, err = t.api.Query(ctx, in)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", dayPK(day), err)
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return items, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// forEach calls fn for each day, t.parallel at a time, and returns the
// first error; the others' contexts are cancelled then.
func (t *Table) forEach(ctx context.Context, days []string, fn func(context.Context, string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan string)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range min(max(t.parallel, 1), len(days)) {
		wg.Go(func() {
			for day := range next {
				if err := fn(ctx, day); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		})
	}
feed:
	for _, d := range days {
		select {
		case next <- d:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err() // the caller's cancellation
	}
	return first
}

const dayLayout = "2006-01-02"

// checkDay requires a valid YYYY-MM-DD date.
func checkDay(day string) error {
	if _, err := time.Parse(dayLayout, day); err != nil {
		return fmt.Errorf("day %q is not a YYYY-MM-DD date", day)
	}
	return nil
}

// dayRange returns the days from through to, inclusive.
func dayRange(from, to string) ([]string, error) {
	a, err := time.Parse(dayLayout, from)
	if err != nil {
		return nil, fmt.Errorf("from %q is not a YYYY-MM-DD date", from)
	}
	b, err := time.Parse(dayLayout, to)
	if err != nil {
		return nil, fmt.Errorf("to %q is not a YYYY-MM-DD date", to)
	}
	if b.Before(a) {
		return nil, fmt.Errorf("to %s is before from %s", to, from)
	}
	var days []string
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		if len(days) == maxQueryDays {
			return nil, fmt.Errorf("%s to %s spans more than %d days", from, to, maxQueryDays)
		}
		days = append(days, d.Format(dayLayout))
	}
	return days, nil
}
