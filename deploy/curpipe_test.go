package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/curpipe/curpipe/cmd/curgen/gen"
	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/transforms/totals"
)

// streamVisibility is the visibility curpipe stream asks for by default:
// two 1-minute windows, the 20 s wait and 30 s. The queue's own must be no
// shorter, for any reader that does not ask.
const streamVisibility = 2*60 + 20 + 30

// The outputs deploy/README.md and the workers rely on.
var wantOutputs = []string{"QueueUrl", "QueueArn", "DlqUrl", "EventsDlqUrl", "TableName", "EventsTopicArn",
	"AlertsTopicArn", "WorkerRoleArn", "WorkerPolicyArn", "RuleArn", "RuleName", "LakeUrl", "StreamCommand", "ValidateCommand", "RepositoryUri"}

// created are the template's resources moto's CloudFormation creates (with
// CreateBillingBucket true). It leaves out, with a log line, the queue,
// topic and bucket policies and the alarms: template_test.go checks those
// from the template.
var created = []string{"BillingBucket", "Queue", "Dlq", "EventsDlq", "Rule", "Table", "EventsTopic", "AlertsTopic", "WorkerRole", "WorkerPolicy", "Repository"}

// TestStackStream deploys the template to moto's CloudFormation, checks
// that its resources are configured as it says, and runs the stack's own
// curpipe stream command on it: a CUR delivery put into the billing bucket
// reaches the queue through S3's EventBridge events and the rule on the
// default bus, and its exact totals land in the stack's table, with a
// "committed" notification on its topic and nothing in a dead-letter
// queue.
func TestStackStream(t *testing.T) {
	e := sharedEnv(t)
	ctx := context.Background()
	bucket := awstest.Name(t, "billing")
	st := e.deploy(t, awstest.Name(t, "curpipe"), map[string]string{"BillingBucketName": bucket, "CreateBillingBucket": "true"})
	for _, k := range wantOutputs {
		st.out(t, k)
	}
	checkResources(t, e, st, bucket)

	// moto's CloudFormation ignores the bucket's NotificationConfiguration
	// (template_test.go checks it is in the template): set it as AWS would.
	if _, err := e.s3().PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket:                    aws.String(bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{EventBridgeConfiguration: &s3types.EventBridgeConfiguration{}},
	}); err != nil {
		t.Fatalf("turn on the bucket's EventBridge notifications: %v", err)
	}
	notices := awstest.SubscribedQueue(t, st.out(t, "EventsTopicArn"), false)

	bin := curpipeBinary(t)
	// The stack's command as it is, with short windows for the test.
	stop := runStream(t, bin, st.out(t, "StreamCommand"), "--window", "3s", "--wait", "1s")
	defer stop()

	want := putDelivery(t, e, bucket)
	table := st.out(t, "TableName")
	waitFor(t, "the exact totals in the stack's table", 2*time.Minute, func() bool {
		got, err := exec.Command(bin, "query", "--table", table, "--from", "2023-06-01", "--to", "2025-06-30", "--detail").Output()
		return err == nil && sameTotals(t, string(got), want)
	})
	waitFor(t, `a "committed" notification`, time.Minute, func() bool { return committed(t, e, notices) })
	waitFor(t, "an empty queue", time.Minute, func() bool { return depth(t, e, st.out(t, "QueueUrl")) == 0 })
	for _, q := range []string{"DlqUrl", "EventsDlqUrl"} {
		if n := depth(t, e, st.out(t, q)); n != 0 {
			t.Errorf("%d messages in %s", n, q)
		}
	}
	// The lake: curated Parquet under the stack's lake prefix.
	lake := strings.TrimPrefix(st.out(t, "LakeUrl"), "s3://"+bucket+"/")
	listed, err := e.s3().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(lake + "curated/")})
	if err != nil {
		t.Fatalf("list the lake: %v", err)
	}
	if len(listed.Contents) == 0 {
		t.Errorf("no curated files under s3://%s/%scurated/", bucket, lake)
	}
	stop()
	checkValidate(t, e, st, bin)
}

// checkValidate runs the stack's ValidateCommand: it passes on the stack
// as deployed, and fails naming the fix once the rule feeding the queue
// sits on a custom bus (the mistake of the system curpipe replaces).
func checkValidate(t *testing.T, e env, st *stack, bin string) {
	ctx := context.Background()
	words := strings.Fields(st.out(t, "ValidateCommand"))
	if len(words) < 2 || words[0] != "curpipe" || words[1] != "validate" {
		t.Fatalf("ValidateCommand %q is not a curpipe validate command", st.out(t, "ValidateCommand"))
	}
	// moto's CloudFormation leaves the queue policy out (see created):
	// set the template's, as AWS would.
	queueArn, ruleArn := st.out(t, "QueueArn"), st.out(t, "RuleArn")
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"ExportEventsFromTheRule","Effect":"Allow",`+
		`"Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage","Resource":%q,`+
		`"Condition":{"ArnEquals":{"aws:SourceArn":[%q]}}}]}`, queueArn, ruleArn)
	if _, err := e.sqs().SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(st.out(t, "QueueUrl")),
		Attributes: map[string]string{"Policy": policy}}); err != nil {
		t.Fatalf("set the queue policy: %v", err)
	}
	validate := func() (string, error) {
		out, err := exec.Command(bin, words[1:]...).CombinedOutput()
		return string(out), err
	}
	// moto keeps the bucket's EventBridge setting and routes by it, but
	// leaves it out of GetBucketNotificationConfiguration's answer: that
	// one part of the feed check reads "off" here, and must be the only
	// check failing (cmd/curpipe's TestValidateFeed checks it with the
	// setting reported).
	const eventBridgeOff = "does not send its events to EventBridge"
	out, err := validate()
	var fails []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "FAIL") {
			fails = append(fails, line)
		}
	}
	if err == nil || len(fails) != 1 || !strings.Contains(fails[0], eventBridgeOff) {
		t.Fatalf("validate on the deployed stack: %v, want only moto's EventBridge answer to fail:\n%s", err, out)
	}
	for _, want := range []string{"ok    queue ", "ok    role " + st.out(t, "WorkerRoleArn") + " may make every call the workers make",
		"ok    table ", "ok    input ", "ok    output ", "ok    the bundled sample computes its known totals"} {
		if !strings.Contains(out, want) {
			t.Errorf("validate did not pass %q:\n%s", want, out)
		}
	}

	// The seed's mistake: the rule on a custom bus, none on the default.
	eb := e.events()
	bus := awstest.Name(t, "billing-events")
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(bus)}); err != nil {
		t.Fatal(err)
	}
	rule, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(st.out(t, "RuleName"))})
	if err != nil {
		t.Fatal(err)
	}
	moved, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("curpipe-on-custom-bus"), EventBusName: aws.String(bus),
		EventPattern: rule.EventPattern, State: ebtypes.RuleStateEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("curpipe-on-custom-bus"), EventBusName: aws.String(bus),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueArn)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: rule.Name, Ids: []string{"curpipe-queue"}}); err != nil {
		t.Fatal(err)
	}
	out, err = validate()
	if err == nil {
		t.Fatalf("validate passed with the rule on bus %s (%s):\n%s", bus, aws.ToString(moved.RuleArn), out)
	}
	if !strings.Contains(out, "is on event bus "+bus) || !strings.Contains(out, "put the rule on the default bus") {
		t.Errorf("validate's failure does not name the bus and the fix:\n%s", out)
	}
}

// checkResources asserts that the stack's resources exist and are
// configured as the template says.
func checkResources(t *testing.T, e env, st *stack, bucket string) {
	t.Helper()
	ctx := context.Background()
	for _, id := range created {
		i := slices.IndexFunc(st.resources, func(r stackResource) bool { return r.LogicalID == id })
		if i < 0 || st.resources[i].PhysicalID == "" || st.resources[i].Status != "CREATE_COMPLETE" {
			t.Errorf("the stack's resource %s was not created", id)
		}
	}
	if _, err := e.s3().HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Errorf("the billing bucket: %v", err)
	}
	checkRepository(t, e, st.out(t, "RepositoryUri"))

	attrs := func(key string) map[string]string {
		out, err := e.sqs().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(st.out(t, key)),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
		if err != nil {
			t.Fatalf("attributes of %s: %v", key, err)
		}
		return out.Attributes
	}
	queue, dlq, eventsDlq := attrs("QueueUrl"), attrs("DlqUrl"), attrs("EventsDlqUrl")
	if v, _ := strconv.Atoi(queue["VisibilityTimeout"]); v < streamVisibility {
		t.Errorf("queue VisibilityTimeout %d s, want at least %d s (two windows + wait + 30 s)", v, streamVisibility)
	}
	var redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     any    `json:"maxReceiveCount"` // a number or a string, by who set it
	}
	if err := json.Unmarshal([]byte(queue["RedrivePolicy"]), &redrive); err != nil {
		t.Errorf("queue RedrivePolicy %q: %v", queue["RedrivePolicy"], err)
	}
	if redrive.DeadLetterTargetArn != dlq["QueueArn"] || fmt.Sprint(redrive.MaxReceiveCount) != "5" {
		t.Errorf("queue RedrivePolicy %s, want the DLQ %s after 5 receives", queue["RedrivePolicy"], dlq["QueueArn"])
	}
	if queue["QueueArn"] != st.out(t, "QueueArn") {
		t.Errorf("QueueArn output %s, the queue's %s", st.out(t, "QueueArn"), queue["QueueArn"])
	}
	for name, a := range map[string]map[string]string{"queue": queue, "DLQ": dlq, "events DLQ": eventsDlq} {
		if a["SqsManagedSseEnabled"] != "true" {
			t.Errorf("%s SqsManagedSseEnabled %q, want true", name, a["SqsManagedSseEnabled"])
		}
	}
	if dlq["MessageRetentionPeriod"] != "1209600" {
		t.Errorf("DLQ MessageRetentionPeriod %s, want 14 days", dlq["MessageRetentionPeriod"])
	}

	desc, err := e.dynamodb().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(st.out(t, "TableName"))})
	if err != nil {
		t.Fatalf("describe the table: %v", err)
	}
	tab := desc.Table
	keys := map[string]string{}
	for _, k := range tab.KeySchema {
		keys[aws.ToString(k.AttributeName)] = string(k.KeyType)
	}
	types := map[string]string{}
	for _, a := range tab.AttributeDefinitions {
		types[aws.ToString(a.AttributeName)] = string(a.AttributeType)
	}
	if keys["pk"] != "HASH" || keys["sk"] != "RANGE" || len(keys) != 2 || types["pk"] != "S" || types["sk"] != "S" {
		t.Errorf("table keys %v of types %v, want pk (S) HASH and sk (S) RANGE", keys, types)
	}
	if tab.BillingModeSummary == nil || tab.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest {
		t.Errorf("table billing %+v, want PAY_PER_REQUEST", tab.BillingModeSummary)
	}
	if !aws.ToBool(tab.DeletionProtectionEnabled) {
		t.Error("table deletion protection is off")
	}

	eb := e.events()
	rule, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(st.out(t, "RuleName"))})
	if err != nil {
		t.Fatalf("describe the rule: %v", err)
	}
	// moto delivers S3's events to rules on any bus; AWS only to the
	// default one. So the bus is asserted, not observed.
	if bus := aws.ToString(rule.EventBusName); bus != "default" {
		t.Errorf("rule on the event bus %q: S3 sends its events only to the default bus", bus)
	}
	if aws.ToString(rule.Arn) != st.out(t, "RuleArn") || rule.State != "ENABLED" {
		t.Errorf("rule %s is %s, want %s ENABLED", aws.ToString(rule.Arn), rule.State, st.out(t, "RuleArn"))
	}
	var pattern, wantPattern any
	json.Unmarshal([]byte(aws.ToString(rule.EventPattern)), &pattern)
	json.Unmarshal([]byte(`{"source":["aws.s3"],"detail-type":["Object Created"],
		"detail":{"bucket":{"name":["`+bucket+`"]},"object":{"key":[{"prefix":"cur/"}]}}}`), &wantPattern)
	if !jsonEqual(pattern, wantPattern) {
		t.Errorf("rule pattern %s, want %v", aws.ToString(rule.EventPattern), wantPattern)
	}
	targets, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: rule.Name})
	if err != nil {
		t.Fatalf("rule targets: %v", err)
	}
	if n := len(targets.Targets); n != 1 {
		t.Fatalf("rule has %d targets, want the queue", n)
	}
	target := targets.Targets[0]
	if aws.ToString(target.Arn) != queue["QueueArn"] {
		t.Errorf("rule target %s, want the queue %s", aws.ToString(target.Arn), queue["QueueArn"])
	}
	if target.DeadLetterConfig == nil || aws.ToString(target.DeadLetterConfig.Arn) != eventsDlq["QueueArn"] {
		t.Errorf("rule target dead-letter config %+v, want the events DLQ %s", target.DeadLetterConfig, eventsDlq["QueueArn"])
	}
}

// jsonEqual compares decoded JSON values.
func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a) // maps marshal with sorted keys
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// runStream starts the command line the stack gives (its first word is
// curpipe, run as bin) with extra flags, and returns a stop that sends it
// SIGINT and waits for it to exit cleanly.
func runStream(t *testing.T, bin, commandLine string, extra ...string) (stop func()) {
	t.Helper()
	words := strings.Fields(commandLine)
	if len(words) < 2 || words[0] != "curpipe" || words[1] != "stream" {
		t.Fatalf("StreamCommand %q is not a curpipe stream command", commandLine)
	}
	var log syncBuffer
	cmd := exec.Command(bin, append(words[1:], extra...)...)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", commandLine, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cmd.Process.Signal(os.Interrupt)
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("curpipe stream exited with %v:\n%s", err, log.String())
				}
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Errorf("curpipe stream did not stop within 30 s of SIGINT:\n%s", log.String())
			}
			if t.Failed() {
				t.Logf("curpipe stream's log:\n%s", log.String())
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// syncBuffer is a bytes.Buffer a process and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// putDelivery generates a small CUR 1.0 delivery under the export prefix
// ("cur/") and puts it into the bucket in the order AWS does, data files
// before their manifests; it returns the daily_detail.csv the delivery
// must total to.
func putDelivery(t *testing.T, e env, bucket string) string {
	t.Helper()
	cfg := gen.DefaultConfig()
	cfg.Rows, cfg.Files, cfg.Payers, cfg.Accounts = 3000, 3, 2, 4
	cfg.Prefix, cfg.Report = "cur", "deploy"
	return expected(t, putGenerated(t, e, bucket, cfg))
}

// expected is the daily_detail.csv of the totals of generated deliveries.
func expected(t *testing.T, tabs ...totals.Table) string {
	t.Helper()
	all := make(totals.Table)
	for _, tab := range tabs {
		for d, s := range tab {
			all.Merge(d, *s)
		}
	}
	exp := t.TempDir()
	if err := gen.WriteExpect(exp, all); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(exp, "daily_detail.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return string(want)
}

// putGenerated generates a delivery as cfg says and puts it into the
// bucket, data files first and manifests last, as AWS delivers; it returns
// the delivery's exact totals.
func putGenerated(t *testing.T, e env, bucket string, cfg gen.Config) totals.Table {
	t.Helper()
	cfg.Bucket = bucket
	dir := t.TempDir()
	res, err := gen.Generate(context.Background(), dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	others := slices.Clone(res.OtherFiles)
	slices.SortFunc(others, func(a, b string) int { // manifests last: their events bring the report
		return cmpBool(strings.HasSuffix(a, ".json"), strings.HasSuffix(b, ".json"))
	})
	for _, key := range append(slices.Clone(res.DataFiles), others...) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s3().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(b)}); err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
	}
	return res.Totals
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// sameTotals reports whether two daily_detail.csv texts hold the same
// figures, exactly.
func sameTotals(t *testing.T, got, want string) bool {
	t.Helper()
	g, w := make(totals.Table), make(totals.Table)
	if err := w.ReadDetail(strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	if got == "" || g.ReadDetail(strings.NewReader(got)) != nil || len(g) != len(w) {
		return false
	}
	for k, s := range w {
		if h := g[k]; h == nil || !h.Equal(*s) {
			return false
		}
	}
	return true
}

// committed reads the notifications on the queue subscribed to the
// events topic and reports whether a report's says "committed"; one that
// says anything else fails the test.
func committed(t *testing.T, e env, queueURL string) bool {
	t.Helper()
	out, err := e.sqs().ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL),
		MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	if err != nil {
		t.Fatalf("receive notifications: %v", err)
	}
	ok := false
	for _, m := range out.Messages {
		var envelope awstest.Envelope
		var body struct{ Status, Report, Error string }
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &envelope); err != nil {
			t.Fatalf("decode SNS envelope %q: %v", aws.ToString(m.Body), err)
		}
		if typ := envelope.MessageAttributes["type"].Value; typ != "report" {
			continue // an anomaly alert or a digest of savings findings
		}
		if err := json.Unmarshal([]byte(envelope.Message), &body); err != nil {
			t.Fatalf("decode notification %q: %v", envelope.Message, err)
		}
		if body.Status != "committed" {
			t.Errorf("notification %q: %s", envelope.Subject, body.Error)
		}
		ok = ok || body.Status == "committed"
	}
	return ok
}

// depth returns the messages on a queue, visible and in flight.
func depth(t *testing.T, e env, queueURL string) int {
	t.Helper()
	out, err := e.sqs().GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		t.Fatalf("depth of %s: %v", queueURL, err)
	}
	a, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	b, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return a + b
}

// TestStackService deploys the stack with ServiceImage: the stream's
// cluster, task definition (the worker role, the image, StreamCommand's
// words) and service are created, with their outputs. (moto runs no
// task; the command the task runs is TestStackStream's.)
func TestStackService(t *testing.T) {
	e := sharedEnv(t)
	bucket := awstest.Name(t, "billing")
	st := e.deploy(t, awstest.Name(t, "curpipe"), map[string]string{"BillingBucketName": bucket, "CreateBillingBucket": "true",
		"ServiceImage": "registry.example.com/curpipe:dev", "ServiceSubnets": "subnet-0a1b2c3d,subnet-4e5f6a7b"})
	for _, k := range []string{"ServiceName", "LogGroupName"} {
		st.out(t, k)
	}
	for _, id := range []string{"Cluster", "LogGroup", "ExecutionRole", "TaskDefinition", "Service"} {
		if !slices.ContainsFunc(st.resources, func(r stackResource) bool { return r.LogicalID == id }) {
			t.Errorf("the stack has no %s", id)
		}
	}
}

// TestStackManyPayers: three payer accounts' CUR 2.0 exports deliver into
// the central bucket, each under <ExportPrefix><account>/ as payer.yaml
// sets them up, and the stack's stream sums them all exactly, each payer
// from its own reports (the payer is taken from the data).
func TestStackManyPayers(t *testing.T) {
	e := sharedEnv(t)
	ctx := context.Background()
	bucket := awstest.Name(t, "billing")
	payers := []string{"111111111111", "222222222222", "333333333333"}
	st := e.deploy(t, awstest.Name(t, "curpipe"), map[string]string{"BillingBucketName": bucket, "CreateBillingBucket": "true",
		"PayerAccountIds": strings.Join(payers, ",")})
	if _, err := e.s3().PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket:                    aws.String(bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{EventBridgeConfiguration: &s3types.EventBridgeConfiguration{}},
	}); err != nil {
		t.Fatalf("turn on the bucket's EventBridge notifications: %v", err)
	}
	bin := curpipeBinary(t)
	stop := runStream(t, bin, st.out(t, "StreamCommand"), "--window", "3s", "--wait", "1s")
	defer stop()

	var tabs []totals.Table
	seen := map[string]bool{}
	for i, account := range payers {
		cfg := gen.DefaultConfig()
		cfg.Format, cfg.Seed = gen.CUR2Parquet, uint64(10+i)
		cfg.Rows, cfg.Files, cfg.Payers, cfg.Accounts = 1500, 2, 1, 3
		cfg.Prefix, cfg.Report = "cur/"+account, "curpipe" // payer.yaml's S3Prefix and ExportName
		tab := putGenerated(t, e, bucket, cfg)
		for d := range tab {
			seen[d.Payer] = true
		}
		tabs = append(tabs, tab)
	}
	if len(seen) != len(payers) {
		t.Fatalf("the generated deliveries hold %d payers, want %d", len(seen), len(payers))
	}
	want := expected(t, tabs...)
	table := st.out(t, "TableName")
	waitFor(t, "the three payers' exact totals in the stack's table", 2*time.Minute, func() bool {
		got, err := exec.Command(bin, "query", "--table", table, "--from", "2023-06-01", "--to", "2025-06-30", "--detail").Output()
		return err == nil && sameTotals(t, string(got), want)
	})
	for _, q := range []string{"DlqUrl", "EventsDlqUrl"} {
		if n := depth(t, e, st.out(t, q)); n != 0 {
			t.Errorf("%d messages in %s", n, q)
		}
	}
	stop()
}

// checkRepository asserts that the image repository at uri exists with
// immutable tags.
func checkRepository(t *testing.T, e env, uri string) {
	t.Helper()
	_, repo, ok := strings.Cut(uri, "/")
	if !ok || !strings.Contains(uri, ".dkr.ecr.") {
		t.Fatalf("RepositoryUri %q is not an ECR repository's", uri)
	}
	c := ecr.NewFromConfig(e.cfg, func(o *ecr.Options) { o.BaseEndpoint = aws.String(e.endpoint) })
	out, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{RepositoryNames: []string{repo}})
	if err != nil || len(out.Repositories) != 1 {
		t.Fatalf("describe repository %s: %v", repo, err)
	}
	r := out.Repositories[0]
	// moto's CloudFormation leaves scanning out: TestTemplate checks it.
	if r.ImageTagMutability != ecrtypes.ImageTagMutabilityImmutable {
		t.Errorf("repository %s: tags %s, want immutable", repo, r.ImageTagMutability)
	}
}
