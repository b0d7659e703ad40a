package queue

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/io/sqsio"
)

func TestMain(m *testing.M) {
	code := ptest.MainRet(m)
	awstest.Stop()
	os.Exit(code)
}

// TestAck runs Ack on prism over the receipts of 13 messages (two batches
// of one queue): once the pipeline is done, none is left, visible or not.
// A receipt whose message is gone already changes nothing.
func TestAck(t *testing.T) {
	ctx := context.Background()
	c := sqs.NewFromConfig(awstest.Config(t))
	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(awstest.Name(t, "ack"))})
	if err != nil {
		t.Fatal(err)
	}
	url := aws.ToString(created.QueueUrl)
	t.Cleanup(func() { c.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: created.QueueUrl}) })
	for i := range 13 {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: created.QueueUrl, MessageBody: aws.String(strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := sqsio.Open(ctx, url, sqsio.WaitTime(time.Second), sqsio.VisibilityTimeout(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var receipts []sqsio.Receipt
	for deadline := time.Now().Add(30 * time.Second); len(receipts) < 13 && time.Now().Before(deadline); {
		msgs, err := q.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			receipts = append(receipts, sqsio.Receipt{Queue: url, ID: m.ID, ReceiptHandle: m.ReceiptHandle})
		}
	}
	if len(receipts) != 13 {
		t.Fatalf("received %d messages, want 13", len(receipts))
	}
	receipts = append(receipts, receipts[0]) // acknowledged twice

	p, s := beam.NewPipelineWithRoot()
	Ack(s, beam.CreateList(s, receipts))
	ptest.RunAndValidate(t, p)

	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: created.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
		sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible} {
		if n := attrs.Attributes[string(a)]; n != "0" {
			t.Errorf("%s = %s after Ack, want 0", a, n)
		}
	}
}

// TestReadOptions: options out of range are an error when the graph is
// built, not when a worker starts.
func TestReadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts ReadOptions
		ok   bool
	}{
		{"defaults", ReadOptions{}, true},
		{"all set", ReadOptions{BatchSize: 10, Wait: 20 * time.Second, Visibility: time.Hour, Readers: 64}, true},
		{"batch of 11", ReadOptions{BatchSize: 11}, false},
		{"a wait of 21 s", ReadOptions{Wait: 21 * time.Second}, false},
		{"65 readers", ReadOptions{Readers: 65}, false},
		{"a visibility of 13 h", ReadOptions{Visibility: 13 * time.Hour}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, s := beam.NewPipelineWithRoot()
			_, err := Read(s, "https://sqs.us-east-1.amazonaws.com/123456789012/q", tc.opts)
			if (err == nil) != tc.ok {
				t.Errorf("Read: %v, want ok=%t", err, tc.ok)
			}
		})
	}
}
