package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/curpipe/curpipe/io/awsconfig"
	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/io/s3io"
)

// streamEnv is a bucket whose object events reach a queue with a
// dead-letter queue, as in production.
type streamEnv struct {
	bucket, queue, dlq string
	sqs                *sqs.Client
}

// The routes S3 events take to the queue.
const (
	viaS3  = "s3-notification"
	viaSNS = "sns"
	viaEB  = "eventbridge"
	// viaNone announces nothing: the test sends the events itself.
	viaNone = "none"
)

// newStreamEnv makes the bucket, the queue (visibility 3 s, poison
// messages to the DLQ after 2 receipts) and the event route: S3
// notifications straight to the queue, through an SNS topic the queue
// subscribes to, or S3's EventBridge events on the default bus through a
// rule whose target is the queue.
func newStreamEnv(t *testing.T, route string) streamEnv {
	t.Helper()
	ctx := context.Background()
	bucket := newBucket(t, "events")
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	env := streamEnv{bucket: bucket, sqs: sqs.NewFromConfig(cfg)}
	dlq, err := env.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(awstest.Name(t, "dlq"))})
	if err != nil {
		t.Fatal(err)
	}
	env.dlq = *dlq.QueueUrl
	policy, _ := json.Marshal(map[string]string{"deadLetterTargetArn": queueARN(t, env.sqs, env.dlq), "maxReceiveCount": "2"})
	q, err := env.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(awstest.Name(t, "q")),
		Attributes: map[string]string{"VisibilityTimeout": "3", "RedrivePolicy": string(policy)}})
	if err != nil {
		t.Fatal(err)
	}
	env.queue = *q.QueueUrl
	arn := queueARN(t, env.sqs, env.queue)
	c, _ := s3io.Client(ctx)
	var notify s3types.NotificationConfiguration
	switch route {
	case viaNone:
		return env
	case viaEB:
		eb := eventbridge.NewFromConfig(cfg)
		rule := awstest.Name(t, "rule")
		pattern, _ := json.Marshal(map[string]any{"source": []string{"aws.s3"}, "detail-type": []string{"Object Created"},
			"detail": map[string]any{"bucket": map[string]any{"name": []string{bucket}}}})
		if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(string(pattern))}); err != nil {
			t.Fatal(err)
		}
		if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule),
			Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(arn)}}}); err != nil {
			t.Fatal(err)
		}
		notify.EventBridgeConfiguration = &s3types.EventBridgeConfiguration{}
	case viaSNS:
		sc := sns.NewFromConfig(cfg)
		topic, err := sc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(awstest.Name(t, "topic"))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
		notify.TopicConfigurations = []s3types.TopicConfiguration{{TopicArn: topic.TopicArn, Events: []s3types.Event{"s3:ObjectCreated:*"}}}
	default:
		notify.QueueConfigurations = []s3types.QueueConfiguration{{QueueArn: aws.String(arn), Events: []s3types.Event{"s3:ObjectCreated:*"}}}
	}
	_, err = c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket), NotificationConfiguration: &notify,
	})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func queueARN(t *testing.T, c *sqs.Client, url string) string {
	t.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes["QueueArn"]
}

// put uploads an object; S3 announces it on the route.
func (e streamEnv) put(t *testing.T, key string, body []byte) {
	t.Helper()
	ctx := context.Background()
	c, _ := s3io.Client(ctx)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
}

// depth returns the messages on a queue, visible and in flight.
func (e streamEnv) depth(t *testing.T, url string) int {
	t.Helper()
	out, err := e.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		t.Fatal(err)
	}
	var a, b int
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessages"], &a)
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessagesNotVisible"], &b)
	return a + b
}

// stream runs curpipe stream until stop is called.
func (e streamEnv) stream(t *testing.T, out string, extra ...string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	args := append([]string{"stream", "--queue", e.queue, "--output", out, "--allow-bucket", e.bucket,
		"--window", "2s", "--wait", "1s"}, extra...)
	go func() {
		var o, eo bytes.Buffer
		err := run(ctx, args, &o, &eo)
		if err != nil {
			t.Logf("stream: %v\n%s", err, tail(eo.String(), 30))
		}
		done <- err
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("stream did not stop within 30 s of its context ending")
		}
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("%s after %s", what, time.Since(start).Round(100*time.Millisecond))
}

// dailyCSV reads a lake's daily.csv, "" when absent.
func dailyCSV(out string) string {
	b, _ := os.ReadFile(filepath.Join(out, "totals", "daily.csv"))
	return string(b)
}

func cur(cost string) []byte { return curCSV("111111111111", cost) }

// TestStreamEndToEnd drives the production flow on moto for each event
// route (PutObject -> EventBridge -> SQS, S3 -> SQS, S3 -> SNS -> SQS): an upload announced on the queue is committed, its message
// deleted, a newer version replaces it, and duplicates change nothing.
func TestStreamEndToEnd(t *testing.T) {
	for _, route := range []string{viaEB, viaS3, viaSNS} {
		t.Run(route, func(t *testing.T) {
			env := newStreamEnv(t, route)
			out := t.TempDir()
			stop := env.stream(t, out)
			defer stop()
			want := func(total string) string {
				return "usage_date,provider,currency,unblended_cost,net_unblended_cost,amortized_cost,line_items\n2024-01-05,AWS,USD," + total + "," + total + "," + total + ",1\n"
			}
			env.put(t, "drops/a.csv", cur("1.5"))
			waitFor(t, "the first upload's totals", time.Minute, func() bool { return dailyCSV(out) == want("1.5") })
			waitFor(t, "an empty queue", 30*time.Second, func() bool { return env.depth(t, env.queue) == 0 })

			env.put(t, "drops/a.csv", cur("2.25")) // a new version of the same report
			waitFor(t, "the new version to replace the old", time.Minute, func() bool { return dailyCSV(out) == want("2.25") })
			env.put(t, "drops/a.csv", cur("2.25")) // the same content again: a duplicate delivery
			waitFor(t, "an empty queue after the duplicate", time.Minute, func() bool { return env.depth(t, env.queue) == 0 })
			if got := dailyCSV(out); got != want("2.25") {
				t.Errorf("after a duplicate: %q", got)
			}
			if n := env.depth(t, env.dlq); n != 0 {
				t.Errorf("%d messages in the DLQ", n)
			}
		})
	}
}

// TestStreamToProductionSinks runs the production flow whole, through
// EventBridge: totals in DynamoDB, curated files in S3, a success
// notification per committed report, and an empty queue.
func TestStreamToProductionSinks(t *testing.T) {
	env := newStreamEnv(t, viaEB)
	lake := newBucket(t, "lake")
	table := awstest.Name(t, "totals")
	topic, notices := topicWithQueue(t)
	stop := env.stream(t, "s3://"+lake+"/lake", "--totals-table", table, "--sns-topic", topic)
	defer stop()
	// The first run creates the table the stream writes to.
	if _, err := curpipe(t, "run", "--input", "../../testdata/samples/koku-aws-fixtures/input/test_cur.csv",
		"--output", t.TempDir(), "--totals-table", table, "--create-table"); err != nil {
		t.Fatal(err)
	}
	env.put(t, "drops/p.csv", cur("6.125"))
	waitFor(t, "the totals in DynamoDB", time.Minute, func() bool {
		out, err := curpipe(t, "query", "--table", table, "--from", "2024-01-05", "--to", "2024-01-05")
		return err == nil && strings.Contains(out, "2024-01-05,AWS,USD,6.125,6.125,6.125,1")
	})
	waitFor(t, "an empty queue", 30*time.Second, func() bool { return env.depth(t, env.queue) == 0 })
	c, _ := s3io.Client(context.Background())
	listed, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(lake), Prefix: aws.String("lake/curated/")})
	if err != nil || len(listed.Contents) != 1 || !strings.Contains(*listed.Contents[0].Key, "billing_period=2024-01/usage_date=2024-01-05/") {
		t.Errorf("curated files in S3: %v %+v", err, listed)
	}
	waitFor(t, "the success notification", 30*time.Second, func() bool {
		return len(notifications(t, env, notices, "p.csv 2024-01 committed: 6.125 USD")) > 0
	})
}

// TestStreamSecondReader: the queue hands a message out again after 3 s,
// and a report waits 5 s for its window to close, yet a second reader
// never gets it: the report commits once.
func TestStreamSecondReader(t *testing.T) {
	env := newStreamEnv(t, viaS3)
	out := t.TempDir()
	topic, notices := topicWithQueue(t)
	args := []string{"--window", "5s", "--sns-topic", topic}
	stopA := env.stream(t, out, append(args, "--readers", "2")...)
	defer stopA()
	stopB := env.stream(t, out, args...)
	defer stopB()
	env.put(t, "drops/slow.csv", cur("9"))
	waitFor(t, "the totals", time.Minute, func() bool { return strings.Contains(dailyCSV(out), ",9,9,9,1") })
	waitFor(t, "an empty queue", 30*time.Second, func() bool { return env.depth(t, env.queue) == 0 })
	time.Sleep(8 * time.Second) // time for a second reader's window to close, were there one
	if n := len(notifications(t, env, notices, "slow.csv 2024-01 committed")); n != 1 {
		t.Errorf("the report was committed %d times, want once", n)
	}
}

// notice is an SNS notification as the subscribed queue receives it.
type notice struct {
	Subject, Message  string
	MessageAttributes map[string]struct{ Type, Value string }
}

// drainNotices reads every notification waiting on the queue.
func drainNotices(t *testing.T, env streamEnv, queue string) []notice {
	t.Helper()
	var got []notice
	for {
		out, err := env.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue),
			MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return got
		}
		for _, m := range out.Messages {
			var n notice
			json.Unmarshal([]byte(*m.Body), &n)
			got = append(got, n)
		}
	}
}

// notifications reads the notification queue and returns the subjects
// holding want.
func notifications(t *testing.T, env streamEnv, queue, want string) []string {
	t.Helper()
	var got []string
	for _, n := range drainNotices(t, env, queue) {
		if strings.Contains(n.Subject, want) {
			got = append(got, n.Subject)
		}
	}
	return got
}

// TestStreamPoisonToDLQ: the messages of a corrupt gzip, of an unknown
// shape and of a missing object are retried, then moved to the
// dead-letter queue, with an error notification, while good reports keep
// flowing.
func TestStreamPoisonToDLQ(t *testing.T) {
	env := newStreamEnv(t, viaS3)
	out := t.TempDir()
	topic, notices := topicWithQueue(t)
	// A visibility that outlasts the window but brings failed messages
	// back soon, so that they reach the DLQ within the test.
	stop := env.stream(t, out, "--sns-topic", topic, "--visibility", "10s")
	defer stop()
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	c := cur("1")
	header, row, _ := bytes.Cut(c, []byte("\n"))
	w.Write(append(append(header, '\n'), bytes.Repeat(row, 5000)...))
	w.Close()
	env.put(t, "drops/bad.csv.gz", gz.Bytes()[:gz.Len()/2])
	env.put(t, "drops/good.csv", cur("4"))
	// A message of no known shape, and an event naming a missing object.
	missing := fmt.Sprintf(`{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","eventTime":"2024-01-05T00:00:00Z","s3":{"bucket":{"name":%q},"object":{"key":"drops/gone.csv","size":10}}}]}`, env.bucket)
	for _, body := range []string{`{"hello":"world"}`, missing} {
		if _, err := env.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(env.queue), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the good report", time.Minute, func() bool { return strings.Contains(dailyCSV(out), ",4,4,4,1") })
	waitFor(t, "the three poison messages in the DLQ", 90*time.Second, func() bool { return env.depth(t, env.dlq) == 3 })
	waitFor(t, "an empty queue", 30*time.Second, func() bool { return env.depth(t, env.queue) == 0 })
	var subjects []string
	waitFor(t, "the error notification", 30*time.Second, func() bool {
		out, err := env.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(notices), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			var n struct{ Subject, Message string }
			json.Unmarshal([]byte(*m.Body), &n)
			subjects = append(subjects, n.Subject)
			if strings.Contains(n.Subject, "bad.csv.gz") && strings.Contains(n.Subject, "FAILED") && strings.Contains(n.Message, "corrupt or truncated") {
				return true
			}
		}
		return false
	})
	t.Logf("notifications: %q", subjects)
}

// topicWithQueue makes an SNS topic and a queue subscribed to it, to read
// the notifications back.
func topicWithQueue(t *testing.T) (topicARN, queueURL string) {
	t.Helper()
	topic := awstest.Topic(t, false)
	return topic, awstest.SubscribedQueue(t, topic, false)
}

// TestStreamKilledAndRestarted stops a stream while a report's message is
// in flight and starts another: the totals end exact, nothing lost and
// nothing counted twice.
func TestStreamKilledAndRestarted(t *testing.T) {
	env := newStreamEnv(t, viaS3)
	out := t.TempDir()
	// A long window keeps the report in flight when the stream is killed; a
	// short visibility brings its message back soon after.
	stop := env.stream(t, out, "--window", "30s", "--visibility", "3s")
	env.put(t, "drops/k.csv", cur("3.5"))
	waitFor(t, "the message to be received", 30*time.Second, func() bool {
		o, _ := env.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(env.queue),
			AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessagesNotVisible"}})
		return o != nil && o.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0"
	})
	stop()
	if got := dailyCSV(out); got != "" {
		t.Fatalf("the killed stream committed: %q", got)
	}
	stop = env.stream(t, out)
	defer stop()
	waitFor(t, "the restarted stream's totals", 90*time.Second, func() bool { return strings.Contains(dailyCSV(out), ",3.5,3.5,3.5,1") })
	waitFor(t, "an empty queue", 30*time.Second, func() bool { return env.depth(t, env.queue) == 0 })
}

// TestStreamHold: with --hold-limit, a message whose report waits 5 s for
// its window, past its 2 s visibility, is held by the reader: a second
// reader never gets it, the report commits once, and the hold ends with
// the message's deletion.
func TestStreamHold(t *testing.T) {
	env := newStreamEnv(t, viaS3)
	out := t.TempDir()
	topic, notices := topicWithQueue(t)
	args := []string{"--window", "5s", "--sns-topic", topic, "--visibility", "2s", "--hold-limit", "1m"}
	stopA := env.stream(t, out, args...)
	defer stopA()
	stopB := env.stream(t, out, args...)
	defer stopB()
	env.put(t, "drops/held.csv", cur("7"))
	waitFor(t, "the totals", time.Minute, func() bool { return strings.Contains(dailyCSV(out), ",7,7,7,1") })
	waitFor(t, "an empty queue", 30*time.Second, func() bool { return env.depth(t, env.queue) == 0 })
	time.Sleep(8 * time.Second) // time for a second reader's window to close, were there one
	if n := len(notifications(t, env, notices, "held.csv 2024-01 committed")); n != 1 {
		t.Errorf("the report was committed %d times, want once", n)
	}
	if n := env.depth(t, env.dlq); n != 0 {
		t.Errorf("%d messages in the DLQ", n)
	}
}
