package dynamodbio

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/curpipe/curpipe/io/awsretry"
)

// op is one cell write: a put of an item or a delete of a key.
type op struct {
	put map[string]types.AttributeValue
	del map[string]types.AttributeValue
}

const (
	maxTxItems   = 25         // items per TransactWriteItems call, the marker included
	maxTxBytes   = 3 << 20    // a margin below the 4 MB a transaction may carry
	maxItemBytes = 400 * 1024 // DynamoDB's item size limit
)

func (o op) sk() string {
	it := o.put
	if it == nil {
		it = o.del
	}
	return getS(it, keySK)
}

func (o op) size() int {
	if o.put != nil {
		return itemSize(o.put)
	}
	return itemSize(o.del)
}

// txItem returns o guarded by the stored item's version: a transaction
// must not overwrite or delete what a newer version wrote.
func (o op) txItem(table string, v Version) types.TransactWriteItem {
	if o.put != nil {
		return types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(table), Item: o.put,
			ConditionExpression:      aws.String(notNewer("")),
			ExpressionAttributeNames: itemGuard, ExpressionAttributeValues: guardValues(v),
		}}
	}
	return types.TransactWriteItem{Delete: &types.Delete{
		TableName: aws.String(table), Key: o.del,
		ConditionExpression:      aws.String(notNewer("")),
		ExpressionAttributeNames: itemGuard, ExpressionAttributeValues: guardValues(v),
	}}
}

// transact applies ops to the report's cells on day, each transaction
// also claiming the day's marker for v. It returns errDayHeld, with the
// ops not applied counted Stale, when a newer version holds the marker.
func (t *Table) transact(ctx context.Context, v Version, day string, ops []op) (Stats, error) {
	if len(ops) == 0 {
		return Stats{}, t.putMarker(ctx, v, day)
	}
	for _, o := range ops {
		if n := o.size(); n > maxItemBytes {
			return Stats{}, fmt.Errorf("cell %s of day %s is about %d bytes, over DynamoDB's 400 KB item limit", o.sk(), day, n)
		}
	}
	marker := itemSize(markerItem(v, day))
	var st Stats
	for len(ops) > 0 {
		n, size := 0, marker
		for n < len(ops) && n < maxTxItems-1 && (n == 0 || size+ops[n].size() <= maxTxBytes) {
			size += ops[n].size()
			n++
		}
		res, err := t.transactChunk(ctx, v, day, ops[:n])
		st.add(res)
		if errors.Is(err, errDayHeld) {
			st.Stale += len(ops) - n
		}
		if err != nil {
			return st, err
		}
		ops = ops[n:]
	}
	return st, nil
}

// transactChunk writes one transaction: the marker claim, then pending.
// A cancelled transaction's reasons sort its items: those whose condition
// failed are Stale and dropped, the rest are sent again, after a backoff
// when a reason was a conflict or throttling.
func (t *Table) transactChunk(ctx context.Context, v Version, day string, pending []op) (Stats, error) {
	var st Stats
	a := t.retry.begin()
	fail := func(format string, args ...any) (Stats, error) {
		return st, fmt.Errorf("TransactWriteItems on table %q (report %s, day %s): "+format,
			append([]any{t.name, v.ReportKey, day}, args...)...)
	}
	for {
		items := make([]types.TransactWriteItem, 0, len(pending)+1)
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(t.name), Item: markerItem(v, day),
			ConditionExpression:      aws.String(notNewer("")),
			ExpressionAttributeNames: itemGuard, ExpressionAttributeValues: guardValues(v),
		}})
		for _, o := range pending {
			items = append(items, o.txItem(t.name, v))
		}
		_, err := t.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			for _, o := range pending {
				if o.put != nil {
					st.Written++
				} else {
					st.Deleted++
				}
			}
			return st, nil
		}
		var tce *types.TransactionCanceledException
		switch {
		case errors.As(err, &tce):
			reasons := tce.CancellationReasons
			if len(reasons) != len(items) {
				return fail("%d cancellation reasons for %d items: %w", len(reasons), len(items), err)
			}
			if reasonCode(reasons[0]) == "ConditionalCheckFailed" {
				st.Stale += len(pending)
				return st, errDayHeld
			}
			backoff := false
			keep := pending[:0:0]
			for i, r := range reasons {
				switch c := reasonCode(r); {
				case c == "None":
					if i > 0 {
						keep = append(keep, pending[i-1])
					}
				case c == "ConditionalCheckFailed": // i > 0: the marker's was handled above
					st.Stale++
				case retryableReasons[c]:
					backoff = true
					if i > 0 {
						keep = append(keep, pending[i-1])
					}
				default:
					what := "the day's marker"
					if i > 0 {
						what = "cell " + pending[i-1].sk()
					}
					return fail("%s: %s: %s", what, c, aws.ToString(r.Message))
				}
			}
			dropped := len(keep) < len(pending)
			pending = keep
			if dropped && !backoff {
				continue // only conditions failed: send the rest at once
			}
			err = fmt.Errorf("%w (reasons: %s)", err, reasonCodes(reasons))
		case !awsretry.Retryable(ctx, err):
			return fail("%w", err)
		}
		if werr := a.wait(ctx); werr != nil {
			return fail("%v: %w", werr, err)
		}
	}
}

// reasonCodes lists the distinct codes of reasons other than "None".
func reasonCodes(reasons []types.CancellationReason) string {
	var codes []string
	for _, r := range reasons {
		if c := reasonCode(r); c != "None" && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	return strings.Join(codes, ", ")
}

// reasonCode returns a cancellation reason's code; "None" for an item that
// did not cause the cancellation.
func reasonCode(r types.CancellationReason) string {
	if c := aws.ToString(r.Code); c != "" {
		return c
	}
	return "None"
}

// putMarker claims the day for v when there is no cell to change: a plain
// conditional put costs half a transaction.
func (t *Table) putMarker(ctx context.Context, v Version, day string) error {
	err := t.do(ctx, "PutItem", func(ctx context.Context) error {
		_, err := t.api.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(t.name), Item: markerItem(v, day),
			ConditionExpression:      aws.String(notNewer("")),
			ExpressionAttributeNames: itemGuard, ExpressionAttributeValues: guardValues(v),
		})
		return err
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return errDayHeld
	}
	return err
}

// itemSize estimates an item's size as DynamoDB counts it (names plus
// values, a few bytes of overhead per element), erring high.
func itemSize(it map[string]types.AttributeValue) int {
	n := 0
	for k, v := range it {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(av types.AttributeValue) int {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return len(v.Value)/2 + 2
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s) + 1
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		return 3 + itemSize(v.Value) + len(v.Value)
	}
	return 8
}
