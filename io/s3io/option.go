package s3io

import (
	"context"
	"fmt"
	"strings"

	"github.com/curpipe/curpipe/io/objstore"
)

// Defaults for a Store's options.
const (
	// DefaultPartSize is how much a Writer buffers before it switches to a
	// multipart upload, and the size of each part after that.
	DefaultPartSize = 8 << 20
	// DefaultListPageSize is the largest page ListObjectsV2 returns.
	DefaultListPageSize = 1000
	// DefaultListConcurrency bounds the folders List reads at once.
	DefaultListConcurrency = 8

	minPartSize = 5 << 20 // S3's floor for every part but the last
	maxPartSize = 5 << 30 // and its ceiling for any part
)

type options struct {
	partSize        int64
	listPageSize    int32
	listConcurrency int
	role            string // IAM role ARN to assume; "" uses the process's credentials
}

// withDefaults fills the options left unset, so that a zero Store works.
func (o options) withDefaults() options {
	if o.partSize == 0 {
		o.partSize = DefaultPartSize
	}
	if o.listPageSize == 0 {
		o.listPageSize = DefaultListPageSize
	}
	if o.listConcurrency == 0 {
		o.listConcurrency = DefaultListConcurrency
	}
	return o
}

// OptionFn configures a Store made by New.
type OptionFn func(*options) error

// PartSize sets the Writer's buffer and multipart part size, between S3's
// 5 MiB and 5 GiB.
func PartSize(n int64) OptionFn {
	return func(o *options) error {
		if n < minPartSize || n > maxPartSize {
			return fmt.Errorf("part size %d outside S3's [%d, %d]", n, minPartSize, maxPartSize)
		}
		o.partSize = n
		return nil
	}
}

// ListPageSize sets ListObjectsV2's MaxKeys, between 1 and 1000. Smaller
// pages only make sense in tests.
func ListPageSize(n int32) OptionFn {
	return func(o *options) error {
		if n < 1 || n > 1000 {
			return fmt.Errorf("list page size %d outside [1, 1000]", n)
		}
		o.listPageSize = n
		return nil
	}
}

// ListConcurrency sets how many first-level folders List reads at once.
func ListConcurrency(n int) OptionFn {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("list concurrency %d is not positive", n)
		}
		o.listConcurrency = n
		return nil
	}
}

// Role makes the Store call S3 as the IAM role roleARN, assumed through
// STS with the process's credentials: a payer account's exports read
// from that account's own bucket.
func Role(roleARN string) OptionFn {
	return func(o *options) error {
		if roleARN == "" {
			return fmt.Errorf("empty role ARN")
		}
		o.role = roleARN
		return nil
	}
}

// SourceRole is the IAM role the objects under Prefix (an s3:// URL) are
// read as.
type SourceRole struct {
	Prefix string
	Role   string
}

// ParseSourceRole reads "s3://bucket/prefix=arn:aws:iam::ACCOUNT:role/NAME",
// the form of curpipe's --source-role flag.
func ParseSourceRole(v string) (SourceRole, error) {
	prefix, role, ok := strings.Cut(v, "=")
	if !ok {
		return SourceRole{}, fmt.Errorf("%q: want s3://bucket/prefix=ROLE_ARN", v)
	}
	bucket, key, err := ParseURL(prefix)
	if err != nil {
		return SourceRole{}, fmt.Errorf("%q: %w", v, err)
	}
	if key == "" {
		prefix = URL(bucket, "") // the whole bucket, and not another named alike
	}
	if !strings.HasPrefix(role, "arn:") || !strings.Contains(role, ":role/") {
		return SourceRole{}, fmt.Errorf("%q: %q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", v, role)
	}
	return SourceRole{Prefix: prefix, Role: role}, nil
}

// SourceRoles say which role reads which objects; objects under no
// prefix are read with the process's credentials.
type SourceRoles []SourceRole

// RoleFor returns the role the object or prefix u is read as: that of the
// longest prefix holding u, or "".
func (r SourceRoles) RoleFor(u string) string {
	best, role := -1, ""
	for _, s := range r {
		if strings.HasPrefix(u, s.Prefix) && len(s.Prefix) > best {
			best, role = len(s.Prefix), s.Role
		}
	}
	return role
}

// Store returns the store to read u from: an S3 store calling as u's
// role when it has one, else the store objstore.For gives.
func (r SourceRoles) Store(u string) (objstore.Store, error) {
	if role := r.RoleFor(u); role != "" {
		return New(nil, Role(role))
	}
	return objstore.For(u)
}

// ReadAll reads the whole object u as its role (see Store).
func (r SourceRoles) ReadAll(ctx context.Context, u string) ([]byte, error) {
	s, err := r.Store(u)
	if err != nil {
		return nil, err
	}
	return objstore.ReadFrom(ctx, s, u)
}
