package dynamodbio

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/transforms/totals"
)

// cellOps returns put ops for one cell per account on day d1.
func cellOps(t *testing.T, v Version, accounts ...string) []op {
	t.Helper()
	var rows []totals.Row
	for _, a := range accounts {
		rows = append(rows, row(d1, "111", a, "AmazonEC2", "USD", "1", "1", "1", 1))
	}
	cells, err := cellsFor(v, d1, rows)
	if err != nil {
		t.Fatal(err)
	}
	var ops []op
	for _, a := range accounts {
		ops = append(ops, op{put: cells[cellSK(v.ReportKey, "111", a)].item()})
	}
	return ops
}

// TestTransactCancellation checks what the server says when a transaction
// fails a condition, and how the reasons are used: a cell a newer version
// wrote is Stale and the rest still land; a marker a newer version holds
// makes the whole day Stale.
func TestTransactCancellation(t *testing.T) {
	ctx := context.Background()
	v2, v3 := version("k1", "v2", 2), version("k1", "v3", 3)

	t.Run("cell newer", func(t *testing.T) {
		tbl := createdTable(t)
		// A cell of v3 that bypassed the marker: only its own guard stops v2.
		it := cellOps(t, v3, "B")[0].put
		if _, err := dynamodb.NewFromConfig(testConfig(t)).PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tbl.name), Item: it}); err != nil {
			t.Fatal(err)
		}
		st, err := tbl.transact(ctx, v2, d1, cellOps(t, v2, "A", "B", "C"))
		if err != nil || st != (Stats{Written: 2, Stale: 1}) {
			t.Fatalf("transact: %+v, %v; want 2 written, 1 stale", st, err)
		}
		cells, marker, err := tbl.readDay(ctx, "k1", d1)
		if err != nil {
			t.Fatal(err)
		}
		if len(cells) != 3 || cells[cellSK("k1", "111", "B")].Version.Version != "v3" || marker == nil || marker.Version != "v2" {
			t.Errorf("after transact: cells %v, marker %+v", cells, marker)
		}
	})

	t.Run("marker newer", func(t *testing.T) {
		tbl := createdTable(t)
		if err := tbl.putMarker(ctx, v3, d1); err != nil {
			t.Fatal(err)
		}
		ops := cellOps(t, v2, "A", "B")
		st, err := tbl.transact(ctx, v2, d1, ops)
		if !errors.Is(err, errDayHeld) || st != (Stats{Stale: 2}) {
			t.Fatalf("transact: %+v, %v; want 2 stale, errDayHeld", st, err)
		}
		if err := tbl.putMarker(ctx, v2, d1); !errors.Is(err, errDayHeld) {
			t.Errorf("putMarker of an older version: %v, want errDayHeld", err)
		}
		if cells, _, _ := tbl.readDay(ctx, "k1", d1); len(cells) != 0 {
			t.Errorf("cells written under a newer marker: %v", cells)
		}
	})
}

// TestTransactChunks checks that writes go in transactions of at most 25
// items (24 cells and the marker).
func TestTransactChunks(t *testing.T) {
	tbl, proxy := faultyTable(t) // fails nothing; counts the calls
	var accounts []string
	for i := range 49 {
		accounts = append(accounts, fmt.Sprintf("%03d", i))
	}
	st, err := tbl.transact(context.Background(), version("k1", "v1", 1), d1, cellOps(t, version("k1", "v1", 1), accounts...))
	if err != nil || st != (Stats{Written: 49}) {
		t.Fatalf("transact: %+v, %v", st, err)
	}
	if calls := proxy.Calls("TransactWriteItems"); calls != 3 {
		t.Errorf("%d transactions for 49 cells, want 3", calls)
	}
}

func TestTransactItemTooLarge(t *testing.T) {
	tbl := createdTable(t)
	var rows []totals.Row
	for i := range 4000 { // about 100 bytes a line
		rows = append(rows, row(d1, "111", "A", fmt.Sprintf("Service%05d", i), "USD", "1.25", "1.25", "1.25", 1))
	}
	_, err := tbl.WriteDay(context.Background(), version("k1", "v1", 1), d1, rows)
	if err == nil || !strings.Contains(err.Error(), "400 KB") {
		t.Errorf("WriteDay of a huge cell: %v, want the item limit named", err)
	}
}

// TestTransactUnknownReason checks that a cancellation reason that is
// neither a condition nor transient fails at once, naming the cell.
func TestTransactUnknownReason(t *testing.T) {
	tbl, proxy := faultyTable(t)
	proxy.FailCalls("TransactWriteItems", -1, awstest.CanceledTransaction("ValidationError"))
	_, err := tbl.WriteDay(context.Background(), version("k1", "v1", 1), d1, base[:1])
	if err == nil || !strings.Contains(err.Error(), "ValidationError") || !strings.Contains(err.Error(), tbl.name) {
		t.Errorf("WriteDay: %v, want ValidationError and the table named", err)
	}
	if hits := proxy.Failed(); hits != 1 {
		t.Errorf("%d attempts, want 1", hits)
	}
}
