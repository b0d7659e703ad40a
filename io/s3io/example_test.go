package s3io_test

import (
	"context"
	"fmt"
	"io"
	"log"

	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/s3io"
)

func ExampleParseURL() {
	bucket, key, err := s3io.ParseURL("s3://billing-exports/cur/report/usage_date=2024-01-02/part-0.parquet")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bucket)
	fmt.Println(key)
	// Output:
	// billing-exports
	// cur/report/usage_date=2024-01-02/part-0.parquet
}

// Callers reach S3 through objstore, as they reach local folders: importing
// s3io registers the s3:// scheme.
func Example() {
	ctx := context.Background()
	root := "s3://billing-exports/cur/report"
	store, err := objstore.For(root)
	if err != nil {
		log.Fatal(err)
	}
	objs, err := store.List(ctx, root)
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range objs {
		rc, err := store.Open(ctx, o.URL)
		if err != nil {
			log.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(o.Key, o.ETag, n)
	}
}

// CheckBucket tells a missing bucket from one the credentials may not use.
func ExampleCheckBucket() {
	if err := s3io.CheckBucket(context.Background(), "billing-exports"); err != nil {
		log.Fatal(err) // wraps objstore.ErrNotFound or s3io.ErrAccessDenied
	}
}
