package awstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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

// Answer writes the response to a call a Proxy fails.
type Answer func(w http.ResponseWriter, r *http.Request)

// Proxy stands between the SDK and the test endpoint and fails the
// requests a test asks for: every request for a period (Fail), an outage
// of one service seen by the code under test exactly as a real one is, or
// some calls of one action (FailCalls), for tests of a client's retries.
type Proxy struct {
	URL    string
	mu     sync.Mutex
	until  time.Time
	fault  Fault
	rules  map[string]*rule // by action
	calls  map[string]int64 // by action
	failed atomic.Int64
}

// rule fails calls of one action.
type rule struct {
	left   int // calls still to fail; negative: all
	answer Answer
}

// NewProxy starts a proxy to the test endpoint, closed when the test ends.
// Point one service at it with AWS_ENDPOINT_URL_<SERVICE>, or one client
// with its BaseEndpoint option.
func NewProxy(t testing.TB) *Proxy {
	t.Helper()
	target, err := url.Parse(Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{rules: map[string]*rule{}, calls: map[string]int64{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action, err := readAction(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		answer := p.answer(action)
		if answer == nil {
			rp.ServeHTTP(w, r)
			return
		}
		p.failed.Add(1)
		answer(w, r)
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

// FailCalls makes the proxy answer the next n calls of action (every call
// when n is negative) with answer, and pass the others on. It replaces an
// earlier FailCalls for the same action. The action is the operation's
// name as the request gives it: the end of its X-Amz-Target (DynamoDB,
// SQS) or its form's Action (SNS); S3's requests name none.
func (p *Proxy) FailCalls(action string, n int, answer Answer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules[action] = &rule{left: n, answer: answer}
}

// Failed returns how many requests the proxy has failed.
func (p *Proxy) Failed() int64 { return p.failed.Load() }

// Calls returns how many calls of action the proxy has seen, failed or
// not.
func (p *Proxy) Calls(action string) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[action]
}

// answer counts a call of action and returns how to fail it, or nil to
// pass it on. An outage (Fail) comes before the rules.
func (p *Proxy) answer(action string) Answer {
	p.mu.Lock()
	defer p.mu.Unlock()
	if action != "" {
		p.calls[action]++
	}
	if time.Now().Before(p.until) {
		return p.fault.answer
	}
	if action == "" {
		return nil // no rule names it
	}
	r := p.rules[action]
	switch {
	case r == nil || r.left == 0:
		return nil
	case r.left > 0:
		r.left--
	}
	return r.answer
}

// answer is how the proxy fails a request during an outage.
func (f Fault) answer(w http.ResponseWriter, r *http.Request) {
	switch f {
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
}

// readAction returns the request's action. A form post has it in its
// body, which readAction reads and puts back; other bodies it leaves
// unread, so that a large upload is not taken in only to be failed.
func readAction(r *http.Request) (string, error) {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t[strings.LastIndex(t, ".")+1:], nil
	}
	if !isForm(r) || r.Body == nil {
		return "", nil
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return "", fmt.Errorf("read request: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", fmt.Errorf("parse form: %w", err)
	}
	return form.Get("Action"), nil
}

func isForm(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// Error answers with an AWS error: code at the HTTP status, in the
// request's protocol.
func Error(status int, code string) Answer {
	return func(w http.ResponseWriter, r *http.Request) {
		awsError(w, r, status, code, "injected by test")
	}
}

// CanceledTransaction answers a DynamoDB TransactWriteItems with a
// TransactionCanceledException giving reason (a cancellation reason's
// code, such as "TransactionConflict") for every item of the request.
func CanceledTransaction(reason string) Answer {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct{ TransactItems []json.RawMessage }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, fmt.Sprintf("not a TransactWriteItems request: %v", err), http.StatusBadRequest)
			return
		}
		reasons := make([]map[string]string, len(in.TransactItems))
		for i := range reasons {
			reasons[i] = map[string]string{"Code": reason, "Message": "injected by test"}
		}
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"__type":              "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
			"message":             "Transaction cancelled, please refer cancellation reasons for specific reasons [injected]",
			"CancellationReasons": reasons,
		})
	}
}

// FailedEntries answers an SQS batch call (DeleteMessageBatch,
// ChangeMessageVisibilityBatch) with every entry failed with code on
// SQS's side (SenderFault false), and none done.
func FailedEntries(code string) Answer {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Entries []struct{ Id string } }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, fmt.Sprintf("not an SQS batch request: %v", err), http.StatusBadRequest)
			return
		}
		failed := make([]map[string]any, len(in.Entries))
		for i, e := range in.Entries {
			failed[i] = map[string]any{"Id": e.Id, "Code": code, "Message": "injected by test", "SenderFault": false}
		}
		writeJSON(w, http.StatusOK, map[string]any{"Failed": failed, "Successful": []any{}})
	}
}

// writeJSON writes v in the JSON protocol DynamoDB and SQS speak.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	w.Write(b)
}

// awsError writes an error in the protocol the request speaks: JSON for
// the services that take an X-Amz-Target (DynamoDB, SQS), the query
// protocol's ErrorResponse for form posts (SNS), S3's REST-XML otherwise.
func awsError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":"com.amazonaws.fault#%s","message":%q}`, code, msg)
	case isForm(r):
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
