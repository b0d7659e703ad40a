package ecrio

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/curpipe/curpipe/io/awstest"
)

func TestIsRegistry(t *testing.T) {
	for host, want := range map[string]bool{
		"123456789012.dkr.ecr.us-east-1.amazonaws.com":          true,
		"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com": true,
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn":      true,
		"public.ecr.aws":                        false,
		"ghcr.io":                               false,
		"12345.dkr.ecr.us-east-1.amazonaws.com": false,
	} {
		if got := IsRegistry(host); got != want {
			t.Errorf("IsRegistry(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestDecodeToken(t *testing.T) {
	for _, tc := range []struct {
		token, user, password string
		ok                    bool
	}{
		{"QVdTOnNlY3JldA==", "AWS", "secret", true},  // AWS:secret
		{"QVdTOnNlOmNyZXQ=", "AWS", "se:cret", true}, // AWS:se:cret
		{"bm9jb2xvbg==", "", "", false},              // nocolon
		{"!!", "", "", false},
	} {
		user, password, err := decodeToken(tc.token)
		if (err == nil) != tc.ok || user != tc.user || password != tc.password {
			t.Errorf("decodeToken(%q) = %q, %q, %v", tc.token, user, password, err)
		}
	}
}

// TestLogin gets a token from moto's ECR and decodes it.
func TestLogin(t *testing.T) {
	cfg := awstest.Config(t)
	user, password, err := login(context.Background(), ecr.NewFromConfig(cfg), "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	if user != "AWS" || password == "" {
		t.Errorf("login = %q, %q; want AWS and a password", user, password)
	}
	if _, _, err := Login(context.Background(), "ghcr.io"); err == nil {
		t.Error("Login to a registry that is not ECR: no error")
	}
}
