package sqsio

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/curpipe/curpipe/io/awstest"
)

func TestDecode(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cur2 := Object{Bucket: "acme-billing", Key: "cur2/acme-daily/data/BILLING_PERIOD=2024-05/acme-daily-00001.snappy.parquet",
		ETag: "0d3d5e9b2c1f0a1e3b7f4c6d9e8a7b21", Sequencer: "00665BF3B2A51C3D07", Size: 48213377,
		EventTime: at("2024-06-02T04:17:31.512Z"), EventName: "ObjectCreated:Put"}
	manifest := Object{Bucket: "acme-billing", Key: "reports/Acme CUR/20240501-20240601/Acme CUR-Manifest.json",
		ETag: "9b2cf535f27731c974343645a3985328-2", VersionID: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e", Sequencer: "617f08299329d189",
		Size: 4211, EventTime: at("2024-06-02T04:17:31Z"), EventName: "Object Created:CompleteMultipartUpload"}
	tests := []struct {
		file    string
		kind    Kind
		objects []Object
		reason  string // a substring of Event.Reason
		err     error
	}{
		{file: "s3-put.json", kind: Created, objects: []Object{cur2}},
		{file: "s3-multipart-versioned.json", kind: Created, objects: []Object{{Bucket: "acme-billing",
			Key: "reports/Acme CUR/20240501-20240601/Acme CUR-Manifest.json", ETag: "9b2cf535f27731c974343645a3985328-2",
			VersionID: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", Sequencer: "00665C0A1B2C3D4E5F", Size: 4211,
			EventTime: at("2024-06-02T04:17:31.512Z"), EventName: "ObjectCreated:CompleteMultipartUpload"}}},
		{file: "s3-mixed.json", kind: Created, reason: "skipped 1 of 2 records (ObjectRemoved:DeleteMarkerCreated)",
			objects: []Object{{Bucket: "acme-billing", Key: "reports/acme/2024+05/acme-00001.csv.gz", ETag: "5d41402abc4b2a76b9719d911017c592",
				Sequencer: "0A1B2C3D4E5F678901", Size: 1024, EventTime: at("2024-06-02T04:17:31.512Z"), EventName: "ObjectCreated:Copy"}}},
		{file: "s3-removed.json", kind: Ignored, reason: "ObjectRemoved:Delete: not an object creation"},
		{file: "s3-lifecycle-expiration.json", kind: Ignored, reason: "LifecycleExpiration:Delete"},
		{file: "s3-test-event.json", kind: Test, reason: TestEventReason + ` (s3:TestEvent for bucket "acme-billing")`},
		{file: "sns-s3-put.json", kind: Created, objects: []Object{cur2}},
		{file: "sns-test-event.json", kind: Test, reason: TestEventReason},
		{file: "sns-subscription-confirmation.json", kind: Ignored, reason: "SNS SubscriptionConfirmation"},
		{file: "sns-eventbridge-created.json", kind: Created, objects: []Object{manifest}},
		{file: "eventbridge-created.json", kind: Created, objects: []Object{manifest}},
		{file: "eventbridge-deleted.json", kind: Ignored, reason: `EventBridge "Object Deleted": not an object creation`},
		{file: "eventbridge-other-source.json", err: ErrUnknownShape},
		{file: "eventbridge-no-key.json", err: ErrInvalidEvent},
		{file: "s3-bad-key.json", err: ErrInvalidEvent},
		{file: "s3-no-bucket.json", err: ErrInvalidEvent},
		{file: "s3-other-source.json", err: ErrUnknownShape},
		{file: "unknown-json.json", err: ErrUnknownShape},
		{file: "not-json.txt", err: ErrUnknownShape},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			ev, err := Decode(body)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Decode error %v, want one wrapping %v", err, tt.err)
				}
				t.Logf("error: %v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != tt.kind || !strings.Contains(ev.Reason, tt.reason) {
				t.Errorf("kind %v reason %q, want %v and a reason containing %q", ev.Kind, ev.Reason, tt.kind, tt.reason)
			}
			if !reflect.DeepEqual(ev.Objects, tt.objects) {
				t.Errorf("objects\n got %+v\nwant %+v", ev.Objects, tt.objects)
			}
		})
	}
}

// TestDecodeKeys checks S3's form encoding of keys, which EventBridge does
// not use.
func TestDecodeKeys(t *testing.T) {
	tests := []struct{ encoded, key string }{
		{"red+flower.jpg", "red flower.jpg"},
		{"c%2B%2B/notes.txt", "c++/notes.txt"},
		{"cur%2Fdata%2FBILLING_PERIOD%3D2024-05%2Fpart-0.parquet", "cur/data/BILLING_PERIOD=2024-05/part-0.parquet"},
		{"100%25+done.csv", "100% done.csv"},
		{"%E6%9C%88%E6%AC%A1.csv", "月次.csv"},
	}
	for _, tt := range tests {
		body := `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"` +
			tt.encoded + `","size":1}}}]}`
		ev, err := Decode([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", tt.encoded, err)
		}
		if got := ev.Objects[0].Key; got != tt.key {
			t.Errorf("S3 key %q decoded to %q, want %q", tt.encoded, got, tt.key)
		}
		eb := `{"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{"key":"` + tt.encoded + `"}}}`
		ev, err = Decode([]byte(eb))
		if err != nil {
			t.Fatalf("%s: %v", tt.encoded, err)
		}
		if got := ev.Objects[0].Key; got != tt.encoded {
			t.Errorf("EventBridge key %q became %q, want it unchanged", tt.encoded, got)
		}
	}
}

// TestDecodeMotoShapes covers what moto sends where AWS differs: an
// eventTime without a zone, and "eTag" in EventBridge's detail.
func TestDecodeMotoShapes(t *testing.T) {
	ev, err := Decode([]byte(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventTime":"2024-06-02T04:17:31.123456",` +
		`"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k","size":3,"eTag":"abc"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 6, 2, 4, 17, 31, 123456000, time.UTC); !ev.Objects[0].EventTime.Equal(want) {
		t.Errorf("event time %v, want %v", ev.Objects[0].EventTime, want)
	}
	ev, err = Decode([]byte(`{"detail-type":"Object Created","source":"aws.s3","time":"2024-06-02T04:17:31Z",` +
		`"detail":{"bucket":{"name":"b"},"object":{"key":"k","size":3,"eTag":"abc","version-id":null},"reason":"ObjectCreated"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if o := ev.Objects[0]; o.ETag != "abc" || o.VersionID != "" || o.EventName != "Object Created:ObjectCreated" {
		t.Errorf("got %+v", o)
	}
}

// TestS3ToQueue: moto's S3 notifies the queue itself (QueueConfiguration):
// first s3:TestEvent, then one event per object, keys URL-encoded.
func TestS3ToQueue(t *testing.T) {
	url, _ := createQueue(t, 30*time.Second, 0)
	bucket := createBucket(t, &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
		QueueArn: aws.String(queueARN(t, url)), Events: []s3types.Event{"s3:ObjectCreated:*"}}}})
	const key = "cur/Acme CUR/BILLING_PERIOD=2024-05/c++ 100%.csv.gz"
	putObject(t, bucket, key, "a,b\n1,2\n")
	evs := receiveEvents(t, openQueue(t, url), 2)
	if evs[0].Kind != Test || !strings.HasPrefix(evs[0].Reason, TestEventReason) {
		t.Errorf("first event %+v, want the test event", evs[0])
	}
	if o := evs[1].Objects; evs[1].Kind != Created || len(o) != 1 || o[0].Bucket != bucket || o[0].Key != key || o[0].Size != 8 || o[0].ETag == "" {
		t.Errorf("second event %+v, want s3://%s/%s created", evs[1], bucket, key)
	}
}

// TestS3ToSNSToQueue: S3 notifies a topic; the queue gets SNS's envelope.
func TestS3ToSNSToQueue(t *testing.T) {
	url, _ := createQueue(t, 30*time.Second, 0)
	topic := createTopic(t)
	subscribe(t, topic, url, false)
	bucket := createBucket(t, &s3types.NotificationConfiguration{TopicConfigurations: []s3types.TopicConfiguration{{
		TopicArn: aws.String(topic), Events: []s3types.Event{"s3:ObjectCreated:*"}}}})
	putObject(t, bucket, "reports/a b.csv", "x")
	evs := receiveEvents(t, openQueue(t, url), 2)
	if evs[0].Kind != Test {
		t.Errorf("first event %+v, want the test event", evs[0])
	}
	if o := evs[1].Objects; evs[1].Kind != Created || len(o) != 1 || o[0].Key != "reports/a b.csv" {
		t.Errorf("second event %+v", evs[1])
	}
}

// TestSNSDelivery publishes an S3 notification to a topic with two queues
// subscribed, one with SNS's envelope and one with raw message delivery.
func TestSNSDelivery(t *testing.T) {
	wrapped, _ := createQueue(t, 30*time.Second, 0)
	raw, _ := createQueue(t, 30*time.Second, 0)
	topic := createTopic(t)
	subscribe(t, topic, wrapped, false)
	subscribe(t, topic, raw, true)
	body, err := os.ReadFile("testdata/s3-put.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = sns.NewFromConfig(awsConfig(t)).Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(string(body))})
	if err != nil {
		t.Fatal(err)
	}
	for _, url := range []string{wrapped, raw} {
		m := receiveN(t, openQueue(t, url), 1, 5*time.Second)[0]
		if isRaw := bytes.Equal(m.Body, body); isRaw != (url == raw) {
			t.Errorf("%s: body %.80s...: raw delivery %v", url, m.Body, isRaw)
		}
		ev, err := Decode(m.Body)
		if err != nil || ev.Kind != Created || ev.Objects[0].Key != "cur2/acme-daily/data/BILLING_PERIOD=2024-05/acme-daily-00001.snappy.parquet" {
			t.Errorf("%s: Decode: %+v %v", url, ev, err)
		}
	}
}

// TestEventBridgeToQueue: an "Object Created" event put on the default bus
// reaches the queue through a rule, in EventBridge's envelope. Moto accepts
// PutEvents with source "aws.s3"; AWS refuses "aws." sources
// (NotAuthorizedForSourceException), so there only S3 itself sends these.
func TestEventBridgeToQueue(t *testing.T) {
	url, _ := createQueue(t, 30*time.Second, 0)
	bucket := awstest.Name(t, "b")
	ruleToQueue(t, fmt.Sprintf(`{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":[%q]}}}`, bucket), url)
	detail := fmt.Sprintf(`{"version":"0","bucket":{"name":%q},"object":{"key":"reports/Acme CUR/a+b.csv","size":42,`+
		`"etag":"b1946ac92492d2347c6235b4d2611184","sequencer":"617f08299329d189"},"reason":"PutObject"}`, bucket)
	out := eventBridge(t, "PutEvents", map[string]any{"Entries": []map[string]any{{
		"Source": "aws.s3", "DetailType": "Object Created", "Detail": detail, "Resources": []string{"arn:aws:s3:::" + bucket}}}})
	if n, _ := out["FailedEntryCount"].(float64); n != 0 {
		t.Fatalf("PutEvents: %v", out)
	}
	ev := receiveEvents(t, openQueue(t, url), 1)[0]
	want := Object{Bucket: bucket, Key: "reports/Acme CUR/a+b.csv", Size: 42, ETag: "b1946ac92492d2347c6235b4d2611184",
		Sequencer: "617f08299329d189", EventName: "Object Created:PutObject"}
	if got := ev.Objects; ev.Kind != Created || len(got) != 1 || got[0].EventTime.IsZero() {
		t.Fatalf("event %+v", ev)
	}
	if got := ev.Objects[0]; (got != Object{want.Bucket, want.Key, want.ETag, "", want.Sequencer, want.Size, got.EventTime, want.EventName}) {
		t.Errorf("object %+v, want %+v", got, want)
	}
}

// TestS3ToEventBridgeToQueue: moto's S3 sends EventBridge notifications
// itself once the bucket's EventBridgeConfiguration is set. Moto sends an
// "Object Tags Added" event with every PutObject too.
func TestS3ToEventBridgeToQueue(t *testing.T) {
	url, _ := createQueue(t, 30*time.Second, 0)
	bucket := createBucket(t, &s3types.NotificationConfiguration{EventBridgeConfiguration: &s3types.EventBridgeConfiguration{}})
	ruleToQueue(t, fmt.Sprintf(`{"source":["aws.s3"],"detail":{"bucket":{"name":[%q]}}}`, bucket), url)
	putObject(t, bucket, "reports/a b+c.csv", "hello")
	if _, err := s3Client(t).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("reports/a b+c.csv")}); err != nil {
		t.Fatal(err)
	}
	var created []Object
	var ignored []string
	for _, ev := range receiveEvents(t, openQueue(t, url), 3) {
		created = append(created, ev.Objects...)
		if ev.Kind == Ignored {
			ignored = append(ignored, ev.Reason)
		}
	}
	if len(created) != 1 || created[0].Key != "reports/a b+c.csv" || created[0].Size != 5 || created[0].ETag == "" {
		t.Errorf("created %+v, want the one object", created)
	}
	if got := strings.Join(ignored, "; "); !strings.Contains(got, `"Object Deleted"`) || !strings.Contains(got, `"Object Tags Added"`) {
		t.Errorf("ignored %q, want Object Deleted and Object Tags Added", got)
	}
}

func TestObjectURL(t *testing.T) {
	o := Object{Bucket: "acme-billing", Key: "reports/Acme CUR/a.csv.gz"}
	if got, want := o.URL(), "s3://acme-billing/reports/Acme CUR/a.csv.gz"; got != want {
		t.Errorf("URL() = %q, want %q", got, want)
	}
}

func TestDecodeErrorExcerpt(t *testing.T) {
	body := strings.Repeat("x", 500)
	_, err := Decode([]byte(body))
	if !errors.Is(err, ErrUnknownShape) || len(err.Error()) > 160 || !strings.HasSuffix(err.Error(), `xxx"...`) {
		t.Errorf("error %q: want ErrUnknownShape with a short excerpt", err)
	}
}

func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"Type":"Notification","TopicArn":"t","Message":"{\"Type\":\"Notification\",\"TopicArn\":\"t\",\"Message\":\"{}\"}"}`))
	f.Add([]byte(`{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"%","size":"1e3"}}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := Decode(body)
		if err != nil {
			if !errors.Is(err, ErrUnknownShape) && !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("error %v wraps neither ErrUnknownShape nor ErrInvalidEvent", err)
			}
			return
		}
		switch ev.Kind {
		case Created:
			if len(ev.Objects) == 0 {
				t.Fatal("Created event without objects")
			}
			for _, o := range ev.Objects {
				if o.Bucket == "" || o.Key == "" || o.Size < 0 {
					t.Fatalf("bad object %+v", o)
				}
			}
		case Ignored, Test:
			if ev.Reason == "" || len(ev.Objects) != 0 {
				t.Fatalf("%v event %+v: want a reason and no objects", ev.Kind, ev)
			}
		default:
			t.Fatalf("unknown kind %v", ev.Kind)
		}
	})
}
