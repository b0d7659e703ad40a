package queue

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/io/sqsio"
)

func init() {
	register.Function1x0(recordDelivery)
}

// read holds the bodies recordDelivery saw: prism runs the test's workers
// in this process.
var read struct {
	sync.Mutex
	bodies []string
}

func recordDelivery(d sqsio.Delivery) {
	read.Lock()
	defer read.Unlock()
	read.bodies = append(read.bodies, string(d.Body))
}

// TestRead runs Read on prism, unbounded, over a queue of 7 messages until
// each has come through, then cancels the job: every message is read once
// (its visibility outlasts the test) and left on the queue for Ack.
func TestRead(t *testing.T) {
	ctx := context.Background()
	c := sqs.NewFromConfig(awstest.Config(t))
	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(awstest.Name(t, "read"))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: created.QueueUrl}) })
	var want []string
	for i := range 7 {
		body := "message " + strconv.Itoa(i)
		want = append(want, body)
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: created.QueueUrl, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}

	p, s := beam.NewPipelineWithRoot()
	msgs, err := Read(s, aws.ToString(created.QueueUrl), ReadOptions{BatchSize: 3, Wait: time.Second, Visibility: 10 * time.Minute, Readers: 2})
	if err != nil {
		t.Fatal(err)
	}
	beam.ParDo0(s, recordDelivery, msgs)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := beam.Run(runCtx, "prism", p)
		done <- err
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		read.Lock()
		n := len(read.bodies)
		read.Unlock()
		if n >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // a duplicate, were there one, arrives meanwhile
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Error("the job did not end within 30 s of its cancellation")
	}

	read.Lock()
	got := slices.Clone(read.bodies)
	read.Unlock()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("read %q, want each of %q once", got, want)
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: created.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	if n := attrs.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)]; n != "7" {
		t.Errorf("%s messages in flight after Read, want the 7 left for Ack", n)
	}
}
