package snsio

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/curpipe/curpipe/io/awstest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	os.Exit(code)
}

// awsConfig points the SDK at moto and returns the configuration New uses.
func awsConfig(t *testing.T) aws.Config {
	t.Helper()
	return awstest.Config(t)
}

// createTopic makes a topic (FIFO when fifo is set) and deletes it after
// the test.
func createTopic(t *testing.T, fifo bool) string {
	t.Helper()
	c := sns.NewFromConfig(awsConfig(t))
	in := &sns.CreateTopicInput{Name: aws.String(awstest.Name(t, "t"))}
	if fifo {
		in.Name = aws.String(*in.Name + ".fifo")
		in.Attributes = map[string]string{"FifoTopic": "true"}
	}
	out, err := c.CreateTopic(context.Background(), in)
	if err != nil {
		t.Fatalf("create topic: %v", err)
	}
	t.Cleanup(func() {
		c.DeleteTopic(context.Background(), &sns.DeleteTopicInput{TopicArn: out.TopicArn})
	})
	return aws.ToString(out.TopicArn)
}

// subscribeQueue makes a queue subscribed to the topic, with SNS's JSON
// envelope (RawMessageDelivery false), and returns its URL.
func subscribeQueue(t *testing.T, topicARN string, fifo bool) string {
	t.Helper()
	ctx := context.Background()
	cfg := awsConfig(t)
	q := sqs.NewFromConfig(cfg)
	in := &sqs.CreateQueueInput{QueueName: aws.String(awstest.Name(t, "q"))}
	if fifo {
		in.QueueName = aws.String(*in.QueueName + ".fifo")
		in.Attributes = map[string]string{"FifoQueue": "true"}
	}
	created, err := q.CreateQueue(ctx, in)
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	t.Cleanup(func() { q.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: created.QueueUrl}) })
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       created.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("queue attributes: %v", err)
	}
	_, err = sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{
		TopicArn:   aws.String(topicARN),
		Protocol:   aws.String("sqs"),
		Endpoint:   aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]),
		Attributes: map[string]string{"RawMessageDelivery": "false"},
	})
	if err != nil {
		t.Fatalf("subscribe queue: %v", err)
	}
	return aws.ToString(created.QueueUrl)
}

// envelope is the JSON SNS wraps a message in for an SQS subscriber.
type envelope struct {
	Type              string
	MessageID         string `json:"MessageId"`
	TopicArn          string
	Subject           string
	Message           string
	MessageAttributes map[string]struct{ Type, Value string }
}

// received is one queue message: the decoded envelope and SQS's system
// attributes (MessageGroupId for FIFO queues).
type received struct {
	envelope
	system map[string]string
}

// receiveAll reads the queue until it has want messages, then waits one more
// poll for any extra (a duplicate), and returns what it read.
func receiveAll(t *testing.T, queueURL string, want int) []received {
	t.Helper()
	q := sqs.NewFromConfig(awsConfig(t))
	var got []received
	deadline := time.Now().Add(15 * time.Second)
	for extra := false; ; {
		out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(queueURL),
			MaxNumberOfMessages:         10,
			WaitTimeSeconds:             1,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		for _, m := range out.Messages {
			var r received
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &r.envelope); err != nil {
				t.Fatalf("decode SNS envelope %q: %v", aws.ToString(m.Body), err)
			}
			r.system = m.Attributes
			got = append(got, r)
		}
		switch {
		case extra:
			return got
		case len(got) >= want:
			extra = true
		case time.Now().After(deadline):
			t.Fatalf("read %d messages from %s, want %d", len(got), queueURL, want)
		}
	}
}

// faultTransport fails the first failures calls of one SNS action (all of
// them when failures is negative) with a canned response, and passes every
// other request to moto.
type faultTransport struct {
	action    string
	status    int
	body      string
	remaining atomic.Int32
	forever   bool
	calls     atomic.Int32 // calls of action, failed or not
}

func newFaultTransport(action string, failures int, status int, code string) *faultTransport {
	ft := &faultTransport{action: action, status: status, forever: failures < 0, body: queryError(code)}
	ft.remaining.Store(int32(failures))
	return ft
}

// queryError is an error body in SNS's protocol (AWS query, XML).
func queryError(code string) string {
	return fmt.Sprintf(`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">`+
		`<Error><Type>Sender</Type><Code>%s</Code><Message>injected by test</Message></Error>`+
		`<RequestId>injected</RequestId></ErrorResponse>`, code)
}

func (ft *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	if form.Get("Action") != ft.action {
		return http.DefaultTransport.RoundTrip(r)
	}
	ft.calls.Add(1)
	if !ft.forever && ft.remaining.Add(-1) < 0 {
		return http.DefaultTransport.RoundTrip(r)
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", ft.status, http.StatusText(ft.status)),
		StatusCode:    ft.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"text/xml"}, "X-Amzn-Requestid": {"injected"}},
		Body:          io.NopCloser(strings.NewReader(ft.body)),
		ContentLength: int64(len(ft.body)),
		Request:       r,
	}, nil
}

// faultyOptions sends the SNS client's HTTP calls through ft (when not
// nil) and cuts the SDK's retryer to two quick attempts, so that tests see
// Publish's own retries and run fast.
func faultyOptions(ft *faultTransport) func(*sns.Options) {
	return func(o *sns.Options) {
		if ft != nil {
			o.HTTPClient = &http.Client{Transport: ft}
		}
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 2
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
				return time.Millisecond, nil
			})
		})
	}
}

// faultyPublisher is a Publisher built with faultyOptions and a short
// backoff of its own.
func faultyPublisher(t *testing.T, topicARN string, ft *faultTransport, opts ...OptionFn) *Publisher {
	t.Helper()
	p, err := newPublisher(awsConfig(t), topicARN, opts, faultyOptions(ft))
	if err != nil {
		t.Fatal(err)
	}
	p.minBackoff, p.maxBackoff = 10*time.Millisecond, 100*time.Millisecond
	return p
}
