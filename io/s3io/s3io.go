// Package s3io is the objstore for Amazon S3 and S3-compatible endpoints,
// registered for s3://bucket/key URLs.
//
// A URL is split at the first '/' after the bucket; the rest is the key,
// taken literally (no percent-decoding), so Hive-style keys such as
// "usage_date=2024-01-02/part-0.parquet" need no escaping. S3 has no
// folders: List treats a root as the folder root + "/", keys ending in '/'
// (console "folder markers") are skipped, and an empty prefix lists as
// empty rather than missing.
//
// Reads are built for large billing objects: Open streams one GetObject
// and resumes it with a ranged request if the connection drops; OpenAt
// serves Parquet and zip readers from ranged requests and a small block
// cache. Both pin the object's ETag, so an object replaced while it is
// read fails with ErrChanged instead of mixing two versions. Writes
// buffer a part, use one PutObject for small objects and a multipart
// upload for large ones, and publish only on Close.
//
// Errors name the operation and URL and wrap the SDK's error; a 404
// matches objstore.ErrNotFound and a 403 ErrAccessDenied under errors.Is.
//
// Every Store shares one S3 client per process, built on first use from
// awsconfig.Load (so AWS_ENDPOINT_URL and friends apply), with path-style
// addressing when a custom endpoint is set.
package s3io

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/curpipe/curpipe/io/awsconfig"
	"github.com/curpipe/curpipe/io/objstore"
)

// Scheme is the URL scheme s3io serves.
const Scheme = "s3"

// ErrChanged: the object was replaced (its ETag changed) while it was read.
var ErrChanged = errors.New("object changed while being read")

// ErrAccessDenied: the credentials may not use the bucket or object (403).
var ErrAccessDenied = errors.New("access denied")

func init() {
	objstore.Register(Scheme, func() (objstore.Store, error) { return New(nil) })
}

// s3API is the part of the S3 client s3io uses.
type s3API interface {
	s3.ListObjectsV2APIClient
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	CreateMultipartUpload(context.Context, *s3.CreateMultipartUploadInput, ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(context.Context, *s3.UploadPartInput, ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(context.Context, *s3.CompleteMultipartUploadInput, ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(context.Context, *s3.AbortMultipartUploadInput, ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

var (
	clientMu sync.Mutex
	client   *s3.Client
	roleMu   sync.Mutex
	roleCli  = map[string]*s3.Client{}
)

// Client returns the process's S3 client, creating it on first use. A
// failure is not remembered, so a later call can succeed.
func Client(ctx context.Context) (*s3.Client, error) {
	clientMu.Lock()
	defer clientMu.Unlock()
	if client != nil {
		return client, nil
	}
	cfg, err := awsconfig.Load(ctx)
	if err != nil {
		return nil, err
	}
	client = newClient(cfg)
	return client, nil
}

// RoleClient returns the process's S3 client for the IAM role roleARN
// (see awsconfig.ForRole), creating it on first use.
func RoleClient(ctx context.Context, roleARN string) (*s3.Client, error) {
	roleMu.Lock()
	defer roleMu.Unlock()
	if c, ok := roleCli[roleARN]; ok {
		return c, nil
	}
	cfg, err := awsconfig.ForRole(ctx, roleARN)
	if err != nil {
		return nil, err
	}
	c := newClient(cfg)
	roleCli[roleARN] = c
	return c, nil
}

func newClient(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		// Emulators answer on an address, not on bucket host names.
		o.UsePathStyle = awsconfig.CustomEndpoint("S3")
		// Ranged GETs never carry a whole-object checksum; without this,
		// the SDK logs that it skipped validation on every one of them.
		o.DisableLogOutputChecksumValidationSkipped = true
		// Validate response checksums only where S3 requires it: a reader
		// that stops early (a footer read, a header sniff) otherwise makes
		// the SDK warn of a mismatch on close for every such object.
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
}

// Store reads and writes S3 objects. The zero value uses the process's
// Client and the default options.
type Store struct {
	api  s3API // nil: the process's Client
	opts options
	// wrapBody, when set, wraps every GetObject body; tests use it to
	// break connections.
	wrapBody func(io.ReadCloser) io.ReadCloser
}

// New returns a Store using c, or the process's Client when c is nil.
func New(c *s3.Client, opts ...OptionFn) (*Store, error) {
	s := &Store{opts: options{}.withDefaults()}
	if c != nil {
		s.api = c
	}
	for _, o := range opts {
		if err := o(&s.opts); err != nil {
			return nil, fmt.Errorf("s3io.New: %w", err)
		}
	}
	return s, nil
}

func (s *Store) client(ctx context.Context) (s3API, error) {
	if s.api != nil {
		return s.api, nil
	}
	if s.opts.role != "" {
		c, err := RoleClient(ctx, s.opts.role)
		if err != nil {
			return nil, fmt.Errorf("S3 client as %s: %w", s.opts.role, err)
		}
		return c, nil
	}
	return Client(ctx)
}

// ParseURL splits s3://bucket/key into its bucket and key. The key may be
// empty (a whole bucket) and is kept as written.
func ParseURL(u string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(u, Scheme+"://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// URL", u)
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", u)
	}
	return bucket, key, nil
}

// URL is the inverse of ParseURL.
func URL(bucket, key string) string {
	return Scheme + "://" + bucket + "/" + key
}

// CheckBucket says whether the process's credentials can use the bucket:
// nil, an error wrapping objstore.ErrNotFound when it does not exist, or
// one wrapping ErrAccessDenied when the credentials may not list it.
func CheckBucket(ctx context.Context, bucket string) error {
	c, err := Client(ctx)
	if err != nil {
		return err
	}
	return checkBucket(ctx, c, bucket)
}

func checkBucket(ctx context.Context, api s3API, bucket string) error {
	_, err := api.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return nil
	}
	var re *awshttp.ResponseError
	errors.As(err, &re)
	switch status(err) {
	case 404:
		return fmt.Errorf("bucket %s does not exist: %w", bucket, classify(err))
	case 403:
		return fmt.Errorf("bucket %s: HeadBucket needs s3:ListBucket on it: %w", bucket, classify(err))
	case 301:
		// HeadBucket's error has no body; the region is in a header.
		return fmt.Errorf("bucket %s is in region %q, not the configured one: %w",
			bucket, re.Response.Header.Get("X-Amz-Bucket-Region"), err)
	}
	return fmt.Errorf("check bucket %s: %w", bucket, err)
}

// status is the HTTP status of an AWS error, 0 when there was no response.
func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// errorCode is the S3 error code ("NoSuchBucket"), "" when there is none.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// classify makes an S3 error match the sentinel for its status, keeping
// the S3 error: 404 objstore.ErrNotFound, 403 ErrAccessDenied, and 412
// (a failed If-Match) ErrChanged.
func classify(err error) error {
	switch status(err) {
	case 404:
		return fmt.Errorf("%w: %w", objstore.ErrNotFound, err)
	case 403:
		return fmt.Errorf("%w: %w", ErrAccessDenied, err)
	case 412:
		return fmt.Errorf("%w: %w", ErrChanged, err)
	}
	return err
}

// unquote strips the quotes S3 puts around ETags.
func unquote(etag *string) string {
	return strings.Trim(aws.ToString(etag), `"`)
}
