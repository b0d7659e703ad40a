// Package awstest gives tests a real AWS-compatible endpoint: the moto
// server named by AWS_ENDPOINT_URL, or one it starts from moto_server on
// the PATH. Under CI=true a missing endpoint fails the test; elsewhere it
// skips it, so a laptop without moto can still run the rest.
package awstest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/curpipe/curpipe/io/awsconfig"
)

var (
	once     sync.Once
	endpoint string
	startErr error
	server   *exec.Cmd
)

// Endpoint returns the endpoint URL and sets the SDK's environment
// (endpoint, region, dummy credentials) for the rest of the test binary.
func Endpoint(t testing.TB) string {
	t.Helper()
	once.Do(func() { endpoint, startErr = setup() })
	if startErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no AWS endpoint for this test (CI=true requires one): %v", startErr)
		}
		t.Skipf("no AWS endpoint (set AWS_ENDPOINT_URL or put moto_server on PATH): %v", startErr)
	}
	return endpoint
}

// Config returns the process's AWS configuration, pointed at the test
// endpoint: what the io packages use, for tests that build clients.
func Config(t testing.TB) aws.Config {
	t.Helper()
	Endpoint(t)
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Stop ends a moto server this package started. Call it from TestMain.
func Stop() {
	if server != nil && server.Process != nil {
		server.Process.Kill()
		server.Wait()
	}
}

func setup() (string, error) {
	if os.Getenv("AWS_REGION") == "" {
		os.Setenv("AWS_REGION", "us-east-1")
	}
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		os.Setenv("AWS_ACCESS_KEY_ID", "testing")
		os.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	}
	if u := os.Getenv("AWS_ENDPOINT_URL"); u != "" {
		if err := ping(u); err != nil {
			return "", fmt.Errorf("AWS_ENDPOINT_URL=%s: %w", u, err)
		}
		return u, nil
	}
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return "", fmt.Errorf("AWS_ENDPOINT_URL is unset and moto_server is not on PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	server = exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := server.Start(); err != nil {
		return "", fmt.Errorf("start moto_server: %w", err)
	}
	u := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err = ping(u); err == nil {
			break
		}
		if time.Now().After(deadline) {
			Stop()
			return "", fmt.Errorf("moto_server did not answer on %s: %w", u, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	os.Setenv("AWS_ENDPOINT_URL", u)
	return u, nil
}

func ping(u string) error {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(strings.TrimSuffix(u, "/") + "/moto-api/")
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// Name returns a resource name unique to the test, valid for buckets,
// tables, queues and topics.
func Name(t testing.TB, prefix string) string {
	s := strings.ToLower(prefix + "-" + t.Name())
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, s)
	s = fmt.Sprintf("%s-%d", s, time.Now().UnixNano()%1e9)
	if len(s) > 63 {
		s = s[len(s)-63:]
		s = strings.TrimLeft(s, "-")
	}
	return s
}
