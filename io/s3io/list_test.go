package s3io

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curpipe/curpipe/io/objstore"
)

func TestList(t *testing.T) {
	b := newBucket(t)
	put(t, b, map[string][]byte{
		"a/x.csv":    []byte("1"),
		"a/y.csv.gz": []byte("22"),
		"a/":         nil, // console folder markers are not data
		"a":          []byte("an object named like the folder"),
		"ab.csv":     []byte("a sibling that shares the prefix"),
		"b/z.csv":    []byte("333"),
		"b/deep/":    nil,
		"top.csv":    []byte("4444"),
		"cur/report/20240101-20240201/manifest.json":    []byte("{}"),
		"cur/report/20240101-20240201/id1/f-1.csv.gz":   []byte("55555"),
		"cur/report/20240201-20240301/id2/f-1.csv.gz":   []byte("666666"),
		"cur/report/20240201-20240301/id2/f-2.csv.gz":   []byte("7777777"),
		"cur/report/20240201-20240301/id2/sub/f-3.csv":  []byte("8"),
		"cur/report/20240201-20240301/id2/sub/sub2/f-4": []byte("9"),
	})
	all := []string{
		"a", "a/x.csv", "a/y.csv.gz", "ab.csv", "b/z.csv",
		"cur/report/20240101-20240201/id1/f-1.csv.gz",
		"cur/report/20240101-20240201/manifest.json",
		"cur/report/20240201-20240301/id2/f-1.csv.gz",
		"cur/report/20240201-20240301/id2/f-2.csv.gz",
		"cur/report/20240201-20240301/id2/sub/f-3.csv",
		"cur/report/20240201-20240301/id2/sub/sub2/f-4",
		"top.csv",
	}
	cur := func(prefix string) []string {
		var out []string
		for _, k := range all {
			if rest, ok := strings.CutPrefix(k, prefix); ok {
				out = append(out, rest)
			}
		}
		return out
	}
	root := "s3://" + b
	cases := []struct {
		name, root string
		want       []string
	}{
		{"bucket", root, all},
		{"bucket slash", root + "/", all},
		{"folder", root + "/a", []string{"x.csv", "y.csv.gz"}}, // the folder wins over the object "a"
		{"folder slash", root + "/a/", []string{"x.csv", "y.csv.gz"}},
		{"one object", root + "/a/x.csv", []string{"x.csv"}},
		{"one object at the top", root + "/top.csv", []string{"top.csv"}},
		{"object shadowed by nothing", root + "/ab.csv", []string{"ab.csv"}},
		{"only a marker below", root + "/b/deep", []string{}},
		{"single-folder levels", root + "/cur", cur("cur/")},
		{"report", root + "/cur/report", cur("cur/report/")},
		{"period", root + "/cur/report/20240201-20240301/", cur("cur/report/20240201-20240301/")},
		{"manifest", root + "/cur/report/20240101-20240201/manifest.json", []string{"manifest.json"}},
		{"missing prefix", root + "/nothing/here", []string{}},
		{"prefix of a name, not a folder", root + "/to", []string{}},
	}
	stores := map[string]*Store{
		"defaults":           newStore(t),
		"zero value":         {},
		"pages of 2":         newStore(t, ListPageSize(2)),
		"pages of 1, serial": newStore(t, ListPageSize(1), ListConcurrency(1)),
	}
	ctx := context.Background()
	for sname, s := range stores {
		for _, tc := range cases {
			t.Run(sname+"/"+tc.name, func(t *testing.T) {
				got, err := s.List(ctx, tc.root)
				if err != nil {
					t.Fatalf("List(%s): %v", tc.root, err)
				}
				if !reflect.DeepEqual(keys(got), tc.want) {
					t.Errorf("List(%s) = %q, want %q", tc.root, keys(got), tc.want)
				}
				for _, i := range got {
					if !strings.HasPrefix(i.URL, "s3://"+b+"/") || !strings.HasSuffix(i.URL, i.Key) ||
						i.ModTime.IsZero() || i.ModTime.Location() != time.UTC ||
						len(i.ETag) != 32 || strings.Contains(i.ETag, `"`) || i.Size == 0 {
						t.Errorf("List(%s): %+v wants an s3 URL ending in the key, a UTC time, a bare ETag and a size", tc.root, i)
					}
				}
			})
		}
	}
}

// TestListPages crosses S3's own 1000-key page in the delimiter listing of
// a level, where objects and folders mix (TestList crosses small pages
// everywhere else).
func TestListPages(t *testing.T) {
	b := newBucket(t)
	objs := map[string][]byte{}
	var want []string
	for i := range 1100 {
		k := fmt.Sprintf("many/%04d.csv", i)
		if i%100 == 0 {
			k = fmt.Sprintf("many/sub%d/%04d.csv", i%300, i)
		}
		objs[k] = []byte{byte(i)}
		want = append(want, strings.TrimPrefix(k, "many/"))
	}
	put(t, b, objs)
	slices.Sort(want)
	s := newStore(t)
	for _, root := range []string{"s3://" + b, "s3://" + b + "/many"} {
		got, err := s.List(context.Background(), root)
		if err != nil {
			t.Fatal(err)
		}
		k := keys(got)
		if root == "s3://"+b {
			for i := range k {
				k[i] = strings.TrimPrefix(k[i], "many/")
			}
		}
		if !reflect.DeepEqual(k, want) {
			t.Errorf("List(%s): %d keys, want %d (first diff at %d)", root, len(k), len(want), firstDiff(k, want))
		}
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestListMissingBucket(t *testing.T) {
	b := newBucket(t) + "-missing"
	for _, root := range []string{"s3://" + b, "s3://" + b + "/cur/report", "s3://" + b + "/x.csv"} {
		_, err := newStore(t).List(context.Background(), root)
		if !errors.Is(err, objstore.ErrNotFound) || !strings.Contains(err.Error(), "no bucket "+b) {
			t.Errorf("List(%s) = %v, want ErrNotFound naming the bucket", root, err)
		}
	}
}
