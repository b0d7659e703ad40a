package snsio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/curpipe/curpipe/io/awstest"
)

var ctx = context.Background()

func TestPublish(t *testing.T) {
	topic := awstest.Topic(t, false)
	queue := awstest.SubscribedQueue(t, topic, false)
	p, err := New(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"report":"cur/2024-05","status":"committed","total":"1234.5600"}`
	id, err := p.Publish(ctx, Message{
		Subject:    "curpipe: committed cur/2024-05",
		Body:       []byte(body),
		Attributes: map[string]string{"status": "committed", "report": "cur/2024-05"},
		GroupID:    "ignored on a standard topic",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := awstest.Notifications(t, queue, 1)
	if len(got) != 1 {
		t.Fatalf("got %d messages, want 1", len(got))
	}
	e := got[0]
	if e.Type != "Notification" || e.MessageID != id || e.TopicArn != topic {
		t.Errorf("envelope type %q id %q topic %q, want Notification %q %q", e.Type, e.MessageID, e.TopicArn, id, topic)
	}
	if e.Subject != "curpipe: committed cur/2024-05" || e.Message != body {
		t.Errorf("subject %q body %q", e.Subject, e.Message)
	}
	for name, want := range map[string]string{"status": "committed", "report": "cur/2024-05"} {
		if a := e.MessageAttributes[name]; a.Type != "String" || a.Value != want {
			t.Errorf("attribute %s = %+v, want String %q", name, a, want)
		}
	}
}

func TestPublishFIFO(t *testing.T) {
	topic := awstest.Topic(t, true)
	queue := awstest.SubscribedQueue(t, topic, true)
	p, err := New(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	m := Message{Subject: "failed", Body: []byte(`{"status":"failed"}`), Attributes: map[string]string{"status": "failed"},
		GroupID: "cur/2024-05", DedupID: "cur/2024-05@v2"}
	for i := 0; i < 2; i++ { // the second is a duplicate within the window
		if _, err := p.Publish(ctx, m); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	got := awstest.Notifications(t, queue, 1)
	if len(got) != 1 {
		t.Fatalf("got %d messages, want 1 (DedupID repeated)", len(got))
	}
	if got[0].Message != string(m.Body) || got[0].System["MessageGroupId"] != m.GroupID {
		t.Errorf("body %q group %q", got[0].Message, got[0].System["MessageGroupId"])
	}
	for _, bad := range []Message{{Body: m.Body, GroupID: "g"}, {Body: m.Body, DedupID: "d"}} {
		if _, err := p.Publish(ctx, bad); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), topic) {
			t.Errorf("GroupID %q DedupID %q: err %v, want ErrInvalid naming the topic", bad.GroupID, bad.DedupID, err)
		}
	}
}

func TestPublishLongSubject(t *testing.T) {
	topic := awstest.Topic(t, false)
	queue := awstest.SubscribedQueue(t, topic, false)
	p, err := New(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	subject := "curpipe: report\ncur/2024-05 failed\r\n" + strings.Repeat("€x", 80)
	if _, err := p.Publish(ctx, Message{Subject: subject, Body: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	got := awstest.Notifications(t, queue, 1)[0].Subject
	want := "curpipe: report cur/2024-05 failed " + strings.Repeat("?x", 31) + "..."
	if got != want || len(got) != MaxSubjectLen {
		t.Errorf("subject %q (%d chars), want %q", got, len(got), want)
	}
}

func TestCleanSubject(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "curpipe: committed", "curpipe: committed"},
		{"empty", "", ""},
		{"only controls", "\n\t\r", ""},
		{"newlines", "a\nb\r\nc", "a b c"},
		{"leading space", "  a  b ", "a b"},
		{"non-ascii", "total 5 €, naïve", "total 5 ?, na?ve"},
		{"invalid utf-8", "a\xffb", "a?b"},
		{"del and C1", "a\x7fb\u0085c", "a b c"},
		{"exactly 100", strings.Repeat("a", 100), strings.Repeat("a", 100)},
		{"101", strings.Repeat("a", 101), strings.Repeat("a", 97) + "..."},
		{"cut at space", strings.Repeat("a", 96) + " " + strings.Repeat("b", 10), strings.Repeat("a", 96) + "..."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CleanSubject(tc.in); got != tc.want {
				t.Errorf("CleanSubject(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestPublishSize(t *testing.T) {
	topic := awstest.Topic(t, false)
	p, err := New(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{"status": "committed"}
	room := MaxMessageBytes - len("status") - len("String") - len("committed")
	if _, err := p.Publish(ctx, Message{Body: []byte(strings.Repeat("x", room)), Attributes: attrs}); err != nil {
		t.Fatalf("a message of exactly %d bytes: %v", MaxMessageBytes, err)
	}
	_, err = p.Publish(ctx, Message{Body: []byte(strings.Repeat("x", room+1)), Attributes: attrs})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), topic) {
		t.Errorf("one byte over: err %v, want ErrTooLarge naming the topic", err)
	}
	t.Log(err)
}

func TestPublishInvalid(t *testing.T) {
	p, err := newPublisher(aws.Config{Region: "us-east-1"}, "arn:aws:sns:us-east-1:123456789012:t", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		m    Message
	}{
		{"empty body", Message{}},
		{"invalid utf-8", Message{Body: []byte("\xff")}},
		{"empty attribute name", Message{Body: []byte("x"), Attributes: map[string]string{"": "v"}}},
		{"empty attribute value", Message{Body: []byte("x"), Attributes: map[string]string{"status": ""}}},
		{"reserved prefix", Message{Body: []byte("x"), Attributes: map[string]string{"aws.status": "v"}}},
		{"bad character", Message{Body: []byte("x"), Attributes: map[string]string{"st atus": "v"}}},
		{"double dot", Message{Body: []byte("x"), Attributes: map[string]string{"a..b": "v"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := p.Publish(ctx, tc.m); !errors.Is(err, ErrInvalid) {
				t.Errorf("err %v, want ErrInvalid", err)
			}
		})
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name, arn string
		opts      []OptionFn
		want      string
	}{
		{"not an ARN", "my-topic", nil, "snsio.New: topic ARN"},
		{"not SNS", "arn:aws:sqs:us-east-1:123456789012:q", nil, "want arn:<partition>:sns"},
		{"subscription", "arn:aws:sns:us-east-1:123456789012:t:0c1f", nil, "want arn:<partition>:sns"},
		{"deadline", "arn:aws:sns:us-east-1:123456789012:t", []OptionFn{PublishDeadline(0)}, "snsio.New: publish deadline must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newPublisher(aws.Config{}, tc.arn, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestPublishRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		code     string
		failures int
	}{
		{"HTTP 500", 500, "InternalError", 3},
		{"HTTP 503", 503, "ServiceUnavailable", 4},
		{"SNS Throttled", 429, "Throttled", 3}, // not in the SDK's retryable codes
		{"Throttling", 400, "Throttling", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			topic := awstest.Topic(t, false)
			queue := awstest.SubscribedQueue(t, topic, false)
			proxy := awstest.NewProxy(t)
			proxy.FailCalls("Publish", tc.failures, awstest.Error(tc.status, tc.code))
			p := faultyPublisher(t, topic, proxy)
			if _, err := p.Publish(ctx, Message{Subject: "s", Body: []byte(`{"n":1}`)}); err != nil {
				t.Fatal(err)
			}
			if n := proxy.Calls("Publish"); n != int64(tc.failures)+1 {
				t.Errorf("%d Publish calls, want %d", n, tc.failures+1)
			}
			if got := awstest.Notifications(t, queue, 1); len(got) != 1 || got[0].Message != `{"n":1}` {
				t.Errorf("queue got %+v, want the message once", got)
			}
		})
	}
}

func TestPublishPersistentFailure(t *testing.T) {
	topic := awstest.Topic(t, false)
	proxy := awstest.NewProxy(t)
	proxy.FailCalls("Publish", -1, awstest.Error(http.StatusInternalServerError, "InternalError"))
	p := faultyPublisher(t, topic, proxy, PublishDeadline(500*time.Millisecond))
	start := time.Now()
	_, err := p.Publish(ctx, Message{Body: []byte("x")})
	var apiErr smithy.APIError
	if err == nil || !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InternalError" {
		t.Fatalf("err %v, want the injected InternalError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "publish to "+topic+" failed after") || !strings.Contains(msg, "500") {
		t.Errorf("error %q does not name the topic, the attempts and the status", msg)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("gave up after %s, deadline 500ms", d)
	}
	if n := proxy.Calls("Publish"); n < 4 {
		t.Errorf("%d calls, want Publish to retry past the SDK's 2 attempts", n)
	}
	t.Log(err)
}

func TestPublishCanceled(t *testing.T) {
	topic := awstest.Topic(t, false)
	proxy := awstest.NewProxy(t)
	proxy.FailCalls("Publish", -1, awstest.Error(http.StatusTooManyRequests, "Throttled"))
	p := faultyPublisher(t, topic, proxy)
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err := p.Publish(cctx, Message{Body: []byte("x")})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "Throttled") {
		t.Errorf("err %v, want the caller's deadline and the last cause", err)
	}
}

func TestPublishMissingTopic(t *testing.T) {
	topic := awstest.Topic(t, false)
	missing := topic + "-missing"
	proxy := awstest.NewProxy(t) // fails nothing; counts the calls
	_, err := faultyPublisher(t, missing, proxy).Publish(ctx, Message{Body: []byte("x")})
	if !errors.Is(err, ErrTopicNotFound) || !strings.Contains(err.Error(), missing) {
		t.Errorf("err %v, want ErrTopicNotFound naming the topic", err)
	}
	if n := proxy.Calls("Publish"); n != 1 {
		t.Errorf("%d calls, want 1: a missing topic is not retried", n)
	}
	t.Log(err)
}

func TestCheckTopic(t *testing.T) {
	topic := awstest.Topic(t, false)
	if err := CheckTopic(ctx, topic); err != nil {
		t.Errorf("existing topic: %v", err)
	}
	if err := CheckTopic(ctx, awstest.Topic(t, true)); err != nil {
		t.Errorf("existing FIFO topic: %v", err)
	}
	missing := topic + "-missing"
	err := CheckTopic(ctx, missing)
	if !errors.Is(err, ErrTopicNotFound) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing topic: err %v, want ErrTopicNotFound naming the topic", err)
	}
	t.Log(err)
	if err := CheckTopic(ctx, "not-an-arn"); err == nil || !strings.Contains(err.Error(), "not-an-arn") {
		t.Errorf("malformed ARN: err %v", err)
	}
	// moto allows every call, so the refusal is injected.
	proxy := awstest.NewProxy(t)
	proxy.FailCalls("GetTopicAttributes", -1, awstest.Error(http.StatusForbidden, "AuthorizationError"))
	err = checkTopic(ctx, sns.NewFromConfig(awsConfig(t), faultyOptions(proxy)), topic)
	if !errors.Is(err, ErrNotPermitted) || !strings.Contains(err.Error(), topic) {
		t.Errorf("refused: err %v, want ErrNotPermitted naming the topic", err)
	}
	t.Log(err)
}

func ExampleCleanSubject() {
	fmt.Println(CleanSubject("curpipe: cur/2024-05\nfailed: 3 bad rows (€)"))
	// Output: curpipe: cur/2024-05 failed: 3 bad rows (?)
}
