// Package awsconfig loads the one AWS configuration every curpipe io
// package uses: the SDK's standard chain (credentials, region, profile,
// AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_<SERVICE>
// variables), so the same command works on AWS and on a local emulator,
// with a retryer sized for batch work.
package awsconfig

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
)

// MaxAttempts bounds the SDK's retries of throttled and 5xx calls. The
// standard retryer's 3 gives up too early for a long backfill.
const MaxAttempts = 10

var (
	once   sync.Once
	cached aws.Config
	errCfg error
)

// Load returns the process's AWS configuration, loaded once.
func Load(ctx context.Context) (aws.Config, error) {
	once.Do(func() {
		cached, errCfg = config.LoadDefaultConfig(ctx,
			config.WithRetryer(func() aws.Retryer {
				return retry.NewStandard(func(o *retry.StandardOptions) {
					o.MaxAttempts = MaxAttempts
					o.MaxBackoff = 20 * time.Second
				})
			}))
		if errCfg != nil {
			errCfg = fmt.Errorf("load AWS configuration: %w", errCfg)
		}
	})
	return cached, errCfg
}

// CustomEndpoint reports whether an endpoint override is configured for
// the service (its AWS_ENDPOINT_URL_<SERVICE> variable, e.g. "S3"), or for
// all services. Emulators want path-style S3 addressing then.
func CustomEndpoint(service string) bool {
	return os.Getenv("AWS_ENDPOINT_URL_"+service) != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
}
