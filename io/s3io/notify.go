package s3io

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BucketNotifications is where a bucket sends its events.
type BucketNotifications struct {
	// EventBridge is on: every event goes to the account's default bus.
	EventBridge bool
	// Queues and Topics are the ARNs of the SQS queues and SNS topics that
	// the bucket notifies directly.
	Queues, Topics []string
}

// Notifications reads where the bucket sends its events, which is how a
// stream learns of new exports.
func Notifications(ctx context.Context, bucket string) (BucketNotifications, error) {
	c, err := Client(ctx)
	if err != nil {
		return BucketNotifications{}, err
	}
	out, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return BucketNotifications{}, fmt.Errorf("bucket %s: notification configuration: %w", bucket, classify(err))
	}
	n := BucketNotifications{EventBridge: out.EventBridgeConfiguration != nil}
	for _, q := range out.QueueConfigurations {
		n.Queues = append(n.Queues, aws.ToString(q.QueueArn))
	}
	for _, t := range out.TopicConfigurations {
		n.Topics = append(n.Topics, aws.ToString(t.TopicArn))
	}
	return n, nil
}
