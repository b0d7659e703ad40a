package dynamodbio

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/curpipe/curpipe/io/awstest"
)

func TestCreateCheck(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		setup   func(t *testing.T, tbl *Table) // makes the table's starting point
		create  bool                           // call Create before Check
		wantErr error                          // from Check (and Create, when create)
		wantMsg []string                       // substrings of the error
	}{
		{name: "missing", wantErr: ErrNoTable, wantMsg: []string{"table not found", `region "us-east-1"`, "create it first"}},
		{name: "created", create: true},
		{name: "created twice", create: true, setup: func(t *testing.T, tbl *Table) {
			if err := tbl.Create(ctx); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "hash key only", create: true, wantErr: ErrSchema, wantMsg: []string{"hash key pk (S) and range key none"},
			setup: rawTable([]types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
				[]types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}})},
		{name: "other names", wantErr: ErrSchema, wantMsg: []string{"hash key id (S)", "want pk (S) and sk (S)"},
			setup: rawTable([]types.KeySchemaElement{
				{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
				[]types.AttributeDefinition{
					{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS},
					{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS}})},
		{name: "numeric sort key", wantErr: ErrSchema, wantMsg: []string{"range key sk (N)"},
			setup: rawTable([]types.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
				[]types.AttributeDefinition{
					{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
					{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN}})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := newTestTable(t, testConfig(t))
			if tc.setup != nil {
				tc.setup(t, tbl)
			}
			if tc.create {
				err := tbl.Create(ctx)
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Create: %v, want %v", err, tc.wantErr)
				}
			}
			err := tbl.Check(ctx)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Check: %v, want %v", err, tc.wantErr)
			}
			if err == nil {
				return
			}
			t.Log(err)
			for _, m := range append(tc.wantMsg, tbl.name) {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("Check error %q does not mention %q", err, m)
				}
			}
		})
	}
}

// rawTable creates the test's table with another key schema.
func rawTable(keys []types.KeySchemaElement, attrs []types.AttributeDefinition) func(*testing.T, *Table) {
	return func(t *testing.T, tbl *Table) {
		t.Helper()
		_, err := dynamodb.NewFromConfig(testConfig(t)).CreateTable(context.Background(), &dynamodb.CreateTableInput{
			TableName: aws.String(tbl.name), KeySchema: keys, AttributeDefinitions: attrs,
			BillingMode: types.BillingModePayPerRequest,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckAccessDenied(t *testing.T) {
	tbl, proxy := faultyTable(t)
	proxy.FailCalls("DescribeTable", -1, awstest.Error(http.StatusBadRequest, "AccessDeniedException"))
	err := tbl.Check(context.Background())
	if err == nil {
		t.Fatal("Check passed with access denied")
	}
	for _, m := range []string{"access denied", tbl.name, "dynamodb:DescribeTable"} {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not mention %q", err, m)
		}
	}
}

func TestOpen(t *testing.T) {
	testConfig(t)
	if _, err := Open(context.Background(), ""); err == nil {
		t.Error("Open accepted an empty table name")
	}
	tbl, err := Open(context.Background(), "totals")
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Name() != "totals" {
		t.Errorf("Name() = %q", tbl.Name())
	}
}
