package awstest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestReadAction(t *testing.T) {
	tests := []struct {
		name   string
		req    func() *http.Request
		action string
	}{
		{"DynamoDB", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.TransactWriteItems")
			return r
		}, "TransactWriteItems"},
		{"SQS", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "AmazonSQS.ReceiveMessage")
			return r
		}, "ReceiveMessage"},
		{"SNS", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=Publish&Version=2010-03-31"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			return r
		}, "Publish"},
		{"S3", func() *http.Request {
			return httptest.NewRequest(http.MethodPut, "/bucket/key", strings.NewReader("Action=Publish"))
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req()
			action, err := readAction(r)
			if err != nil || action != tc.action {
				t.Fatalf("readAction = %q, %v; want %q", action, err, tc.action)
			}
			// The endpoint still gets the whole body.
			if b, err := io.ReadAll(r.Body); err != nil || len(b) == 0 {
				t.Errorf("body after readAction: %q, %v", b, err)
			}
		})
	}
}

// TestFailCalls checks which calls a Proxy fails and what it counts.
func TestFailCalls(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		outage bool   // Fail for an hour as well
		want   string // per call of the action: x failed, . passed on
	}{
		{"none", 0, false, "....."},
		{"first two", 2, false, "xx..."},
		{"all", -1, false, "xxxxx"},
		{"an outage first", 0, true, "xxxxx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Proxy{rules: map[string]*rule{}, calls: map[string]int64{}}
			p.FailCalls("Query", tc.n, Error(http.StatusServiceUnavailable, "ServiceUnavailable"))
			if tc.outage {
				p.Fail(Unavailable, time.Hour)
			}
			var got strings.Builder
			for range len(tc.want) {
				if p.answer("Query") != nil {
					got.WriteByte('x')
				} else {
					got.WriteByte('.')
				}
			}
			if got.String() != tc.want {
				t.Errorf("calls %s, want %s", got.String(), tc.want)
			}
			if n := p.Calls("Query"); n != int64(len(tc.want)) {
				t.Errorf("Calls = %d, want %d", n, len(tc.want))
			}
			if tc.outage {
				return
			}
			if p.answer("GetItem") != nil {
				t.Error("a call of another action failed")
			}
		})
	}
}
