package s3io

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithytime "github.com/aws/smithy-go/time"

	"github.com/curpipe/curpipe/io/awsretry"
	"github.com/curpipe/curpipe/io/objstore"
)

// maxResumes bounds how often one read resumes after a broken connection.
// The SDK retries calls, not the body streamed after a call returned.
const maxResumes = 5

// errClosed: a read after Close.
var errClosed = errors.New("reader closed")

// Stat describes one object (HeadObject); its Key is the base name.
func (s *Store) Stat(ctx context.Context, u string) (objstore.Info, error) {
	bucket, key, err := ParseURL(u)
	if err != nil {
		return objstore.Info{}, err
	}
	api, err := s.client(ctx)
	if err != nil {
		return objstore.Info{}, err
	}
	h, err := api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return objstore.Info{}, fmt.Errorf("stat %s: %w", u, classify(err))
	}
	return objstore.Info{
		URL:     u,
		Key:     baseName(key),
		Size:    aws.ToInt64(h.ContentLength),
		ModTime: aws.ToTime(h.LastModified).UTC(),
		ETag:    unquote(h.ETag),
	}, nil
}

// Open streams the object from one GetObject. When the connection breaks
// mid-way, the reader asks again from where it stopped, for the same
// ETag, so that a long read survives a dropped connection but never joins
// two versions of an object (ErrChanged). The reader uses ctx until it is
// closed.
func (s *Store) Open(ctx context.Context, u string) (io.ReadCloser, error) {
	bucket, key, err := ParseURL(u)
	if err != nil {
		return nil, err
	}
	api, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u, classify(err))
	}
	r := &reader{
		ctx: ctx, api: api, wrap: s.wrapBody, url: u, bucket: bucket, key: key,
		etag: aws.ToString(out.ETag), size: aws.ToInt64(out.ContentLength),
		body: out.Body,
	}
	if out.ContentLength == nil {
		r.size = -1
	}
	if r.wrap != nil {
		r.body = r.wrap(r.body)
	}
	return r, nil
}

// reader is Open's resumable stream.
type reader struct {
	ctx     context.Context
	api     s3API
	wrap    func(io.ReadCloser) io.ReadCloser
	url     string
	bucket  string
	key     string
	etag    string // as S3 sent it, quotes included, for If-Match
	size    int64  // -1 when unknown
	off     int64
	body    io.ReadCloser
	resumes int
	err     error // sticky, once the stream has failed or ended
}

func (r *reader) Read(p []byte) (int, error) {
	for r.err == nil {
		if r.body == nil {
			r.err = r.resume()
			continue
		}
		n, err := r.body.Read(p)
		r.off += int64(n)
		if err == io.EOF && r.size >= 0 && r.off < r.size {
			// The connection ended cleanly but early.
			err = io.ErrUnexpectedEOF
		}
		if err == nil || err == io.EOF {
			if err == io.EOF {
				r.err = io.EOF
			}
			return n, nil
		}
		// Without an ETag a resumed read could join two versions.
		if !awsretry.Dropped(r.ctx, err) || r.resumes >= maxResumes || r.etag == "" {
			r.err = fmt.Errorf("read %s at byte %d: %w", r.url, r.off, err)
			return n, r.err
		}
		r.body.Close()
		r.body = nil
		if n > 0 {
			return n, nil
		}
	}
	return 0, r.err
}

// resume reopens the stream at r.off for the same ETag, after a backoff.
func (r *reader) resume() error {
	if r.size >= 0 && r.off >= r.size {
		return io.EOF // all there; only the end went missing
	}
	r.resumes++
	if err := smithytime.SleepWithContext(r.ctx, backoff.Delay(r.resumes)); err != nil {
		return fmt.Errorf("read %s at byte %d: %w", r.url, r.off, err)
	}
	out, err := r.api.GetObject(r.ctx, &s3.GetObjectInput{
		Bucket: aws.String(r.bucket), Key: aws.String(r.key),
		Range: aws.String(fmt.Sprintf("bytes=%d-", r.off)), IfMatch: ifMatch(r.etag),
	})
	if err != nil {
		return fmt.Errorf("get %s from byte %d: %w", r.url, r.off, classify(err))
	}
	r.body = out.Body
	if r.wrap != nil {
		r.body = r.wrap(r.body)
	}
	return nil
}

func (r *reader) Close() error {
	if r.err == nil || r.err == io.EOF {
		r.err = fmt.Errorf("read %s: %w", r.url, errClosed)
	}
	if r.body == nil {
		return nil
	}
	err := r.body.Close()
	r.body = nil
	return err
}

// backoff spaces the resumes of one read; tests shorten it. No jitter:
// one reader resuming its own stream has no crowd to spread.
var backoff = awsretry.Backoff{Base: 100 * time.Millisecond, Max: 2 * time.Second, Jitter: awsretry.None}

// ifMatch is the If-Match header for an ETag, none for an empty one (an
// S3-compatible store that sends none).
func ifMatch(etag string) *string {
	if etag == "" {
		return nil
	}
	return aws.String(etag)
}

// baseName is the last '/'-separated element of a key.
func baseName(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '/' {
			return key[i+1:]
		}
	}
	return key
}
