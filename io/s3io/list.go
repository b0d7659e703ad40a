package s3io

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"github.com/curpipe/curpipe/io/objstore"
)

// maxSplitDepth bounds how far List descends through single-folder levels
// (bucket/cur/report/...) looking for a level that fans out.
const maxSplitDepth = 3

// List returns the objects under root, s3://bucket/prefix, recursively and
// sorted by Key, which is relative to the prefix taken as a folder
// (prefix + "/"). When no object lies under that folder and the prefix is
// itself an object's key, List returns that object alone, keyed by its
// base name. An empty folder lists as empty; a missing bucket is an error
// wrapping objstore.ErrNotFound.
func (s *Store) List(ctx context.Context, root string) ([]objstore.Info, error) {
	bucket, prefix, err := ParseURL(root)
	if err != nil {
		return nil, err
	}
	api, err := s.client(ctx)
	if err != nil {
		return nil, err
	}
	folder := prefix
	if folder != "" && !strings.HasSuffix(folder, "/") {
		folder += "/"
	}
	out, err := s.listFolder(ctx, api, bucket, folder)
	if err == nil && len(out) == 0 && folder != prefix {
		out, err = s.listExact(ctx, api, bucket, prefix)
	}
	if err != nil {
		if errorCode(err) == "NoSuchBucket" {
			return nil, fmt.Errorf("list %s: no bucket %s: %w", root, bucket, classify(err))
		}
		return nil, fmt.Errorf("list %s: %w", root, classify(err))
	}
	slices.SortFunc(out, func(a, b objstore.Info) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// listFolder lists everything under folder. Billing buckets hold many
// thousands of keys under a handful of folders (one per report, period,
// assembly), so the first level that fans out is listed with a delimiter
// and its sub-folders are then listed in parallel.
func (s *Store) listFolder(ctx context.Context, api s3API, bucket, folder string) ([]objstore.Info, error) {
	var (
		mu  sync.Mutex
		out []objstore.Info
	)
	add := func(objs []types.Object) {
		mu.Lock()
		defer mu.Unlock()
		for _, o := range objs {
			if strings.HasSuffix(aws.ToString(o.Key), "/") {
				continue // a folder marker, not data
			}
			out = append(out, info(bucket, folder, o))
		}
	}
	subs, err := s.split(ctx, api, bucket, folder, add)
	if err != nil {
		return nil, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.withDefaults().listConcurrency)
	for _, sub := range subs {
		g.Go(func() error {
			in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(sub)}
			return s.pages(gctx, api, in, func(p *s3.ListObjectsV2Output) { add(p.Contents) })
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// split lists one level of folder with a delimiter, adding the objects
// found there, and returns its sub-folders. A level holding one sub-folder
// and nothing else is split again, so that the parallel listing lands
// where the folders fan out.
func (s *Store) split(ctx context.Context, api s3API, bucket, folder string, add func([]types.Object)) ([]string, error) {
	for depth := 1; ; depth++ {
		var subs []string
		objects := 0
		in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(folder), Delimiter: aws.String("/")}
		err := s.pages(ctx, api, in, func(p *s3.ListObjectsV2Output) {
			add(p.Contents)
			objects += len(p.Contents)
			for _, cp := range p.CommonPrefixes {
				subs = append(subs, aws.ToString(cp.Prefix))
			}
		})
		if err != nil {
			return nil, err
		}
		if len(subs) != 1 || objects > 0 || depth >= maxSplitDepth {
			return subs, nil
		}
		folder = subs[0]
	}
}

// listExact returns the object whose key is exactly key, if there is one.
func (s *Store) listExact(ctx context.Context, api s3API, bucket, key string) ([]objstore.Info, error) {
	// The exact key sorts first among the keys it prefixes.
	p, err := api.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket), Prefix: aws.String(key), MaxKeys: aws.Int32(1),
	})
	if err != nil {
		return nil, err
	}
	if len(p.Contents) == 0 || aws.ToString(p.Contents[0].Key) != key {
		return nil, nil
	}
	return []objstore.Info{info(bucket, key[:strings.LastIndex(key, "/")+1], p.Contents[0])}, nil
}

// pages calls fn with every page of a listing.
func (s *Store) pages(ctx context.Context, api s3API, in *s3.ListObjectsV2Input, fn func(*s3.ListObjectsV2Output)) error {
	p := s3.NewListObjectsV2Paginator(api, in, func(o *s3.ListObjectsV2PaginatorOptions) {
		o.Limit = s.opts.withDefaults().listPageSize
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		fn(page)
	}
	return nil
}

func info(bucket, folder string, o types.Object) objstore.Info {
	key := aws.ToString(o.Key)
	return objstore.Info{
		URL:     URL(bucket, key),
		Key:     strings.TrimPrefix(key, folder),
		Size:    aws.ToInt64(o.Size),
		ModTime: aws.ToTime(o.LastModified).UTC(),
		ETag:    unquote(o.ETag),
	}
}
