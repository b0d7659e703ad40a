package sqsio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	smithytime "github.com/aws/smithy-go/time"

	"github.com/curpipe/curpipe/io/awsconfig"
	"github.com/curpipe/curpipe/io/awsretry"
)

var (
	// ErrQueueNotFound marks errors for a queue that does not exist (or not
	// in the URL's region and account).
	ErrQueueNotFound = errors.New("SQS queue not found")
	// ErrNotPermitted marks errors for a call the credentials may not make.
	ErrNotPermitted = errors.New("not permitted")
	// ErrStaleHandle: a receipt handle no longer valid, because its message
	// was deleted or received again since. Not a data loss.
	ErrStaleHandle = errors.New("stale receipt handle")
)

// QueueInfo is what `curpipe validate` reports about a queue.
type QueueInfo struct {
	URL, ARN string
	// VisibilityTimeout is the queue's default, used when Receive does not
	// request one.
	VisibilityTimeout time.Duration
	FIFO              bool
	// Redrive is the queue's redrive policy; nil when it has none, and then
	// a poison message is redelivered until its retention period ends.
	Redrive *RedrivePolicy
	// Policy is the queue's access policy (JSON); "" when it has none.
	Policy string
}

// RedrivePolicy says where SQS moves a message received too often.
type RedrivePolicy struct {
	DeadLetterTargetARN string
	MaxReceiveCount     int
}

// Warnings lists what is legal but unwise for curpipe's queue.
func (i QueueInfo) Warnings() []string {
	var w []string
	switch {
	case i.Redrive == nil:
		w = append(w, "no dead-letter queue: a report that keeps failing is redelivered until the queue's retention period drops it")
	case i.Redrive.MaxReceiveCount < 2:
		w = append(w, "maxReceiveCount 1: a single transient failure sends a report to the dead-letter queue")
	}
	return w
}

// attributesAPI lists the SQS call Describe makes.
type attributesAPI interface {
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

// CheckQueue reports whether the queue exists and the credentials may read
// its attributes (sqs:GetQueueAttributes), wrapping ErrQueueNotFound or
// ErrNotPermitted when not. Receiving and deleting need their own
// permissions, which this does not prove.
func CheckQueue(ctx context.Context, queueURL string) error {
	_, err := Describe(ctx, queueURL)
	return err
}

// Describe reads the queue's ARN, visibility timeout and redrive policy.
func Describe(ctx context.Context, queueURL string) (QueueInfo, error) {
	if err := checkURL(queueURL); err != nil {
		return QueueInfo{}, fmt.Errorf("sqsio: describe queue: %w", err)
	}
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return QueueInfo{}, fmt.Errorf("sqsio: describe queue %s: %w", queueURL, err)
	}
	return describe(ctx, sqs.NewFromConfig(cfg), queueURL)
}

func describe(ctx context.Context, c attributesAPI, queueURL string) (QueueInfo, error) {
	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(queueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll},
	})
	if err != nil {
		return QueueInfo{}, fmt.Errorf("sqsio: describe queue %s: %w", queueURL, classify(err))
	}
	a := out.Attributes
	info := QueueInfo{URL: queueURL, ARN: a[string(types.QueueAttributeNameQueueArn)], FIFO: a["FifoQueue"] == "true",
		Policy: a[string(types.QueueAttributeNamePolicy)]}
	if s, err := strconv.Atoi(a[string(types.QueueAttributeNameVisibilityTimeout)]); err == nil {
		info.VisibilityTimeout = time.Duration(s) * time.Second
	}
	if rp := a[string(types.QueueAttributeNameRedrivePolicy)]; rp != "" {
		// maxReceiveCount comes as a number or a string, as it was set.
		var p struct {
			DeadLetterTargetArn string      `json:"deadLetterTargetArn"`
			MaxReceiveCount     json.Number `json:"maxReceiveCount"`
		}
		if err := json.Unmarshal([]byte(rp), &p); err != nil {
			return QueueInfo{}, fmt.Errorf("sqsio: describe queue %s: redrive policy %q: %w", queueURL, rp, err)
		}
		n, _ := strconv.Atoi(p.MaxReceiveCount.String())
		info.Redrive = &RedrivePolicy{DeadLetterTargetARN: p.DeadLetterTargetArn, MaxReceiveCount: n}
	}
	return info, nil
}

// classify puts a sentinel and a plain reason in front of SQS's answer when
// the queue is missing or the call was refused, keeping the answer wrapped.
func classify(err error) error {
	var missing *types.QueueDoesNotExist
	if errors.As(err, &missing) {
		return fmt.Errorf("%w (check the URL's account, region and name): %w", ErrQueueNotFound, err)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	switch apiErr.ErrorCode() {
	case "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NonExistentQueue":
		return fmt.Errorf("%w (check the URL's account, region and name): %w", ErrQueueNotFound, err)
	case "AccessDenied", "AccessDeniedException", "KmsAccessDenied", "KMS.AccessDeniedException":
		return fmt.Errorf("%w: the credentials may not use this queue (check the IAM policy, the queue policy and its KMS key): %w",
			ErrNotPermitted, err)
	case "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch":
		return fmt.Errorf("%w: SQS rejected the credentials: %w", ErrNotPermitted, err)
	}
	return err
}

// BatchError reports the entries of a batch call that failed for good.
type BatchError struct {
	Op, Queue string
	Total     int // entries asked for
	Failed    []EntryError
}

// EntryError is one failed batch entry.
type EntryError struct {
	Index         int // position in the handles passed
	Handle        string
	Code, Message string
	SenderFault   bool // SQS blames the request, so a retry would fail too
	Stale         bool // the handle is no longer valid (ErrStaleHandle)
}

func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sqsio: %s on %s: %d of %d entries failed", e.Op, e.Queue, len(e.Failed), e.Total)
	for i, f := range e.Failed {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Failed)-i)
			break
		}
		h := f.Handle
		if len(h) > 16 {
			h = h[:16] + "..."
		}
		fmt.Fprintf(&b, "; #%d (%s) %s: %s", f.Index, h, f.Code, f.Message)
	}
	return b.String()
}

// Is reports ErrStaleHandle when every failure is a stale handle, so that
// callers may treat the error as harmless.
func (e *BatchError) Is(target error) bool {
	if target != ErrStaleHandle || len(e.Failed) == 0 {
		return false
	}
	for _, f := range e.Failed {
		if !f.Stale {
			return false
		}
	}
	return true
}

// staleEntry reports whether a batch entry failed because its handle no
// longer names a message in flight. SQS says so in several ways.
func staleEntry(code, msg string) bool {
	switch code {
	case "ReceiptHandleIsInvalid", "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight":
		return true
	case "InvalidParameterValue":
		m := strings.ToLower(msg)
		return strings.Contains(m, "receipt handle has expired") || strings.Contains(m, "receipthandle is invalid")
	}
	return false
}

// retryableEntry reports whether another attempt at a batch entry may
// succeed: server-side faults and throttling.
func retryableEntry(e types.BatchResultErrorEntry) bool {
	code := aws.ToString(e.Code)
	return !e.SenderFault || strings.Contains(code, "Throttl") || code == "InternalError" || code == "ServiceUnavailable"
}

// retry calls fn until it succeeds, fails for good, ctx ends or retryFor
// has passed, waiting with jittered exponential backoff between calls.
func (q *Queue) retry(ctx context.Context, fn func(context.Context) error) error {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if !awsretry.Retryable(ctx, err) {
			return classify(err)
		}
		wait := q.backoff.Delay(attempt)
		if time.Since(start)+wait > retryFor {
			return fmt.Errorf("gave up after %d calls in %s: %w", attempt, time.Since(start).Round(time.Millisecond), classify(err))
		}
		if err := smithytime.SleepWithContext(ctx, wait); err != nil {
			return fmt.Errorf("%w; last error: %w", err, classify(err))
		}
	}
}

// checkURL rejects what cannot be a queue URL (https://host/account/name)
// before SQS answers with a generic error.
func checkURL(queueURL string) error {
	u, err := url.Parse(queueURL)
	if err != nil {
		return fmt.Errorf("queue URL %q: %w", queueURL, err)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return fmt.Errorf("queue URL %q: want https://sqs.<region>.amazonaws.com/<account>/<queue>", queueURL)
	}
	return nil
}
