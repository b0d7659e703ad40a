package s3io

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"github.com/curpipe/curpipe/io/awsretry"
	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/io/objstore"
)

func TestMain(m *testing.M) {
	// The retries, not the waits, are under test.
	backoff = awsretry.Backoff{Base: time.Millisecond, Max: 20 * time.Millisecond, Jitter: awsretry.None}
	code := m.Run()
	awstest.Stop()
	os.Exit(code)
}

// testClient returns the process client pointed at moto.
func testClient(t testing.TB) *s3.Client {
	t.Helper()
	awstest.Endpoint(t)
	c, err := Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newStore returns a Store on moto with the given options.
func newStore(t testing.TB, opts ...OptionFn) *Store {
	t.Helper()
	awstest.Endpoint(t)
	s, err := New(nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newBucket creates a bucket for the test and empties and deletes it after.
func newBucket(t testing.TB) string {
	t.Helper()
	c := testClient(t)
	ctx := context.Background()
	b := awstest.Name(t, "b")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
		t.Fatalf("create bucket %s: %v", b, err)
	}
	t.Cleanup(func() {
		ups, _ := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(b)})
		if ups != nil {
			for _, u := range ups.Uploads {
				c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: u.Key, UploadId: u.UploadId})
			}
		}
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil || len(page.Contents) == 0 {
				break
			}
			var ids []types.ObjectIdentifier
			for _, o := range page.Contents {
				ids = append(ids, types.ObjectIdentifier{Key: o.Key})
			}
			c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: ids}})
		}
		c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b)})
	})
	return b
}

// put writes objects straight through the client, eight at a time.
func put(t testing.TB, bucket string, objects map[string][]byte) {
	t.Helper()
	c := testClient(t)
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(8)
	for k, v := range objects {
		g.Go(func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader(v)})
			if err != nil {
				return fmt.Errorf("put %s: %w", k, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// pendingUploads lists the bucket's unfinished multipart uploads.
func pendingUploads(t testing.TB, bucket string) []string {
	t.Helper()
	out, err := testClient(t).ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var ups []string
	for _, u := range out.Uploads {
		ups = append(ups, aws.ToString(u.Key)+" "+aws.ToString(u.UploadId))
	}
	return ups
}

// randomBytes returns n reproducible bytes.
func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func keys(infos []objstore.Info) []string {
	out := []string{}
	for _, i := range infos {
		out = append(out, i.Key)
	}
	return out
}

// errReset is what a dropped TCP connection looks like to a body reader.
var errReset = &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}

// breaker breaks the first `times` GetObject bodies after `after` bytes
// with err (io.EOF: a body that ends early). It counts the bodies it sees
// and can run a hook before the first break.
type breaker struct {
	after   int64
	times   int
	err     error
	onBreak func()

	mu     sync.Mutex
	bodies int
}

func (b *breaker) wrap(rc io.ReadCloser) io.ReadCloser {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bodies++
	if b.times == 0 {
		return rc
	}
	b.times--
	return &brokenBody{ReadCloser: rc, left: b.after, b: b}
}

func (b *breaker) opened() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bodies
}

type brokenBody struct {
	io.ReadCloser
	left int64
	b    *breaker
}

func (r *brokenBody) Read(p []byte) (int, error) {
	if r.left <= 0 {
		if f := r.b.onBreak; f != nil {
			r.b.onBreak = nil
			f()
		}
		return 0, r.b.err
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.ReadCloser.Read(p)
	r.left -= int64(n)
	return n, err
}
