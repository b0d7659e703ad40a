package localfs_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/curpipe/curpipe/io/localfs"
	"github.com/curpipe/curpipe/io/objstore"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func keys(infos []objstore.Info) []string {
	var out []string
	for _, i := range infos {
		out = append(out, i.Key)
	}
	return out
}

func TestList(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a", "x.csv"), "1")
	write(t, filepath.Join(dir, "a", "y.csv.gz"), "22")
	write(t, filepath.Join(dir, "b", "z.csv"), "333")
	write(t, filepath.Join(dir, "a", ".x.csv.tmp-1"), "unfinished")
	write(t, filepath.Join(dir, ".hidden", "h.csv"), "h")
	ctx := context.Background()
	for _, tc := range []struct {
		root string
		want []string
	}{
		{dir, []string{"a/x.csv", "a/y.csv.gz", "b/z.csv"}},
		{"file://" + dir, []string{"a/x.csv", "a/y.csv.gz", "b/z.csv"}},
		{filepath.Join(dir, "a"), []string{"x.csv", "y.csv.gz"}},
		{filepath.Join(dir, "a", "x.csv"), []string{"x.csv"}},
		{filepath.Join(dir, "*", "*.csv"), []string{"a/x.csv", "b/z.csv"}},
		{filepath.Join(dir, "[ab]"), []string{"a/x.csv", "a/y.csv.gz", "b/z.csv"}},
	} {
		got, err := localfs.Store{}.List(ctx, tc.root)
		if err != nil {
			t.Errorf("List(%s): %v", tc.root, err)
			continue
		}
		if !reflect.DeepEqual(keys(got), tc.want) {
			t.Errorf("List(%s) = %v, want %v", tc.root, keys(got), tc.want)
		}
		for _, i := range got {
			if !filepath.IsAbs(i.URL) || i.ModTime.IsZero() {
				t.Errorf("List(%s): %+v wants an absolute URL and a time", tc.root, i)
			}
		}
	}
	if _, err := (localfs.Store{}).List(ctx, filepath.Join(dir, "missing")); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("List(missing) = %v, want ErrNotFound", err)
	}
}

func TestCreateIsAtomic(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	target := filepath.Join(dir, "deep", "out.csv")
	w, err := localfs.Store{}.Create(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "half")
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("target visible before Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "half" {
		t.Fatalf("after Close: %q", b)
	}

	w, err = localfs.Store{}.Create(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "discarded")
	w.Abort()
	if b, _ := os.ReadFile(target); string(b) != "half" {
		t.Fatalf("Abort changed the target: %q", b)
	}
	left, _ := os.ReadDir(filepath.Dir(target))
	if len(left) != 1 {
		t.Errorf("Abort left files behind: %v", left)
	}
}

func TestReadWriteRemove(t *testing.T) {
	ctx := context.Background()
	u := filepath.Join(t.TempDir(), "s", "state.json")
	if err := objstore.WriteAll(ctx, u, []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	b, err := objstore.ReadAll(ctx, "file://"+u)
	if err != nil || string(b) != `{"v":1}` {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}
	ra, err := localfs.Store{}.OpenAt(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if _, err := ra.ReadAt(buf, 2); err != nil || string(buf) != `v":` || ra.Size() != 7 {
		t.Errorf("ReadAt = %q, %v, size %d", buf, err, ra.Size())
	}
	ra.Close()
	for i := 0; i < 2; i++ { // removing twice is fine
		if err := objstore.Remove(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := objstore.ReadAll(ctx, u); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("ReadAll after Remove = %v, want ErrNotFound", err)
	}
	if _, err := (localfs.Store{}).Stat(ctx, u); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("Stat after Remove = %v, want ErrNotFound", err)
	}
}

func TestFor(t *testing.T) {
	if _, err := objstore.For("gs://bucket/x"); err == nil {
		t.Error("For(gs://) found a store")
	}
	if s, err := objstore.For("/tmp/x"); err != nil || s == nil {
		t.Errorf("For(/tmp/x) = %v, %v", s, err)
	}
}
