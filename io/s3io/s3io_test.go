package s3io

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/io/objstore"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url, bucket, key string
		err              bool
	}{
		{url: "s3://bills/cur/report/x.csv.gz", bucket: "bills", key: "cur/report/x.csv.gz"},
		{url: "s3://bills", bucket: "bills"},
		{url: "s3://bills/", bucket: "bills"},
		{url: "s3://bills/cur/", bucket: "bills", key: "cur/"},
		// Keys are literal: no percent-decoding, no fragments or queries.
		{url: "s3://bills/usage_date=2024-01-02/a%20b#c?d", bucket: "bills", key: "usage_date=2024-01-02/a%20b#c?d"},
		{url: "s3:///key", err: true},
		{url: "s3://", err: true},
		{url: "gs://bills/x", err: true},
		{url: "/tmp/x", err: true},
	} {
		b, k, err := ParseURL(tc.url)
		if tc.err {
			if err == nil {
				t.Errorf("ParseURL(%q) = %q, %q; want an error", tc.url, b, k)
			}
			continue
		}
		if err != nil || b != tc.bucket || k != tc.key {
			t.Errorf("ParseURL(%q) = %q, %q, %v; want %q, %q", tc.url, b, k, err, tc.bucket, tc.key)
		}
		if tc.key != "" && URL(b, k) != tc.url {
			t.Errorf("URL(%q, %q) = %q, want %q", b, k, URL(b, k), tc.url)
		}
	}
}

func TestNewOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  OptionFn
		ok   bool
	}{
		{"part size 5 MiB", PartSize(5 << 20), true},
		{"part size too small", PartSize(1 << 20), false},
		{"part size too big", PartSize(6 << 30), false},
		{"page size 1", ListPageSize(1), true},
		{"page size 0", ListPageSize(0), false},
		{"page size 1001", ListPageSize(1001), false},
		{"concurrency 1", ListConcurrency(1), true},
		{"concurrency 0", ListConcurrency(0), false},
	} {
		_, err := New(nil, tc.opt)
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), "s3io.New")) {
			t.Errorf("%s: err = %v, want an s3io.New error", tc.name, err)
		}
	}
}

func TestRegistered(t *testing.T) {
	s, err := objstore.For("s3://bills/x")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*Store); !ok {
		t.Errorf("For(s3://) = %T, want *s3io.Store", s)
	}
}

func TestCheckBucket(t *testing.T) {
	b := newBucket(t)
	ctx := context.Background()
	if err := CheckBucket(ctx, b); err != nil {
		t.Errorf("CheckBucket(%s) = %v", b, err)
	}
	err := CheckBucket(ctx, b+"-missing")
	if !errors.Is(err, objstore.ErrNotFound) || errors.Is(err, ErrAccessDenied) || !strings.Contains(err.Error(), b+"-missing does not exist") {
		t.Errorf("CheckBucket(missing) = %v, want ErrNotFound naming the bucket", err)
	}
}
