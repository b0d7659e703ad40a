package sqsio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind says what a decoded queue message asks of curpipe.
type Kind int

const (
	// Created: one or more objects were created; read them.
	Created Kind = iota + 1
	// Ignored: a well-formed event that needs no work (a deletion, a
	// restore, an SNS subscription confirmation); acknowledge and drop it.
	Ignored
	// Test: S3's s3:TestEvent, sent when a notification configuration is
	// saved; acknowledge and drop it.
	Test
)

func (k Kind) String() string {
	switch k {
	case Created:
		return "created"
	case Ignored:
		return "ignored"
	case Test:
		return "test"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// TestEventReason opens the Reason of every Test event.
const TestEventReason = "test event: acknowledge and drop"

var (
	// ErrUnknownShape: the body is none of the shapes Decode knows (not JSON,
	// or JSON of another kind). The message is poison: leave it for the DLQ.
	ErrUnknownShape = errors.New("unknown event shape")
	// ErrInvalidEvent: a known shape with a missing or malformed field (no
	// bucket or key, a key that is not URL-encoded as S3 encodes it, a bad
	// size). Also poison.
	ErrInvalidEvent = errors.New("invalid event")
)

// Object is one created S3 object named by an event.
type Object struct {
	Bucket string
	// Key is the object's key as S3's API takes it: already URL-decoded
	// when it came from an S3 event notification.
	Key string
	// ETag is the entity tag without quotes. VersionID is empty when the
	// event has none, and may be "null", S3's id for an object written
	// while versioning was off.
	ETag, VersionID string
	// Sequencer orders events on the same key (compare after left-padding
	// the shorter with zeros); empty when the sender gave none.
	Sequencer string
	Size      int64
	// EventTime is when S3 finished the request, in UTC; zero if the event
	// had no readable time.
	EventTime time.Time
	// EventName is the S3 notification's eventName ("ObjectCreated:Put"),
	// or for EventBridge the detail-type and reason ("Object Created:PutObject").
	EventName string
}

// URL returns the object's address, "s3://bucket/key".
func (o Object) URL() string { return "s3://" + o.Bucket + "/" + o.Key }

// Event is a decoded queue message.
type Event struct {
	Kind Kind
	// Objects holds the created objects (Kind Created only).
	Objects []Object
	// Reason explains an Ignored or Test outcome, or the records a Created
	// event skipped; empty otherwise.
	Reason string
}

// probe holds the fields that tell the shapes apart. encoding/json matches
// names case-insensitively, which the shapes' distinct names tolerate.
type probe struct {
	Records    json.RawMessage `json:"Records"`
	Type       string          `json:"Type"`
	TopicArn   string          `json:"TopicArn"`
	Message    *string         `json:"Message"`
	Service    string          `json:"Service"`
	Event      string          `json:"Event"`
	Bucket     string          `json:"Bucket"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Time       string          `json:"time"`
	Detail     json.RawMessage `json:"detail"`
}

type s3Record struct {
	EventSource string `json:"eventSource"`
	EventTime   string `json:"eventTime"`
	EventName   string `json:"eventName"`
	S3          struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key       string      `json:"key"`
			Size      json.Number `json:"size"`
			ETag      string      `json:"eTag"`
			VersionID string      `json:"versionId"`
			Sequencer string      `json:"sequencer"`
		} `json:"object"`
	} `json:"s3"`
}

type ebDetail struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key  string      `json:"key"`
		Size json.Number `json:"size"`
		// AWS writes "etag"; moto writes "eTag", which matches too.
		ETag      string `json:"etag"`
		VersionID string `json:"version-id"`
		Sequencer string `json:"sequencer"`
	} `json:"object"`
	Reason string `json:"reason"`
}

// Decode reads an SQS message body holding an S3 object event. It
// recognises the shapes by their content:
//
//   - an S3 event notification, {"Records":[{"eventSource":"aws:s3",...}]},
//     whose object keys are URL-encoded ('+' for a space) and are decoded;
//   - the same inside an SNS notification envelope ({"Type":"Notification",
//     "Message":"<JSON string>","TopicArn":...}); with raw message delivery
//     the body is the notification itself;
//   - an EventBridge event from S3 ({"source":"aws.s3","detail-type":
//     "Object Created","detail":{...}}), whose keys are not encoded;
//   - S3's {"Service":"Amazon S3","Event":"s3:TestEvent",...}: Kind Test.
//
// Other S3 events (ObjectRemoved:*, "Object Deleted", restores, lifecycle
// transitions) and SNS subscription messages are Ignored, with a reason.
// Anything else is an error wrapping ErrUnknownShape with an excerpt of the
// body; a known shape with a bad field wraps ErrInvalidEvent.
func Decode(body []byte) (Event, error) {
	return decode(body, false)
}

func decode(body []byte, inSNS bool) (Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Event{}, fmt.Errorf("%w (not a JSON object): %s", ErrUnknownShape, excerpt(body))
	}
	var p probe
	if err := json.Unmarshal(trimmed, &p); err != nil {
		return Event{}, fmt.Errorf("%w (%v): %s", ErrUnknownShape, err, excerpt(body))
	}
	switch {
	case p.TopicArn != "" && p.Type != "":
		if inSNS {
			return Event{}, fmt.Errorf("%w (SNS envelope inside an SNS envelope): %s", ErrUnknownShape, excerpt(body))
		}
		return decodeSNS(p, body)
	case len(p.Records) > 0 && string(p.Records) != "null":
		return decodeS3(p.Records, body)
	case p.Event == "s3:TestEvent":
		return Event{Kind: Test, Reason: fmt.Sprintf("%s (s3:TestEvent for bucket %q)", TestEventReason, p.Bucket)}, nil
	case p.DetailType != "" && p.Source != "":
		return decodeEventBridge(p, body)
	}
	return Event{}, fmt.Errorf("%w: %s", ErrUnknownShape, excerpt(body))
}

// decodeSNS unwraps an SNS envelope. Subscription messages reach a queue
// only for cross-account subscriptions; they need a person, not curpipe.
func decodeSNS(p probe, body []byte) (Event, error) {
	switch p.Type {
	case "Notification":
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		return Event{Kind: Ignored, Reason: fmt.Sprintf("SNS %s from %s: not an object event", p.Type, p.TopicArn)}, nil
	default:
		return Event{}, fmt.Errorf("%w (SNS message type %q): %s", ErrUnknownShape, p.Type, excerpt(body))
	}
	if p.Message == nil {
		return Event{}, fmt.Errorf("%w: SNS notification from %s has no Message", ErrInvalidEvent, p.TopicArn)
	}
	ev, err := decode([]byte(*p.Message), true)
	if err != nil {
		return Event{}, fmt.Errorf("SNS notification from %s: %w", p.TopicArn, err)
	}
	return ev, nil
}

func decodeS3(raw json.RawMessage, body []byte) (Event, error) {
	var recs []s3Record
	if err := json.Unmarshal(raw, &recs); err != nil {
		return Event{}, fmt.Errorf("%w: S3 notification records: %v: %s", ErrInvalidEvent, err, excerpt(body))
	}
	if len(recs) == 0 {
		return Event{}, fmt.Errorf("%w: S3 notification with no records", ErrInvalidEvent)
	}
	var ev Event
	var skipped []string
	for i, r := range recs {
		if r.EventSource != "aws:s3" {
			return Event{}, fmt.Errorf("%w (record %d has eventSource %q, want aws:s3): %s",
				ErrUnknownShape, i, r.EventSource, excerpt(body))
		}
		// Some S3-compatible stores keep the "s3:" of the configuration.
		name := strings.TrimPrefix(r.EventName, "s3:")
		if !strings.HasPrefix(name, "ObjectCreated:") {
			skipped = append(skipped, name)
			continue
		}
		o := r.S3.Object
		// S3 form-encodes keys: '+' is a space, "%2B" a plus.
		key, err := url.QueryUnescape(o.Key)
		if err != nil {
			return Event{}, fmt.Errorf("%w: record %d: key %q is not URL-encoded as S3 sends it: %v", ErrInvalidEvent, i, o.Key, err)
		}
		obj, err := object(r.S3.Bucket.Name, key, o.Size, r.EventTime, name)
		if err != nil {
			return Event{}, fmt.Errorf("%w: record %d: %v", ErrInvalidEvent, i, err)
		}
		obj.ETag, obj.VersionID, obj.Sequencer = strings.Trim(o.ETag, `"`), o.VersionID, o.Sequencer
		ev.Objects = append(ev.Objects, obj)
	}
	switch {
	case len(ev.Objects) == 0:
		return Event{Kind: Ignored, Reason: "S3 " + strings.Join(skipped, ", ") + ": not an object creation"}, nil
	case len(skipped) > 0:
		ev.Reason = fmt.Sprintf("skipped %d of %d records (%s): not object creations", len(skipped), len(recs), strings.Join(skipped, ", "))
	}
	ev.Kind = Created
	return ev, nil
}

func decodeEventBridge(p probe, body []byte) (Event, error) {
	if p.Source != "aws.s3" {
		return Event{}, fmt.Errorf("%w (EventBridge event from %q, want aws.s3): %s", ErrUnknownShape, p.Source, excerpt(body))
	}
	if p.DetailType != "Object Created" {
		return Event{Kind: Ignored, Reason: fmt.Sprintf("EventBridge %q: not an object creation", p.DetailType)}, nil
	}
	var d ebDetail
	if len(p.Detail) == 0 || json.Unmarshal(p.Detail, &d) != nil {
		return Event{}, fmt.Errorf("%w: EventBridge Object Created with a malformed detail: %s", ErrInvalidEvent, excerpt(body))
	}
	name := p.DetailType
	if d.Reason != "" {
		name += ":" + d.Reason
	}
	// EventBridge carries the key as it is: no decoding.
	obj, err := object(d.Bucket.Name, d.Object.Key, d.Object.Size, p.Time, name)
	if err != nil {
		return Event{}, fmt.Errorf("%w: EventBridge Object Created: %v", ErrInvalidEvent, err)
	}
	obj.ETag, obj.VersionID, obj.Sequencer = strings.Trim(d.Object.ETag, `"`), d.Object.VersionID, d.Object.Sequencer
	return Event{Kind: Created, Objects: []Object{obj}}, nil
}

// object checks the fields every created object needs.
func object(bucket, key string, size json.Number, when, name string) (Object, error) {
	if bucket == "" || key == "" {
		return Object{}, fmt.Errorf("bucket %q and key %q must both be set", bucket, key)
	}
	var n int64
	if size != "" {
		var err error
		if n, err = size.Int64(); err != nil || n < 0 {
			return Object{}, fmt.Errorf("object size %q is not a byte count", size)
		}
	}
	return Object{Bucket: bucket, Key: key, Size: n, EventTime: parseTime(when), EventName: name}, nil
}

// parseTime reads ISO-8601 times. Moto omits the zone, so a time without
// one is taken as UTC. The time is informational: a bad one is dropped
// rather than failing an otherwise good event.
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// excerpt quotes the start of a body for an error message.
func excerpt(body []byte) string {
	const max = 96
	if len(body) <= max {
		return strconv.Quote(string(body))
	}
	cut := max
	for cut > max-utf8.UTFMax && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return strconv.Quote(string(body[:cut])) + "..."
}
