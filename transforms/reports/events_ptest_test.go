package reports

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curpipe/curpipe/io/awstest"
	_ "github.com/curpipe/curpipe/io/s3io" // events name s3:// objects
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/transforms/element"
)

func init() {
	register.Function1x1(describeEventReport)
}

// describeEventReport names a resolved event's report and the messages it
// carries.
func describeEventReport(r element.Report) string {
	var ids []string
	for _, m := range r.Messages {
		ids = append(ids, m.ID)
	}
	return describeReport(r) + " " + strings.Join(ids, ",")
}

// s3Event is an S3 event notification of one created object.
func s3Event(bucket, key string) string {
	return fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventTime":"2024-06-02T04:17:31.000Z",`+
		`"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":%q},"object":{"key":%q,"size":4,"eTag":"x","sequencer":"1"}}}]}`, bucket, key)
}

// TestResolveEvents runs ResolveEvents on prism with objects on S3 (moto):
// two messages announcing one object become one report carrying both; a
// test event is skipped; a message of unknown shape and one naming a
// missing object fail as reports of their own, so that their messages are
// notified and left for the dead-letter queue.
func TestResolveEvents(t *testing.T) {
	ctx := context.Background()
	bucket := awstest.Name(t, "events")
	c := s3.NewFromConfig(awstest.Config(t))
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("drops/a.csv"),
		Body: strings.NewReader("a,b\n")}); err != nil {
		t.Fatal(err)
	}
	deliveries := []sqsio.Delivery{
		{Queue: "q", ID: "m1", Body: []byte(s3Event(bucket, "drops/a.csv"))},
		{Queue: "q", ID: "m2", Body: []byte(s3Event(bucket, "drops/a.csv"))},
		{Queue: "q", ID: "m3", Body: []byte(`{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"` + bucket + `"}`)},
		{Queue: "q", ID: "m4", Body: []byte(`not json`)},
		{Queue: "q", ID: "m5", Body: []byte(s3Event(bucket, "drops/gone.csv"))},
	}
	p, s := beam.NewPipelineWithRoot()
	reports := ResolveEvents(s, beam.CreateList(s, deliveries), ListOptions{Output: t.TempDir()})
	passert.Equals(s, beam.ParDo(s, describeEventReport, reports),
		"plain a.csv m1,m2",
		"event message m3 skipped: "+sqsio.TestEventReason+` (s3:TestEvent for bucket "`+bucket+`") m3`,
		"event message m4 failed m4",
		"event gone.csv failed m5")
	ptest.RunAndValidate(t, p)
}
