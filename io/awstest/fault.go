package awstest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is how a Proxy answers while it is failing.
type Fault int

// The faults a Proxy injects.
const (
	// Unavailable answers 503 with AWS's ServiceUnavailable error.
	Unavailable Fault = iota
	// Throttle answers 400 with a ThrottlingException (DynamoDB, SNS
	// and S3 all retry it as throttling).
	Throttle
	// Drop closes the connection without an answer.
	Drop
)

// Proxy stands between the SDK and the test endpoint and fails every
// request for the periods a test asks: an outage of one service, seen by
// the code under test exactly as a real one is.
type Proxy struct {
	URL    string
	mu     sync.Mutex
	until  time.Time
	fault  Fault
	failed atomic.Int64
}

// NewProxy starts a proxy to the test endpoint, closed when the test ends.
// Point one service at it with AWS_ENDPOINT_URL_<SERVICE>.
func NewProxy(t testing.TB) *Proxy {
	t.Helper()
	target, err := url.Parse(Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fault, ok := p.failing(); ok {
			p.failed.Add(1)
			switch fault {
			case Drop:
				if hj, ok := w.(http.Hijacker); ok {
					if conn, _, err := hj.Hijack(); err == nil {
						conn.Close()
						return
					}
				}
				w.WriteHeader(http.StatusBadGateway)
			case Throttle:
				awsError(w, r, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
			default:
				awsError(w, r, http.StatusServiceUnavailable, "ServiceUnavailable", "Service unavailable")
			}
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// Fail makes the proxy answer every request with fault for d from now.
func (p *Proxy) Fail(fault Fault, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault, p.until = fault, time.Now().Add(d)
}

// Failed returns how many requests the proxy has failed.
func (p *Proxy) Failed() int64 { return p.failed.Load() }

func (p *Proxy) failing() (Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fault, time.Now().Before(p.until)
}

// awsError writes an error in the protocol the request speaks: JSON for
// the services that take an X-Amz-Target (DynamoDB), the query protocol's
// ErrorResponse for form posts (SNS), S3's REST-XML otherwise.
func awsError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":"com.amazonaws.fault#%s","message":%q}`, code, msg)
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fault</RequestId></ErrorResponse>", code, msg)
	default:
		if code == "ThrottlingException" { // S3's name for it
			status, code = http.StatusServiceUnavailable, "SlowDown"
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message><RequestId>fault</RequestId></Error>", code, msg)
	}
}
