package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/curpipe/curpipe/io/awstest"
)

// TestWorkerPolicy deploys the stack with an existing billing bucket and
// the lake in a bucket of its own, checks the worker policy statically
// against the stack's ARNs and the calls curpipe's io packages make, then
// turns moto's IAM enforcement on and calls AWS with the credentials of a
// user holding only that policy: the calls a worker makes succeed, and
// calls outside its scope are denied.
//
// moto judges the resource of S3, SQS and IAM calls only; it denies every
// call to a DynamoDB table or SNS topic named in a statement. Those
// statements are proven by the static check, and their denied calls below
// would be denied either way.
func TestWorkerPolicy(t *testing.T) {
	admin, private := privateMoto(t)
	ctx := context.Background()
	billing, lake, other := awstest.Name(t, "billing"), awstest.Name(t, "lake"), awstest.Name(t, "other")
	s3c := admin.s3()
	for _, b := range []string{billing, lake, other} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("create bucket %s: %v", b, err)
		}
	}
	objects := []struct{ bucket, key string }{
		{billing, "cur/r/20240101-20240201/r-1.csv.gz"}, // an export
		{billing, "other/notes.csv"},                    // the same bucket, another prefix
		{other, "cur/r/20240101-20240201/r-1.csv.gz"},   // another bucket, the same key
		{lake, "elsewhere/state.json"},                  // the lake's bucket, outside the lake
	}
	for _, o := range objects {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(o.key), Body: strings.NewReader("x")}); err != nil {
			t.Fatalf("put s3://%s/%s: %v", o.bucket, o.key, err)
		}
	}
	st := admin.deploy(t, awstest.Name(t, "curpipe"), map[string]string{"BillingBucketName": billing, "LakeBucketName": lake})
	if got, want := st.out(t, "LakeUrl"), "s3://"+lake+"/curpipe-lake/"; got != want {
		t.Errorf("LakeUrl %s, want %s", got, want)
	}
	checkPolicyDocument(t, admin, st, billing, lake)

	queue := st.out(t, "QueueUrl")
	otherQueue, err := admin.sqs().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(awstest.Name(t, "other"))})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := admin.sqs().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	user := awstest.Name(t, "worker")
	iam := admin.iam()
	if err := iam.call(ctx, "CreateUser", url.Values{"UserName": {user}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := iam.call(ctx, "AttachUserPolicy", url.Values{"UserName": {user}, "PolicyArn": {st.out(t, "WorkerPolicyArn")}}, nil); err != nil {
		t.Fatal(err)
	}
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := iam.call(ctx, "CreateAccessKey", url.Values{"UserName": {user}}, &key); err != nil {
		t.Fatal(err)
	}
	w, refused := admin.as(key.ID, key.Secret)
	ws3, wsqs, wddb, wsns, wiam := w.s3(), w.sqs(), w.dynamodb(), w.sns(), w.iam()
	table, topic := st.out(t, "TableName"), st.out(t, "EventsTopicArn")

	denied := []struct {
		name string
		call func(context.Context) error
	}{
		{"read another prefix of the billing bucket", func(ctx context.Context) error {
			_, err := ws3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(billing), Key: aws.String("other/notes.csv")})
			return err
		}},
		{"read another bucket", func(ctx context.Context) error {
			_, err := ws3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(other), Key: aws.String(objects[2].key)})
			return err
		}},
		{"list another bucket", func(ctx context.Context) error {
			_, err := ws3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(other)})
			return err
		}},
		{"write the exports", func(ctx context.Context) error {
			_, err := ws3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(billing), Key: aws.String("cur/r/forged.csv"), Body: strings.NewReader("x")})
			return err
		}},
		{"delete an export", func(ctx context.Context) error {
			_, err := ws3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(billing), Key: aws.String(objects[0].key)})
			return err
		}},
		{"write the lake prefix in the billing bucket", func(ctx context.Context) error {
			_, err := ws3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(billing), Key: aws.String("curpipe-lake/x"), Body: strings.NewReader("x")})
			return err
		}},
		{"read the lake's bucket outside the lake", func(ctx context.Context) error {
			_, err := ws3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(lake), Key: aws.String("elsewhere/state.json")})
			return err
		}},
		{"rewire the billing bucket's notifications", func(ctx context.Context) error {
			_, err := ws3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(billing),
				NotificationConfiguration: &s3types.NotificationConfiguration{}})
			return err
		}},
		{"delete the lake's bucket", func(ctx context.Context) error {
			_, err := ws3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(lake)})
			return err
		}},
		{"read another queue", func(ctx context.Context) error {
			_, err := wsqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: otherQueue.QueueUrl})
			return err
		}},
		{"read the dead-letter queue", func(ctx context.Context) error {
			_, err := wsqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(st.out(t, "DlqUrl"))})
			return err
		}},
		{"send to the queue (forge an event)", func(ctx context.Context) error {
			_, err := wsqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String("{}")})
			return err
		}},
		{"purge the queue", func(ctx context.Context) error {
			_, err := wsqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(queue)})
			return err
		}},
		{"change the queue's redrive policy", func(ctx context.Context) error {
			_, err := wsqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queue),
				Attributes: map[string]string{"RedrivePolicy": ""}})
			return err
		}},
		{"delete the queue", func(ctx context.Context) error {
			_, err := wsqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(queue)})
			return err
		}},
		{"delete the table", func(ctx context.Context) error {
			_, err := wddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)})
			return err
		}},
		{"scan the table", func(ctx context.Context) error {
			_, err := wddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
			return err
		}},
		{"create a table", func(ctx context.Context) error {
			_, err := wddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("x"), BillingMode: ddbtypes.BillingModePayPerRequest,
				AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
				KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}})
			return err
		}},
		{"create a topic", func(ctx context.Context) error {
			_, err := wsns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("x")})
			return err
		}},
		{"subscribe to the events topic", func(ctx context.Context) error {
			_, err := wsns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(st.out(t, "QueueArn"))})
			return err
		}},
		{"create an IAM user", func(ctx context.Context) error {
			return wiam.call(ctx, "CreateUser", url.Values{"UserName": {"escalated"}}, nil)
		}},
		{"attach a policy to itself", func(ctx context.Context) error {
			return wiam.call(ctx, "AttachUserPolicy", url.Values{"UserName": {user}, "PolicyArn": {"arn:aws:iam::aws:policy/AdministratorAccess"}}, nil)
		}},
	}

	// The enforced window: restored as soon as the calls are made, and in
	// a cleanup should the test stop early.
	t.Cleanup(func() {
		if err := setAuth(admin.endpoint, "inf"); err != nil {
			t.Errorf("turn moto's IAM enforcement off: %v", err)
		}
	})
	if !private {
		t.Log("enforcing IAM on the shared moto server for the next calls only")
	}
	if err := setAuth(admin.endpoint, "0"); err != nil {
		t.Fatal(err)
	}
	func() {
		defer setAuth(admin.endpoint, "inf")
		allowedCalls(t, w, billing, objects[0].key, lake, queue)
		for _, d := range denied {
			err := d.call(ctx)
			// A refusal for another reason (a bad signature, an unknown
			// key) is also a 403: the body tells them apart.
			body := refused.take()
			if status := httpStatus(err); err == nil || status != 403 || !deniedBody.MatchString(body) {
				t.Errorf("%s: got %v (HTTP %d) %s, want access denied", d.name, err, status, body)
			}
		}
	}()
}

// deniedBody is how moto words a refusal by policy, in any protocol.
var deniedBody = regexp.MustCompile(`AccessDenied|not authorized to perform`)

// allowedCalls makes, with the worker's credentials, each kind of call
// curpipe stream makes to S3 and SQS, on the stack's resources.
func allowedCalls(t *testing.T, w env, billing, export, lake, queue string) {
	t.Helper()
	ctx := context.Background()
	ws3, wsqs := w.s3(), w.sqs()
	ok := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s with the worker's policy: %v", what, err)
		}
	}
	_, err := ws3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(billing), Key: aws.String(export)})
	ok("read an export", err)
	_, err = ws3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(billing), Key: aws.String(export)})
	ok("head an export", err)
	// moto's signature check fails a ListObjectsV2 whose prefix holds a
	// "/" under enforcement, so listing is proven by the static check.

	lakeKey := "curpipe-lake/_curpipe/probe.json"
	_, err = ws3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(lake), Key: aws.String(lakeKey), Body: strings.NewReader("{}")})
	ok("write the lake", err)
	_, err = ws3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(lake), Key: aws.String(lakeKey)})
	ok("read the lake", err)
	_, err = ws3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(lake), Key: aws.String(lakeKey)})
	ok("delete from the lake", err)
	// A large curated file goes up in parts.
	mpKey := aws.String("curpipe-lake/curated/part.parquet")
	up, err := ws3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(lake), Key: mpKey})
	ok("start a multipart upload to the lake", err)
	if err == nil {
		part, err := ws3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(lake), Key: mpKey, UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))})
		ok("upload a part", err)
		if err == nil {
			_, err = ws3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(lake), Key: mpKey, UploadId: up.UploadId,
				MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
			ok("complete a multipart upload", err)
		}
	}
	up, err = ws3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(lake), Key: mpKey})
	ok("start a multipart upload to the lake", err)
	if err == nil {
		_, err = ws3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(lake), Key: mpKey, UploadId: up.UploadId})
		ok("abort a multipart upload", err)
	}

	_, err = wsqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queue),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	ok("read the queue's attributes", err)
	got, err := wsqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	ok("receive from the queue", err)
	if err != nil {
		return
	}
	if len(got.Messages) != 2 {
		t.Errorf("received %d messages, want the 2 sent", len(got.Messages))
		return
	}
	first, second := got.Messages[0].ReceiptHandle, got.Messages[1].ReceiptHandle
	_, err = wsqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(queue), ReceiptHandle: first, VisibilityTimeout: 60})
	ok("extend a message's visibility", err)
	_, err = wsqs.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(queue),
		Entries: []sqstypes.ChangeMessageVisibilityBatchRequestEntry{{Id: aws.String("1"), ReceiptHandle: first, VisibilityTimeout: 60}}})
	ok("extend visibility in a batch", err)
	_, err = wsqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queue),
		Entries: []sqstypes.DeleteMessageBatchRequestEntry{{Id: aws.String("1"), ReceiptHandle: first}}})
	ok("delete messages in a batch", err)
	_, err = wsqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queue), ReceiptHandle: second})
	ok("delete a message", err)
}

// statement is one statement of an IAM policy document.
type statement struct {
	Sid       string
	Effect    string
	Action    any
	NotAction any
	Resource  any
	Condition map[string]map[string]any
}

// strs reads a policy element that is one string or a list of them.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, s := range v {
			out = append(out, strs(s)...)
		}
		return out
	}
	return nil
}

// sameSet compares two lists as sets.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// checkPolicyDocument reads the worker policy as CloudFormation made it and
// checks each statement's actions, resources and conditions against the
// stack's resources, and the actions against the calls curpipe's io
// packages make. This is the check of the DynamoDB and SNS statements,
// which moto's enforcement cannot judge.
func checkPolicyDocument(t *testing.T, e env, st *stack, billing, lake string) {
	t.Helper()
	ctx := context.Background()
	iam := e.iam()
	policyARN := st.out(t, "WorkerPolicyArn")
	var policy struct {
		Version string `xml:"GetPolicyResult>Policy>DefaultVersionId"`
	}
	if err := iam.call(ctx, "GetPolicy", url.Values{"PolicyArn": {policyARN}}, &policy); err != nil {
		t.Fatal(err)
	}
	var version struct {
		Document string `xml:"GetPolicyVersionResult>PolicyVersion>Document"`
	}
	if err := iam.call(ctx, "GetPolicyVersion", url.Values{"PolicyArn": {policyARN}, "VersionId": {policy.Version}}, &version); err != nil {
		t.Fatal(err)
	}
	doc := version.Document
	if strings.HasPrefix(doc, "%7B") { // AWS URL-encodes policy documents
		doc, _ = url.QueryUnescape(doc)
	}
	var parsed struct{ Statement []statement }
	if err := json.Unmarshal([]byte(doc), &parsed); err != nil {
		t.Fatalf("worker policy %s: %v", doc, err)
	}

	queueARN := st.out(t, "QueueArn")
	arn := strings.Split(queueARN, ":") // arn:partition:sqs:region:account:name
	tableARN := "arn:" + arn[1] + ":dynamodb:" + arn[3] + ":" + arn[4] + ":table/" + st.out(t, "TableName")
	s3ARN := "arn:" + arn[1] + ":s3:::"
	type want struct {
		actions, resources []string
		prefix             string // the s3:prefix a ListBucket is limited to
	}
	wants := map[string]want{
		"ReadExports":   {[]string{"s3:GetObject"}, []string{s3ARN + billing + "/cur/*"}, ""},
		"ListExports":   {[]string{"s3:ListBucket"}, []string{s3ARN + billing}, "cur/*"},
		"ReadWriteLake": {[]string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}, []string{s3ARN + lake + "/curpipe-lake/*"}, ""},
		"ListLake":      {[]string{"s3:ListBucket"}, []string{s3ARN + lake}, "curpipe-lake/*"},
		"ConsumeQueue": {[]string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:DeleteMessageBatch", "sqs:ChangeMessageVisibility",
			"sqs:ChangeMessageVisibilityBatch", "sqs:GetQueueAttributes"}, []string{queueARN}, ""},
		"WriteTotals": {[]string{"dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
			"dynamodb:DeleteItem"}, []string{tableARN}, ""},
		"Notify": {[]string{"sns:Publish"}, []string{st.out(t, "EventsTopicArn"), st.out(t, "AlertsTopicArn")}, ""},
	}
	granted := map[string]bool{}
	for _, s := range parsed.Statement {
		w, ok := wants[s.Sid]
		if !ok {
			t.Errorf("worker policy statement %q is not one the workers need", s.Sid)
			continue
		}
		delete(wants, s.Sid)
		if s.Effect != "Allow" || s.NotAction != nil {
			t.Errorf("statement %s: Effect %s, NotAction %v; want a plain Allow", s.Sid, s.Effect, s.NotAction)
		}
		actions, resources := strs(s.Action), strs(s.Resource)
		if !sameSet(actions, w.actions) {
			t.Errorf("statement %s allows %v, want %v", s.Sid, actions, w.actions)
		}
		// No "*" resource: every call the workers make names a bucket,
		// key prefix, queue, table or topic, so none needs one.
		if !sameSet(resources, w.resources) {
			t.Errorf("statement %s on %v, want %v", s.Sid, resources, w.resources)
		}
		var cond map[string]map[string]any
		if w.prefix != "" {
			cond = map[string]map[string]any{"StringLike": {"s3:prefix": w.prefix}}
		}
		if !jsonEqual(s.Condition, cond) {
			t.Errorf("statement %s condition %v, want %v", s.Sid, s.Condition, cond)
		}
		for _, a := range actions {
			granted[a] = true
		}
	}
	for sid := range wants {
		t.Errorf("worker policy has no statement %s", sid)
	}
	needed := actionsOfIO(t)
	for a := range needed {
		if !granted[a] {
			t.Errorf("curpipe's io packages need %s; the worker policy does not grant it", a)
		}
	}
	for a := range granted {
		if !needed[a] {
			t.Errorf("the worker policy grants %s, which no call of curpipe's io packages needs", a)
		}
	}

	// The role: assumable by ECS tasks of this account, holding the policy
	// and nothing else.
	role := st.out(t, "WorkerRoleArn")
	roleName := role[strings.LastIndex(role, "/")+1:]
	var attached struct {
		ARNs []string `xml:"ListAttachedRolePoliciesResult>AttachedPolicies>member>PolicyArn"`
	}
	if err := iam.call(ctx, "ListAttachedRolePolicies", url.Values{"RoleName": {roleName}}, &attached); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(attached.ARNs, []string{policyARN}) {
		t.Errorf("worker role holds %v, want only %s", attached.ARNs, policyARN)
	}
	var inline struct {
		Names []string `xml:"ListRolePoliciesResult>PolicyNames>member"`
	}
	if err := iam.call(ctx, "ListRolePolicies", url.Values{"RoleName": {roleName}}, &inline); err != nil {
		t.Fatal(err)
	}
	if len(inline.Names) != 0 {
		t.Errorf("worker role has inline policies %v", inline.Names)
	}
	var got struct {
		Trust string `xml:"GetRoleResult>Role>AssumeRolePolicyDocument"`
	}
	if err := iam.call(ctx, "GetRole", url.Values{"RoleName": {roleName}}, &got); err != nil {
		t.Fatal(err)
	}
	trust, _ := url.QueryUnescape(got.Trust)
	if !strings.Contains(trust, "ecs-tasks.amazonaws.com") || strings.Count(trust, `"Principal"`) != 1 {
		t.Errorf("worker role trust policy %s, want ECS tasks only", trust)
	}
}

// ioActions maps each AWS call made in curpipe's io packages (by the
// package's source) to the IAM actions a worker needs for it; an empty
// list is a call workers do not make, with the reason.
var ioActions = map[string]struct {
	actions []string
	why     string
}{
	"dynamodbio.CreateTable":   {nil, "the stack creates the table; --create-table is an operator's"},
	"dynamodbio.DescribeTable": {[]string{"dynamodb:DescribeTable"}, ""},
	"dynamodbio.GetItem":       {[]string{"dynamodb:GetItem"}, ""},
	"dynamodbio.PutItem":       {[]string{"dynamodb:PutItem"}, ""},
	"dynamodbio.UpdateItem":    {[]string{"dynamodb:UpdateItem"}, ""},
	"dynamodbio.Query":         {[]string{"dynamodb:Query"}, ""},
	"dynamodbio.DeleteItem":    {[]string{"dynamodb:DeleteItem"}, ""},
	// IAM authorizes TransactWriteItems by its items' kinds, added below.
	"dynamodbio.TransactWriteItems":   {nil, "authorized per item"},
	"dynamodbio.types.Put":            {[]string{"dynamodb:PutItem"}, ""},
	"dynamodbio.types.Delete":         {[]string{"dynamodb:DeleteItem"}, ""},
	"dynamodbio.types.Update":         {[]string{"dynamodb:UpdateItem"}, ""},
	"dynamodbio.types.ConditionCheck": {[]string{"dynamodb:ConditionCheckItem"}, ""},
	"sqsio.ReceiveMessage":            {[]string{"sqs:ReceiveMessage"}, ""},
	"sqsio.GetQueueAttributes":        {[]string{"sqs:GetQueueAttributes"}, ""},
	// AWS authorizes a batch call as its single form; moto by its own name.
	"sqsio.DeleteMessageBatch":                   {[]string{"sqs:DeleteMessage", "sqs:DeleteMessageBatch"}, ""},
	"sqsio.ChangeMessageVisibilityBatch":         {[]string{"sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch"}, ""},
	"snsio.Publish":                              {[]string{"sns:Publish"}, ""},
	"snsio.GetTopicAttributes":                   {nil, "curpipe validate's check, run by an operator"},
	"snsio.NewListSubscriptionsByTopicPaginator": {nil, "curpipe validate's check, run by an operator"},
	"s3io.GetObject":                             {[]string{"s3:GetObject"}, ""},
	"s3io.HeadObject":                            {[]string{"s3:GetObject"}, ""},
	"s3io.ListObjectsV2":                         {[]string{"s3:ListBucket"}, ""},
	"s3io.NewListObjectsV2Paginator":             {[]string{"s3:ListBucket"}, ""},
	"s3io.PutObject":                             {[]string{"s3:PutObject"}, ""},
	"s3io.CreateMultipartUpload":                 {[]string{"s3:PutObject"}, ""},
	"s3io.UploadPart":                            {[]string{"s3:PutObject"}, ""},
	"s3io.CompleteMultipartUpload":               {[]string{"s3:PutObject"}, ""},
	"s3io.AbortMultipartUpload":                  {[]string{"s3:AbortMultipartUpload"}, ""},
	"s3io.DeleteObject":                          {[]string{"s3:DeleteObject"}, ""},
	"s3io.HeadBucket":                            {nil, "curpipe validate's check, run by an operator"},
	"s3io.GetBucketNotificationConfiguration":    {nil, "curpipe validate's check, run by an operator"},
}

// ioCall finds an AWS SDK call in an io package's source: a method of its
// client (named api, client or c), a paginator, or a transaction item.
var ioCall = regexp.MustCompile(`\b(?:api|client|c)\.([A-Z]\w+)\(|\b(New\w+Paginator)\(|&(types\.(?:Put|Delete|Update|ConditionCheck))\{`)

// actionsOfIO returns the IAM actions the AWS calls in curpipe's io
// packages need, failing the test on a call ioActions does not know.
func actionsOfIO(t *testing.T) map[string]bool {
	t.Helper()
	need := map[string]bool{}
	for _, pkg := range []string{"dynamodbio", "sqsio", "snsio", "s3io"} {
		files, err := filepath.Glob(filepath.Join("..", "io", pkg, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("the sources of io/%s: %v", pkg, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ioCall.FindAllSubmatch(src, -1) {
				call := pkg + "." + string(slices.Concat(m[1], m[2], m[3]))
				a, ok := ioActions[call]
				if !ok {
					t.Errorf("%s calls %s: say in ioActions which IAM actions it needs, and grant them in WorkerPolicy if workers make it", f, call)
				}
				for _, action := range a.actions {
					need[action] = true
				}
			}
		}
	}
	return need
}
