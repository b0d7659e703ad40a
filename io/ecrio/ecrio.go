// Package ecrio authenticates to Amazon ECR registries, so that curpipe's
// image can be pushed to the repository the deployment creates without a
// container engine or `aws ecr get-login-password`.
package ecrio

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/curpipe/curpipe/io/awsconfig"
)

// hostPattern matches a private ECR registry's host and captures its
// account and region: 123456789012.dkr.ecr.us-east-1.amazonaws.com.
var hostPattern = regexp.MustCompile(`^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$`)

// IsRegistry reports whether host is a private ECR registry.
func IsRegistry(host string) bool { return hostPattern.MatchString(host) }

// Login returns the user name and password of a registry's Basic
// authentication: ECR's authorization token, valid 12 hours, got with
// the process's AWS credentials (awsconfig.Load) in the registry's
// region.
func Login(ctx context.Context, host string) (user, password string, err error) {
	m := hostPattern.FindStringSubmatch(host)
	if m == nil {
		return "", "", fmt.Errorf("ecrio: %s is not an ECR registry (ACCOUNT.dkr.ecr.REGION.amazonaws.com)", host)
	}
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return "", "", fmt.Errorf("ecrio: %w", err)
	}
	cfg.Region = m[2]
	return login(ctx, ecr.NewFromConfig(cfg), m[1])
}

// tokenAPI is the call Login makes.
type tokenAPI interface {
	GetAuthorizationToken(context.Context, *ecr.GetAuthorizationTokenInput, ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error)
}

func login(ctx context.Context, api tokenAPI, account string) (user, password string, err error) {
	out, err := api.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{RegistryIds: []string{account}})
	if err != nil {
		return "", "", fmt.Errorf("ecrio: authorization token of registry %s (the caller needs ecr:GetAuthorizationToken): %w", account, err)
	}
	if len(out.AuthorizationData) == 0 {
		return "", "", errors.New("ecrio: ECR returned no authorization data")
	}
	return decodeToken(aws.ToString(out.AuthorizationData[0].AuthorizationToken))
}

// decodeToken splits ECR's token, base64 of "user:password".
func decodeToken(token string) (user, password string, err error) {
	b, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return "", "", fmt.Errorf("ecrio: authorization token: %w", err)
	}
	user, password, ok := strings.Cut(string(b), ":")
	if !ok || user == "" {
		return "", "", errors.New("ecrio: authorization token is not user:password")
	}
	return user, password, nil
}
