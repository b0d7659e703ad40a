package s3io

import "fmt"

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
