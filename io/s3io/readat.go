package s3io

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithytime "github.com/aws/smithy-go/time"

	"github.com/curpipe/curpipe/io/awsretry"
	"github.com/curpipe/curpipe/io/objstore"
)

const (
	// blockSize is the unit OpenAt fetches and caches: large enough that a
	// zip entry inflated through 4 KiB reads costs one request per MiB.
	blockSize = 1 << 20
	// cacheBlocks is how many recent blocks OpenAt keeps besides the tail.
	cacheBlocks = 2
)

// OpenAt gives random access to the object through ranged GetObject
// requests for the ETag HeadObject saw, so a replaced object fails with
// ErrChanged. Small reads are served from 1 MiB blocks: the last two used
// and the object's last MiB, where Parquet footers and zip directories
// live. Reads of a block or more are one request each. The reader uses ctx
// until it is closed; it is safe for concurrent ReadAt calls.
func (s *Store) OpenAt(ctx context.Context, u string) (objstore.ReaderAt, error) {
	bucket, key, err := ParseURL(u)
	if err != nil {
		return nil, err
	}
	api, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	h, err := api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", u, classify(err))
	}
	return &readerAt{
		ctx: ctx, api: api, wrap: s.wrapBody, url: u, bucket: bucket, key: key,
		etag: aws.ToString(h.ETag), size: aws.ToInt64(h.ContentLength),
	}, nil
}

type block struct {
	off int64
	b   []byte
}

func (b *block) holds(pos int64) bool { return b != nil && pos >= b.off && pos < b.off+int64(len(b.b)) }

// readerAt is OpenAt's cached ranged reader.
type readerAt struct {
	ctx    context.Context
	api    s3API
	wrap   func(io.ReadCloser) io.ReadCloser
	url    string
	bucket string
	key    string
	etag   string
	size   int64
	gets   atomic.Int64 // GetObject calls, for tests of the cache

	mu     sync.Mutex
	tail   *block
	recent []*block // most recently used first
	closed bool
}

func (r *readerAt) Size() int64 { return r.size }

func (r *readerAt) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed, r.tail, r.recent = true, nil, nil
	return nil
}

func (r *readerAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read %s: negative offset %d", r.url, off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := p
	if rem := r.size - off; int64(len(p)) > rem {
		want = p[:rem]
	}
	var (
		n   int
		err error
	)
	if len(want) >= blockSize {
		// A big read (a Parquet column chunk) is worth its own request and
		// would only evict the blocks that small reads come back to.
		n, err = r.fetch(want, off)
	} else {
		for n < len(want) && err == nil {
			pos := off + int64(n)
			var b *block
			if b, err = r.block(pos); err == nil {
				n += copy(want[n:], b.b[pos-b.off:])
			}
		}
	}
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// block returns a cached block holding pos, fetching it when needed.
func (r *readerAt) block(pos int64) (*block, error) {
	tailStart := max(0, r.size-blockSize)
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, fmt.Errorf("read %s: %w", r.url, errClosed)
	}
	if r.tail.holds(pos) {
		r.mu.Unlock()
		return r.tail, nil
	}
	for i, b := range r.recent {
		if b.holds(pos) {
			copy(r.recent[1:i+1], r.recent[:i])
			r.recent[0] = b
			r.mu.Unlock()
			return b, nil
		}
	}
	r.mu.Unlock()

	// Fetched unlocked, so concurrent readers do not queue behind one
	// request; at worst two of them fetch the same block.
	start, end := pos/blockSize*blockSize, min(pos/blockSize*blockSize+blockSize, r.size)
	isTail := pos >= tailStart
	if isTail {
		start, end = tailStart, r.size
	}
	b := &block{off: start, b: make([]byte, end-start)}
	if _, err := r.fetch(b.b, start); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if isTail {
		r.tail = b
	} else {
		r.recent = append([]*block{b}, r.recent[:min(len(r.recent), cacheBlocks-1)]...)
	}
	return b, nil
}

// fetch fills p from the object at off, resuming a broken body.
func (r *readerAt) fetch(p []byte, off int64) (int, error) {
	n := 0
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := smithytime.SleepWithContext(r.ctx, backoff.Delay(attempt)); err != nil {
				return n, fmt.Errorf("read %s at byte %d: %w", r.url, off+int64(n), err)
			}
		}
		m, again, err := r.get(p[n:], off+int64(n))
		n += m
		if err == nil {
			return n, nil
		}
		if !again || attempt >= maxResumes {
			return n, fmt.Errorf("read %s at byte %d: %w", r.url, off+int64(n), err)
		}
	}
}

// get is one ranged GetObject into p. again says whether the error came
// from a broken body, which is worth another request; the SDK has already
// retried the call itself.
func (r *readerAt) get(p []byte, off int64) (n int, again bool, err error) {
	r.gets.Add(1)
	out, err := r.api.GetObject(r.ctx, &s3.GetObjectInput{
		Bucket: aws.String(r.bucket), Key: aws.String(r.key),
		Range:   aws.String(fmt.Sprintf("bytes=%d-%d", off, off+int64(len(p))-1)),
		IfMatch: ifMatch(r.etag),
	})
	if err != nil {
		return 0, false, classify(err)
	}
	body := out.Body
	if r.wrap != nil {
		body = r.wrap(body)
	}
	defer body.Close()
	if got := aws.ToInt64(out.ContentLength); got != int64(len(p)) {
		return 0, false, fmt.Errorf("asked for %d bytes, got %d (Content-Range %q)", len(p), got, aws.ToString(out.ContentRange))
	}
	n, err = io.ReadFull(body, p)
	return n, err != nil && awsretry.Dropped(r.ctx, err), err
}
