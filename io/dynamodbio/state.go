package dynamodbio

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// State is what the table records about a report.
type State struct {
	Version       // the committed version; Version is "" before the first commit
	Name          string
	BillingPeriod string
	Days          []string  // the committed version's days, sorted
	CommittedAt   time.Time // zero before the first commit
	Writer        Version   // the newest version that began writing
	WriterDays    []string  // days written since the last commit, sorted
}

// State returns what the table records about the report, or nil when it
// records nothing.
func (t *Table) State(ctx context.Context, reportKey string) (*State, error) {
	st, err := t.state(ctx, reportKey)
	if err != nil {
		return nil, fmt.Errorf("dynamodbio: %w", err)
	}
	return st, nil
}

func (t *Table) state(ctx context.Context, reportKey string) (*State, error) {
	var out *dynamodb.GetItemOutput
	err := t.do(ctx, "GetItem", func(ctx context.Context) error {
		var err error
		out, err = t.api.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(t.name),
			Key:            key(statePK(reportKey), stateSK),
			ConsistentRead: aws.Bool(true),
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read state of report %s: %w", reportKey, err)
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	st, err := decodeState(reportKey, out.Item)
	if err != nil {
		return nil, fmt.Errorf("table %q: state of report %s: %w", t.name, reportKey, err)
	}
	return st, nil
}

// notNewer is a condition that the version stored under the attributes
// #<p>t and #<p>v is absent or not newer than :vt, :v.
func notNewer(p string) string {
	return fmt.Sprintf("(attribute_not_exists(#%[1]st) OR #%[1]st < :vt OR (#%[1]st = :vt AND #%[1]sv <= :v))", p)
}

// itemGuard names the attributes of notNewer("") (an item's own version);
// stateGuard adds those of notNewer("w") (a state's writer). DynamoDB
// rejects names an expression does not use, hence two maps.
var (
	itemGuard  = map[string]string{"#t": attrVersionTime, "#v": attrVersion}
	stateGuard = map[string]string{"#t": attrVersionTime, "#v": attrVersion, "#wt": attrWriterTime, "#wv": attrWriterVersion}
)

func guardValues(v Version) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{":vt": num(strconv.FormatInt(v.VersionTime, 10)), ":v": str(v.Version)}
}

// claim records v as the report's writer, and day (if any) among the days
// written since the last commit. It returns ErrStale when a newer version is
// committed or writing. A replay finds both recorded and writes nothing.
func (t *Table) claim(ctx context.Context, v Version, day string) error {
	st, err := t.state(ctx, v.ReportKey)
	if err != nil {
		return err
	}
	if st != nil {
		if compareVersions(st.Version, v) > 0 || compareVersions(st.Writer, v) > 0 {
			return ErrStale
		}
		if compareVersions(st.Writer, v) == 0 && (day == "" || slices.Contains(st.Days, day) || slices.Contains(st.WriterDays, day)) {
			return nil
		}
	}
	in := &dynamodb.UpdateItemInput{
		TableName:                 aws.String(t.name),
		Key:                       key(statePK(v.ReportKey), stateSK),
		UpdateExpression:          aws.String("SET #rid = :rid, #wv = :v, #wt = :vt"),
		ConditionExpression:       aws.String(notNewer("w") + " AND " + notNewer("")),
		ExpressionAttributeNames:  maps.Clone(stateGuard),
		ExpressionAttributeValues: guardValues(v),
	}
	in.ExpressionAttributeNames["#rid"] = attrReportID
	in.ExpressionAttributeValues[":rid"] = str(v.ReportID)
	if day != "" {
		in.UpdateExpression = aws.String(*in.UpdateExpression + " ADD #wd :day")
		in.ExpressionAttributeNames["#wd"] = attrWriterDays
		in.ExpressionAttributeValues[":day"] = &types.AttributeValueMemberSS{Value: []string{day}}
	}
	return t.update(ctx, in)
}

// recordCommit writes the state of committed version v, if v is still the
// report's writer and no newer version is committed. Days written since
// the last commit are all v's or cleared by now, so writer_days goes.
func (t *Table) recordCommit(ctx context.Context, v Version, name, period string, days []string) error {
	set := "SET #rid = :rid, #name = :name, #bp = :bp, #v = :v, #t = :vt, #at = :at"
	remove := " REMOVE #wd"
	vals := guardValues(v)
	vals[":rid"], vals[":name"], vals[":bp"] = str(v.ReportID), str(name), str(period)
	vals[":at"] = str(t.now().UTC().Format(time.RFC3339Nano))
	if len(days) > 0 {
		set += ", #days = :days"
		vals[":days"] = &types.AttributeValueMemberSS{Value: days}
	} else {
		remove += ", #days" // an empty string set is not allowed
	}
	names := maps.Clone(stateGuard)
	for k, n := range map[string]string{"#rid": attrReportID, "#name": attrName, "#bp": attrBillingPeriod, "#at": attrCommittedAt, "#days": attrDays, "#wd": attrWriterDays} {
		names[k] = n
	}
	return t.update(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(t.name),
		Key:                       key(statePK(v.ReportKey), stateSK),
		UpdateExpression:          aws.String(set + remove),
		ConditionExpression:       aws.String("#wt = :vt AND #wv = :v AND " + notNewer("")),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals,
	})
}

// update runs a conditional UpdateItem on a state item; a failed condition
// is ErrStale.
func (t *Table) update(ctx context.Context, in *dynamodb.UpdateItemInput) error {
	err := t.do(ctx, "UpdateItem", func(ctx context.Context) error {
		_, err := t.api.UpdateItem(ctx, in)
		return err
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrStale
	}
	return err
}

// decodeState reads a report's state item.
func decodeState(reportKey string, it map[string]types.AttributeValue) (*State, error) {
	st := &State{
		Name:          getS(it, attrName),
		BillingPeriod: getS(it, attrBillingPeriod),
		Days:          getSS(it, attrDays),
		WriterDays:    getSS(it, attrWriterDays),
	}
	var err error
	if st.Version, _, err = decodeVersion(it, attrVersion, attrVersionTime); err != nil {
		return nil, err
	}
	if st.Writer, _, err = decodeVersion(it, attrWriterVersion, attrWriterTime); err != nil {
		return nil, err
	}
	st.ReportKey, st.Writer.ReportKey = reportKey, reportKey
	st.ReportID = getS(it, attrReportID)
	if s := getS(it, attrCommittedAt); s != "" {
		if st.CommittedAt, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return nil, fmt.Errorf("%s: %w", attrCommittedAt, err)
		}
	}
	return st, nil
}
