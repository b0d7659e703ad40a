package sqsio

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

func TestDescribe(t *testing.T) {
	url, dlqURL := createQueue(t, 2*time.Second, 2)
	awsConfig(t)
	info, err := Describe(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	want := RedrivePolicy{DeadLetterTargetARN: queueARN(t, dlqURL), MaxReceiveCount: 2}
	if info.ARN != queueARN(t, url) || info.VisibilityTimeout != 2*time.Second || info.FIFO || info.Redrive == nil || *info.Redrive != want {
		t.Errorf("Describe = %+v (redrive %+v), want redrive %+v", info, info.Redrive, want)
	}
	if w := info.Warnings(); len(w) != 0 {
		t.Errorf("warnings %q, want none", w)
	}
	if err := CheckQueue(ctx, url); err != nil {
		t.Errorf("CheckQueue: %v", err)
	}

	// The dead-letter queue has no redrive policy of its own.
	info, err = Describe(ctx, dlqURL)
	if err != nil {
		t.Fatal(err)
	}
	if w := info.Warnings(); info.Redrive != nil || len(w) != 1 || !strings.Contains(w[0], "no dead-letter queue") {
		t.Errorf("queue without redrive: %+v, warnings %q", info, w)
	}
}

func TestCheckQueueMissing(t *testing.T) {
	url, _ := createQueue(t, 30*time.Second, 0)
	missing := url + "-gone"
	err := CheckQueue(ctx, missing)
	if !errors.Is(err, ErrQueueNotFound) || !strings.Contains(err.Error(), missing) {
		t.Fatalf("CheckQueue on a missing queue: %v, want ErrQueueNotFound naming the URL", err)
	}
	t.Log(err)
	if err := CheckQueue(ctx, "not a url"); err == nil || errors.Is(err, ErrQueueNotFound) {
		t.Errorf("CheckQueue on a bad URL: %v", err)
	}
}

// TestClassify covers answers moto does not give: moto allows every call.
func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want error
	}{
		{&types.QueueDoesNotExist{Message: aws.String("gone")}, ErrQueueNotFound},
		{&smithy.GenericAPIError{Code: "AWS.SimpleQueueService.NonExistentQueue"}, ErrQueueNotFound},
		{&smithy.GenericAPIError{Code: "AccessDenied"}, ErrNotPermitted},
		{&smithy.GenericAPIError{Code: "KMS.AccessDeniedException"}, ErrNotPermitted},
		{&smithy.GenericAPIError{Code: "InvalidClientTokenId"}, ErrNotPermitted},
		{&smithy.GenericAPIError{Code: "InvalidParameterValue"}, nil},
		{fmt.Errorf("dial tcp: connection refused"), nil},
	}
	for _, tt := range tests {
		got := classify(tt.err)
		if !errors.Is(got, tt.err) {
			t.Errorf("classify(%v) = %v: the cause is lost", tt.err, got)
		}
		for _, s := range []error{ErrQueueNotFound, ErrNotPermitted} {
			if errors.Is(got, s) != (s == tt.want) {
				t.Errorf("classify(%v) = %v, want sentinel %v", tt.err, got, tt.want)
			}
		}
	}
}

// TestRetryableEntry: a batch entry is sent again when SQS failed it on its
// side or throttled it. (Which calls are retried is awsretry's test.)
func TestRetryableEntry(t *testing.T) {
	entries := []struct {
		e    types.BatchResultErrorEntry
		want bool
	}{
		{types.BatchResultErrorEntry{Code: aws.String("InternalError"), SenderFault: false}, true},
		{types.BatchResultErrorEntry{Code: aws.String("RequestThrottled"), SenderFault: true}, true},
		{types.BatchResultErrorEntry{Code: aws.String("ReceiptHandleIsInvalid"), SenderFault: true}, false},
	}
	for _, tt := range entries {
		if got := retryableEntry(tt.e); got != tt.want {
			t.Errorf("retryableEntry(%s) = %v, want %v", aws.ToString(tt.e.Code), got, tt.want)
		}
	}
}

func TestBatchErrorIs(t *testing.T) {
	stale := EntryError{Code: "ReceiptHandleIsInvalid", Stale: true}
	lost := EntryError{Code: "InvalidParameterValue", SenderFault: true}
	if !errors.Is(&BatchError{Failed: []EntryError{stale, stale}}, ErrStaleHandle) {
		t.Error("all stale: want ErrStaleHandle")
	}
	if errors.Is(&BatchError{Failed: []EntryError{stale, lost}}, ErrStaleHandle) {
		t.Error("one real failure: want no ErrStaleHandle")
	}
	for code, msg := range map[string]string{
		"ReceiptHandleIsInvalid": "", "MessageNotInflight": "",
		"InvalidParameterValue": "Value x for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.",
	} {
		if !staleEntry(code, msg) {
			t.Errorf("staleEntry(%s, %q) = false", code, msg)
		}
	}
	if staleEntry("InvalidParameterValue", "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]") {
		t.Error("the 12-hour limit is not a stale handle")
	}
}
