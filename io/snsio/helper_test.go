package snsio

import (
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/curpipe/curpipe/io/awsretry"
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

// faultyOptions sends the SNS client's calls through the proxy and cuts
// the SDK's retryer to two quick attempts, so that tests see Publish's own
// retries and run fast.
func faultyOptions(p *awstest.Proxy) func(*sns.Options) {
	return func(o *sns.Options) {
		o.BaseEndpoint = aws.String(p.URL)
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
func faultyPublisher(t *testing.T, topicARN string, p *awstest.Proxy, opts ...OptionFn) *Publisher {
	t.Helper()
	pub, err := newPublisher(awsConfig(t), topicARN, opts, faultyOptions(p))
	if err != nil {
		t.Fatal(err)
	}
	pub.backoff = awsretry.Backoff{Base: 10 * time.Millisecond, Max: 100 * time.Millisecond, Jitter: awsretry.Equal}
	return pub
}
