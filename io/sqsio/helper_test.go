package sqsio

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/curpipe/curpipe/io/awsretry"
	"github.com/curpipe/curpipe/io/awstest"
)

var ctx = context.Background()

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	os.Exit(code)
}

// awsConfig points the SDK at moto and returns the configuration Open uses.
func awsConfig(t *testing.T) aws.Config {
	t.Helper()
	return awstest.Config(t)
}

func sqsClient(t *testing.T) *sqs.Client { return sqs.NewFromConfig(awsConfig(t)) }

// createQueue makes a queue with the given visibility timeout and, when
// maxReceive > 0, a dead-letter queue and redrive policy. Both go after the
// test.
func createQueue(t *testing.T, visibility time.Duration, maxReceive int) (url, dlqURL string) {
	t.Helper()
	c := sqsClient(t)
	attrs := map[string]string{"VisibilityTimeout": strconv.Itoa(int(visibility / time.Second))}
	if maxReceive > 0 {
		dlqURL = makeQueue(t, c, awstest.Name(t, "dlq"), nil)
		attrs["RedrivePolicy"] = fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"%d"}`, queueARN(t, dlqURL), maxReceive)
	}
	return makeQueue(t, c, awstest.Name(t, "q"), attrs), dlqURL
}

func makeQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	t.Cleanup(func() { c.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: out.QueueUrl}) })
	return aws.ToString(out.QueueUrl)
}

func queueARN(t *testing.T, url string) string {
	t.Helper()
	out, err := sqsClient(t).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("queue ARN: %v", err)
	}
	return out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}

func sendBody(t *testing.T, url, body string) {
	t.Helper()
	if _, err := sqsClient(t).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// testBackoff keeps the waits short: the retries, not the waits, are under test.
var testBackoff = awsretry.Backoff{Base: 10 * time.Millisecond, Max: 100 * time.Millisecond, Jitter: awsretry.Equal}

// openQueue opens url with one-second polls and short backoff.
func openQueue(t *testing.T, url string, opts ...OptionFn) *Queue {
	t.Helper()
	awsConfig(t)
	q, err := Open(ctx, url, append([]OptionFn{WaitTime(time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	q.backoff = testBackoff
	return q
}

// receiveN receives until it has n messages or within has passed.
func receiveN(t *testing.T, q *Queue, n int, within time.Duration) []Message {
	t.Helper()
	var got []Message
	for deadline := time.Now().Add(within); len(got) < n && time.Now().Before(deadline); {
		msgs, err := q.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, msgs...)
	}
	if len(got) != n {
		t.Fatalf("received %d messages from %s within %s, want %d", len(got), q.URL(), within, n)
	}
	return got
}

// receiveEvents receives n messages and decodes them.
func receiveEvents(t *testing.T, q *Queue, n int) []Event {
	t.Helper()
	var evs []Event
	for _, m := range receiveN(t, q, n, 10*time.Second) {
		ev, err := Decode(m.Body)
		if err != nil {
			t.Fatalf("decode %s: %v", m.Body, err)
		}
		t.Logf("%s -> %v %+v %s", m.Body, ev.Kind, ev.Objects, ev.Reason)
		evs = append(evs, ev)
	}
	return evs
}

func s3Client(t *testing.T) *s3.Client {
	return s3.NewFromConfig(awsConfig(t), func(o *s3.Options) { o.UsePathStyle = true })
}

// createBucket makes a bucket with the notification configuration and
// empties and deletes it after the test.
func createBucket(t *testing.T, notify *s3types.NotificationConfiguration) string {
	t.Helper()
	c, name := s3Client(t), awstest.Name(t, "b")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	t.Cleanup(func() {
		out, _ := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(name)})
		for _, o := range out.Contents {
			c.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(name), Key: o.Key})
		}
		c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String(name)})
	})
	_, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(name), NotificationConfiguration: notify})
	if err != nil {
		t.Fatalf("put bucket notification: %v", err)
	}
	return name
}

func putObject(t *testing.T, bucket, key, body string) {
	t.Helper()
	_, err := s3Client(t).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("put s3://%s/%s: %v", bucket, key, err)
	}
}

func createTopic(t *testing.T) string {
	t.Helper()
	c := sns.NewFromConfig(awsConfig(t))
	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(awstest.Name(t, "t"))})
	if err != nil {
		t.Fatalf("create topic: %v", err)
	}
	t.Cleanup(func() { c.DeleteTopic(context.Background(), &sns.DeleteTopicInput{TopicArn: out.TopicArn}) })
	return aws.ToString(out.TopicArn)
}

// subscribe subscribes the queue to the topic, with SNS's JSON envelope
// unless raw.
func subscribe(t *testing.T, topicARN, queueURL string, raw bool) {
	t.Helper()
	_, err := sns.NewFromConfig(awsConfig(t)).Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: aws.String(topicARN), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN(t, queueURL)),
		Attributes: map[string]string{"RawMessageDelivery": strconv.FormatBool(raw)},
	})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
}

// eventBridge makes one EventBridge call. go.mod does not require the
// EventBridge SDK, so this speaks its JSON protocol, signed with SigV4.
func eventBridge(t *testing.T, action string, in any) map[string]any {
	t.Helper()
	cfg := awsConfig(t)
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(awstest.Endpoint(t), "/")+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSEvents."+action)
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "events", cfg.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("EventBridge %s: %v", action, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("EventBridge %s: %s: %s", action, resp.Status, out)
	}
	var m map[string]any
	if len(out) > 0 {
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("EventBridge %s answer %s: %v", action, out, err)
		}
	}
	return m
}

// ruleToQueue puts a rule with the pattern on the default bus, targeting
// the queue, and removes it after the test.
func ruleToQueue(t *testing.T, pattern, queueURL string) {
	t.Helper()
	name := awstest.Name(t, "r")
	eventBridge(t, "PutRule", map[string]any{"Name": name, "EventPattern": pattern, "State": "ENABLED"})
	eventBridge(t, "PutTargets", map[string]any{"Rule": name, "Targets": []map[string]string{{"Id": "queue", "Arn": queueARN(t, queueURL)}}})
	t.Cleanup(func() {
		eventBridge(t, "RemoveTargets", map[string]any{"Rule": name, "Ids": []string{"queue"}})
		eventBridge(t, "DeleteRule", map[string]any{"Name": name})
	})
}

// faultyQueue opens url with SQS calls through the proxy and the SDK's own
// retries cut to one attempt, so that tests see this package's retries.
func faultyQueue(t *testing.T, url string, p *awstest.Proxy) *Queue {
	t.Helper()
	c := sqs.NewFromConfig(awsConfig(t), func(o *sqs.Options) {
		o.BaseEndpoint = aws.String(p.URL)
		o.RetryMaxAttempts = 1
	})
	q, err := newQueue(c, url, []OptionFn{WaitTime(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	q.backoff = testBackoff
	return q
}
