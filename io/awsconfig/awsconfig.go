// Package awsconfig loads the one AWS configuration every curpipe io
// package uses: the SDK's standard chain (credentials, region, profile,
// AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_<SERVICE>
// variables), so the same command works on AWS and on a local emulator,
// with a retryer sized for batch work, and the same configuration with
// the credentials of a role assumed for one source (ForRole).
package awsconfig

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
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

var (
	rolesMu sync.Mutex
	roles   = map[string]aws.Config{}
)

// SessionName names curpipe's sessions in the roles it assumes, so that
// CloudTrail says who read a payer's exports.
const SessionName = "curpipe"

// ForRole returns the process's configuration with credentials of the
// IAM role roleARN, assumed through STS with the process's own
// credentials and refreshed before they expire. One configuration per
// role is kept for the process; assuming happens on the first call that
// needs credentials, so a role that may not be assumed fails that call
// (an error naming the role), not this one.
func ForRole(ctx context.Context, roleARN string) (aws.Config, error) {
	if !strings.HasPrefix(roleARN, "arn:") || !strings.Contains(roleARN, ":role/") {
		return aws.Config{}, fmt.Errorf("%q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", roleARN)
	}
	base, err := Load(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	rolesMu.Lock()
	defer rolesMu.Unlock()
	if cfg, ok := roles[roleARN]; ok {
		return cfg, nil
	}
	cfg := base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), roleARN,
		func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = SessionName }))
	roles[roleARN] = cfg
	return cfg, nil
}
