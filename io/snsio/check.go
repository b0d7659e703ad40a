package snsio

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/curpipe/curpipe/io/awsconfig"
)

var (
	// ErrTopicNotFound marks errors for a topic that does not exist, or not
	// in the ARN's region and account.
	ErrTopicNotFound = errors.New("SNS topic not found")
	// ErrNotPermitted marks errors for a call the credentials may not make.
	ErrNotPermitted = errors.New("not permitted")
)

// topicAttributesAPI lists the SNS call CheckTopic makes.
type topicAttributesAPI interface {
	GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, optFns ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error)
}

// CheckTopic reports whether the topic exists and the credentials may read
// it (sns:GetTopicAttributes), for `curpipe validate`. Its errors say which
// case applies and wrap ErrTopicNotFound or ErrNotPermitted. Note that
// publishing needs sns:Publish, which this does not prove.
func CheckTopic(ctx context.Context, topicARN string) error {
	if _, err := topicName(topicARN); err != nil {
		return fmt.Errorf("snsio: check topic: %w", err)
	}
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return fmt.Errorf("snsio: check topic %s: %w", topicARN, err)
	}
	return checkTopic(ctx, sns.NewFromConfig(cfg), topicARN)
}

func checkTopic(ctx context.Context, c topicAttributesAPI, topicARN string) error {
	_, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topicARN)})
	if err != nil {
		return fmt.Errorf("snsio: check topic %s: %w", topicARN, classify(err))
	}
	return nil
}

// classify puts a sentinel and a plain reason in front of SNS's answer when
// the topic is missing or the call was refused, keeping the answer wrapped.
func classify(err error) error {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	switch apiErr.ErrorCode() {
	case "NotFound", "NotFoundException", "ResourceNotFound":
		return fmt.Errorf("%w (check the ARN's name, region and account): %w", ErrTopicNotFound, err)
	case "AuthorizationError", "AccessDenied", "AccessDeniedException", "KMSAccessDenied":
		return fmt.Errorf("%w: the credentials may not use this topic (check the IAM policy and the topic's access policy): %w",
			ErrNotPermitted, err)
	}
	return err
}

// topicName returns the topic's name from its ARN, checking the ARN's form
// so that a typo fails with its reason rather than as SNS's generic 400.
func topicName(topicARN string) (string, error) {
	a, err := arn.Parse(topicARN)
	if err != nil {
		return "", fmt.Errorf("topic ARN %q: %w", topicARN, err)
	}
	if a.Service != "sns" || a.Resource == "" || strings.Contains(a.Resource, ":") {
		return "", fmt.Errorf("topic ARN %q: want arn:<partition>:sns:<region>:<account>:<topic>", topicARN)
	}
	return a.Resource, nil
}

// isFIFO reports whether the topic is a FIFO topic: SNS requires their
// names, and only theirs, to end in ".fifo".
func isFIFO(name string) bool { return strings.HasSuffix(name, ".fifo") }

// Subscribes reports whether the endpoint (a queue's ARN, say) is
// subscribed to the topic, for `curpipe validate` to follow a bucket's
// events through a topic to the stream's queue.
func Subscribes(ctx context.Context, topicARN, endpoint string) (bool, error) {
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return false, fmt.Errorf("snsio: subscriptions of %s: %w", topicARN, err)
	}
	c := sns.NewFromConfig(cfg)
	p := sns.NewListSubscriptionsByTopicPaginator(c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("snsio: subscriptions of %s: %w", topicARN, classify(err))
		}
		for _, s := range out.Subscriptions {
			if aws.ToString(s.Endpoint) == endpoint {
				return true, nil
			}
		}
	}
	return false, nil
}
