package snsio

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
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

// faultTransport fails the first failures calls of one SNS action (all of
// them when failures is negative) with a canned response, and passes every
// other request to moto.
type faultTransport struct {
	action    string
	status    int
	body      string
	remaining atomic.Int32
	forever   bool
	calls     atomic.Int32 // calls of action, failed or not
}

func newFaultTransport(action string, failures int, status int, code string) *faultTransport {
	ft := &faultTransport{action: action, status: status, forever: failures < 0, body: queryError(code)}
	ft.remaining.Store(int32(failures))
	return ft
}

// queryError is an error body in SNS's protocol (AWS query, XML).
func queryError(code string) string {
	return fmt.Sprintf(`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">`+
		`<Error><Type>Sender</Type><Code>%s</Code><Message>injected by test</Message></Error>`+
		`<RequestId>injected</RequestId></ErrorResponse>`, code)
}

func (ft *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	if form.Get("Action") != ft.action {
		return http.DefaultTransport.RoundTrip(r)
	}
	ft.calls.Add(1)
	if !ft.forever && ft.remaining.Add(-1) < 0 {
		return http.DefaultTransport.RoundTrip(r)
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", ft.status, http.StatusText(ft.status)),
		StatusCode:    ft.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"text/xml"}, "X-Amzn-Requestid": {"injected"}},
		Body:          io.NopCloser(strings.NewReader(ft.body)),
		ContentLength: int64(len(ft.body)),
		Request:       r,
	}, nil
}

// faultyOptions sends the SNS client's HTTP calls through ft (when not
// nil) and cuts the SDK's retryer to two quick attempts, so that tests see
// Publish's own retries and run fast.
func faultyOptions(ft *faultTransport) func(*sns.Options) {
	return func(o *sns.Options) {
		if ft != nil {
			o.HTTPClient = &http.Client{Transport: ft}
		}
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
func faultyPublisher(t *testing.T, topicARN string, ft *faultTransport, opts ...OptionFn) *Publisher {
	t.Helper()
	p, err := newPublisher(awsConfig(t), topicARN, opts, faultyOptions(ft))
	if err != nil {
		t.Fatal(err)
	}
	p.backoff = awsretry.Backoff{Base: 10 * time.Millisecond, Max: 100 * time.Millisecond, Jitter: awsretry.Equal}
	return p
}
