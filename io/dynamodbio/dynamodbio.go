// Package dynamodbio keeps curpipe's exact daily totals in one DynamoDB
// table, version-guarded so that at-least-once delivery yields exactly-once
// totals.
//
// # Semantics
//
// A report (identified by a short key) has versions: of two versions, the
// one with the later VersionTime is newer, and at equal times the one with
// the greater Version string. A newer version replaces the figures of an
// older one, including days, accounts and services that vanished; an older
// version arriving late changes nothing; the same version written again is
// a replay and changes nothing either. Each report's contribution to a day
// is stored apart from the other reports' and Query sums them, so the totals
// of a day that several reports share (two payer accounts) do not depend on
// the order their versions arrive in.
//
// The commit stage calls WriteDay once per (report, day), in parallel, then
// Commit once per report. Until Commit returns, Query may see a mix of the
// previous and the new version's days.
//
// # Table
//
// One table, partition key "pk" (S), sort key "sk" (S), on-demand billing:
//
//	cell    pk "DAY#<YYYY-MM-DD>"  sk "R#<report>#<payer>#<account>"
//	        report_key, report_id, version, version_time (N), day, payer,
//	        account, lines: L of M {provider, service, currency, unblended,
//	        net_unblended, amortized, line_items}
//	marker  pk "DAY#<YYYY-MM-DD>"  sk "R#<report>#"
//	        report_key, report_id, version, version_time (N), day
//	state   pk "REPORT#<report>"   sk "STATE"
//	        report_id, name, billing_period, version, version_time (N),
//	        days (SS), committed_at (RFC 3339), writer_version,
//	        writer_version_time (N), writer_days (SS)
//
// A cell holds one usage account's lines of one report on one day, and a
// write puts only the cells whose figures changed. Costs are Numbers written
// from the exact decimal text; a cost with more than the 38 significant
// digits a DynamoDB Number holds (or beyond its exponent range) is stored as
// a String of the same text instead. '#' and '%' in payer and account ids
// are escaped in sk.
//
// # Why markers and writers
//
// Skipping unchanged cells means a cell may still carry the version that
// first wrote it, so a guard on the cell alone would let an older version
// overwrite figures a newer one kept. Every write of a report's cells on a
// day therefore runs in a transaction (at most 25 items) that also claims
// the day's marker for its version ("not newer than me"): once a version has
// looked at a day, no older version can change it. The state item's
// writer_version is the newest version that began writing, and writer_days
// the days written since the last commit, so that Commit also clears days
// that only an uncommitted version wrote. A marker stays after its day is
// cleared, as a tombstone for older versions.
//
// A new version thus costs, besides its changed cells, one marker write per
// day and one state update (plus one per day the state has not seen); a
// replay costs reads only.
package dynamodbio

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithytime "github.com/aws/smithy-go/time"

	"github.com/curpipe/curpipe/io/awsconfig"
)

// Errors returned, wrapped with context.
var (
	// ErrStale means a newer version of the report is committed or has
	// begun writing, so this one was not recorded.
	ErrStale = errors.New("a newer version of the report is committed or being written")
	// ErrShrink means a commit would take days away from the version the
	// table already holds committed: the same version parses to the same
	// days, so a commit naming fewer has lost some on the way. It is
	// refused, and nothing is deleted.
	ErrShrink = errors.New("the commit names fewer days than the same version already holds")
	// ErrNoTable means the table does not exist.
	ErrNoTable = errors.New("table not found")
	// ErrSchema means the table's key schema is not pk (S) / sk (S).
	ErrSchema = errors.New("table has the wrong key schema")
)

// Attribute names of the keys.
const (
	keyPK = "pk"
	keySK = "sk"
)

// dynamoAPI lists the calls this package makes.
type dynamoAPI interface {
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Table is a totals table. Its methods may be called concurrently.
type Table struct {
	api    dynamoAPI
	name   string
	region string // for messages

	retry      retryPolicy   // retries of throttled, conflicting and 5xx calls
	parallel   int           // days read or cleared at once
	pageLimit  int32         // Query page size; 0 lets DynamoDB choose (tests page small)
	createWait time.Duration // how long Create waits for ACTIVE
	now        func() time.Time
}

// Open returns the table named table, with the process's AWS configuration
// (awsconfig.Load). It makes no call; Check verifies the table.
func Open(ctx context.Context, table string) (*Table, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("dynamodbio: open table %q: %w", table, err)
	}
	return newTable(cfg, table)
}

// newTable builds a Table on cfg; tests pass client options that send its
// calls through a proxy that injects faults.
func newTable(cfg aws.Config, table string, optFns ...func(*dynamodb.Options)) (*Table, error) {
	if table == "" {
		return nil, errors.New("dynamodbio: empty table name")
	}
	return &Table{
		api:        dynamodb.NewFromConfig(cfg, optFns...),
		name:       table,
		region:     cfg.Region,
		retry:      defaultRetry,
		parallel:   8,
		createWait: 5 * time.Minute,
		now:        time.Now,
	}, nil
}

// Name returns the table's name.
func (t *Table) Name() string { return t.name }

// Create creates the table if it is missing (on-demand billing) and waits
// until it is ACTIVE. An existing table with the right key schema is fine.
func (t *Table) Create(ctx context.Context) error {
	err := t.do(ctx, "CreateTable", func(ctx context.Context) error {
		_, err := t.api.CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName:   aws.String(t.name),
			BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{
				{AttributeName: aws.String(keyPK), AttributeType: types.ScalarAttributeTypeS},
				{AttributeName: aws.String(keySK), AttributeType: types.ScalarAttributeTypeS},
			},
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(keyPK), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(keySK), KeyType: types.KeyTypeRange},
			},
		})
		return err
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) { // in use: it exists, or is being created
		return fmt.Errorf("dynamodbio: %w", err)
	}
	deadline := time.Now().Add(t.createWait)
	for wait := 500 * time.Millisecond; ; wait = min(2*wait, 10*time.Second) {
		status, err := t.describe(ctx)
		if err != nil {
			return err
		}
		if status == types.TableStatusActive {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("dynamodbio: table %q still %s after %s", t.name, status, t.createWait)
		}
		if err := smithytime.SleepWithContext(ctx, wait); err != nil {
			return fmt.Errorf("dynamodbio: wait for table %q: %w", t.name, err)
		}
	}
}

// Check verifies that the table exists, is ACTIVE and has the key schema
// pk (S) / sk (S). Its errors say what is wrong: ErrNoTable, ErrSchema, or
// the service's (access denied names the permission).
func (t *Table) Check(ctx context.Context) error {
	status, err := t.describe(ctx)
	if err != nil {
		return err
	}
	if status != types.TableStatusActive {
		return fmt.Errorf("dynamodbio: table %q is %s, not ACTIVE", t.name, status)
	}
	return nil
}

// ARN returns the table's ARN, for checking a role's policies against it.
func (t *Table) ARN(ctx context.Context) (string, error) {
	var out *dynamodb.DescribeTableOutput
	err := t.do(ctx, "DescribeTable", func(ctx context.Context) error {
		var err error
		out, err = t.api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.name)})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("dynamodbio: describe table %q: %w", t.name, err)
	}
	if out.Table == nil || out.Table.TableArn == nil {
		return "", fmt.Errorf("dynamodbio: DescribeTable %q returned no ARN", t.name)
	}
	return *out.Table.TableArn, nil
}

// describe returns the table's status after checking its key schema.
func (t *Table) describe(ctx context.Context) (types.TableStatus, error) {
	var out *dynamodb.DescribeTableOutput
	err := t.do(ctx, "DescribeTable", func(ctx context.Context) error {
		var err error
		out, err = t.api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.name)})
		return err
	})
	var nf *types.ResourceNotFoundException
	var ae smithy.APIError
	switch {
	case errors.As(err, &nf):
		return "", fmt.Errorf("dynamodbio: %w: %q in region %q (create it first): %w", ErrNoTable, t.name, t.region, err)
	case errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException":
		return "", fmt.Errorf("dynamodbio: access denied to table %q in region %q: the role needs dynamodb:DescribeTable, GetItem, Query, PutItem, UpdateItem and DeleteItem on it (and CreateTable to create it): %w", t.name, t.region, err)
	case err != nil:
		return "", fmt.Errorf("dynamodbio: %w", err)
	case out.Table == nil:
		return "", fmt.Errorf("dynamodbio: DescribeTable %q returned no table", t.name)
	}
	if err := checkSchema(out.Table); err != nil {
		return "", fmt.Errorf("dynamodbio: %w: %q %v", ErrSchema, t.name, err)
	}
	return out.Table.TableStatus, nil
}

// checkSchema requires exactly HASH pk (S) and RANGE sk (S).
func checkSchema(d *types.TableDescription) error {
	attrType := map[string]types.ScalarAttributeType{}
	for _, a := range d.AttributeDefinitions {
		attrType[aws.ToString(a.AttributeName)] = a.AttributeType
	}
	var hash, rng string
	for _, k := range d.KeySchema {
		switch k.KeyType {
		case types.KeyTypeHash:
			hash = aws.ToString(k.AttributeName)
		case types.KeyTypeRange:
			rng = aws.ToString(k.AttributeName)
		}
	}
	if hash != keyPK || rng != keySK || attrType[keyPK] != types.ScalarAttributeTypeS || attrType[keySK] != types.ScalarAttributeTypeS {
		desc := func(name string) string {
			if name == "" {
				return "none"
			}
			return fmt.Sprintf("%s (%s)", name, attrType[name])
		}
		return fmt.Errorf("has hash key %s and range key %s, want %s (S) and %s (S)", desc(hash), desc(rng), keyPK, keySK)
	}
	return nil
}
