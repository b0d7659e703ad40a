package s3io

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/curpipe/curpipe/io/objstore"
)

const (
	// maxParts is S3's limit on the parts of one multipart upload.
	maxParts = 10000
	// abortTimeout bounds the clean-up call of an abandoned upload, which
	// runs even when the write's context was cancelled (the usual reason
	// for abandoning it).
	abortTimeout = 30 * time.Second
)

// Create returns a Writer for u. It buffers up to the part size (8 MiB by
// default): an object that fits is sent by one PutObject on Close; a
// larger one becomes a multipart upload, part by part, completed on
// Close. Either way the object appears only when Close returns nil. Abort,
// or a failed write, aborts the multipart upload so no parts are left
// billed; should that clean-up call fail too, the bucket's lifecycle rule
// for incomplete uploads is the backstop. The writer uses ctx until it is
// closed or aborted.
func (s *Store) Create(ctx context.Context, u string) (objstore.Writer, error) {
	bucket, key, err := ParseURL(u)
	if err != nil {
		return nil, err
	}
	if key == "" || strings.HasSuffix(key, "/") {
		return nil, fmt.Errorf("create %s: the URL names a folder, not an object", u)
	}
	api, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	return &writer{ctx: ctx, api: api, url: u, bucket: bucket, key: key, partSize: int(s.opts.withDefaults().partSize)}, nil
}

// errAborted: a Write or Close after Abort.
var errAborted = errors.New("write aborted")

// writer is Create's buffered, all-or-nothing upload.
type writer struct {
	ctx      context.Context
	api      s3API
	url      string
	bucket   string
	key      string
	partSize int

	buf      []byte // grows to partSize, then is reused for every part
	uploadID string // "" until the first full part
	parts    []types.CompletedPart
	done     bool
	err      error // the first failure, returned from then on
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		if w.err != nil {
			return 0, w.err
		}
		return 0, fmt.Errorf("write %s: %w", w.url, errClosed)
	}
	n := 0
	for len(p) > 0 {
		m := min(len(p), w.partSize-len(w.buf))
		w.buf = append(w.buf, p[:m]...)
		n, p = n+m, p[m:]
		if len(w.buf) == w.partSize {
			if err := w.uploadPart(); err != nil {
				w.fail(err)
				return n, w.err
			}
		}
	}
	return n, nil
}

// uploadPart sends the buffer as the next part, starting the multipart
// upload first if needed.
func (w *writer) uploadPart() error {
	if len(w.parts) == maxParts {
		return fmt.Errorf("larger than %d parts of %d bytes", maxParts, w.partSize)
	}
	if w.uploadID == "" {
		out, err := w.api.CreateMultipartUpload(w.ctx, &s3.CreateMultipartUploadInput{
			Bucket: aws.String(w.bucket), Key: aws.String(w.key),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		if err != nil {
			return fmt.Errorf("start multipart upload: %w", classify(err))
		}
		w.uploadID = aws.ToString(out.UploadId)
	}
	num := aws.Int32(int32(len(w.parts) + 1))
	out, err := w.api.UploadPart(w.ctx, &s3.UploadPartInput{
		Bucket: aws.String(w.bucket), Key: aws.String(w.key), UploadId: aws.String(w.uploadID),
		PartNumber: num, Body: bytes.NewReader(w.buf), ContentLength: aws.Int64(int64(len(w.buf))),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	})
	if err != nil {
		return fmt.Errorf("upload part %d: %w", *num, classify(err))
	}
	// The upload was started with CRC32, so Complete must repeat each part's.
	w.parts = append(w.parts, types.CompletedPart{PartNumber: num, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	w.buf = w.buf[:0]
	return nil
}

// Close publishes the object. Closing again returns the same result.
func (w *writer) Close() error {
	if w.done {
		return w.err
	}
	if w.uploadID == "" {
		_, err := w.api.PutObject(w.ctx, &s3.PutObjectInput{
			Bucket: aws.String(w.bucket), Key: aws.String(w.key),
			Body: bytes.NewReader(w.buf), ContentLength: aws.Int64(int64(len(w.buf))),
		})
		if err != nil {
			w.fail(fmt.Errorf("put: %w", classify(err)))
			return w.err
		}
		w.done, w.buf = true, nil
		return nil
	}
	if len(w.buf) > 0 {
		if err := w.uploadPart(); err != nil {
			w.fail(err)
			return w.err
		}
	}
	_, err := w.api.CompleteMultipartUpload(w.ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(w.bucket), Key: aws.String(w.key), UploadId: aws.String(w.uploadID),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: w.parts},
	})
	if err != nil {
		w.fail(fmt.Errorf("complete multipart upload: %w", classify(err)))
		return w.err
	}
	w.done, w.buf = true, nil
	return nil
}

// Abort discards the write; Write and Close fail after it. After a
// successful Close it does nothing.
func (w *writer) Abort() {
	if !w.done {
		w.done, w.buf = true, nil
		w.err = fmt.Errorf("write %s: %w", w.url, errAborted)
		w.abortUpload()
	}
}

// fail records the first error and discards the upload.
func (w *writer) fail(err error) {
	w.err = fmt.Errorf("write %s: %w", w.url, err)
	w.done, w.buf = true, nil
	w.abortUpload()
}

func (w *writer) abortUpload() {
	if w.uploadID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.ctx), abortTimeout)
	defer cancel()
	// Nothing to report to: Abort has no result, and fail already has
	// the error that matters.
	_, _ = w.api.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: aws.String(w.bucket), Key: aws.String(w.key), UploadId: aws.String(w.uploadID),
	})
	w.uploadID = ""
}

// Remove deletes the object. A missing object, or bucket, is not an error.
func (s *Store) Remove(ctx context.Context, u string) error {
	bucket, key, err := ParseURL(u)
	if err != nil {
		return err
	}
	if key == "" {
		return fmt.Errorf("remove %s: the URL names a bucket, not an object", u)
	}
	api, err := s.client(ctx)
	if err != nil {
		return err
	}
	_, err = api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil && status(err) != 404 {
		return fmt.Errorf("remove %s: %w", u, classify(err))
	}
	return nil
}
