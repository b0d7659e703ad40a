package awstest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Topic makes an SNS topic (FIFO when fifo is set), deleted when the
// test ends, and returns its ARN.
func Topic(t testing.TB, fifo bool) string {
	t.Helper()
	c := sns.NewFromConfig(Config(t))
	in := &sns.CreateTopicInput{Name: aws.String(Name(t, "t"))}
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

// SubscribedQueue makes an SQS queue (FIFO when fifo is set) subscribed
// to the topic, with SNS's JSON envelope (RawMessageDelivery false),
// deleted when the test ends, and returns its URL.
func SubscribedQueue(t testing.TB, topicARN string, fifo bool) string {
	t.Helper()
	ctx := context.Background()
	cfg := Config(t)
	q := sqs.NewFromConfig(cfg)
	in := &sqs.CreateQueueInput{QueueName: aws.String(Name(t, "q"))}
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

// Envelope is the JSON SNS wraps a message in for an SQS subscriber.
type Envelope struct {
	Type              string
	MessageID         string `json:"MessageId"`
	TopicArn          string
	Subject           string
	Message           string
	MessageAttributes map[string]struct{ Type, Value string }
}

// Notification is one message SNS delivered to a queue: the decoded
// envelope and SQS's system attributes (MessageGroupId for FIFO queues).
type Notification struct {
	Envelope
	System map[string]string
}

// Notifications reads the queue until it has want messages, then waits one more
// poll for any extra (a duplicate), and returns what it read.
func Notifications(t testing.TB, queueURL string, want int) []Notification {
	t.Helper()
	q := sqs.NewFromConfig(Config(t))
	var got []Notification
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
			var r Notification
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &r.Envelope); err != nil {
				t.Fatalf("decode SNS envelope %q: %v", aws.ToString(m.Body), err)
			}
			r.System = m.Attributes
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
