package s3io

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/io/objstore"
)

// write writes data in chunks of the given size.
func write(t *testing.T, w objstore.Writer, data []byte, chunk int) {
	t.Helper()
	for len(data) > 0 {
		n := min(chunk, len(data))
		if m, err := w.Write(data[:n]); err != nil || m != n {
			t.Fatalf("Write = %d, %v", m, err)
		}
		data = data[n:]
	}
}

func TestCreate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		size  int
		chunk int
		parts int // 0: a single PutObject
	}{
		{"empty", 0, 1, 0},
		{"small", 10, 3, 0},
		{"just under a part", DefaultPartSize - 1, 1 << 20, 0},
		{"exactly a part", DefaultPartSize, DefaultPartSize, 1},
		{"multipart", 20 << 20, 1<<20 + 3, 3},
		{"one big write", 17 << 20, 17 << 20, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBucket(t)
			u := "s3://" + b + "/out/" + strings.ReplaceAll(tc.name, " ", "_")
			s := newStore(t)
			ctx := context.Background()
			data := randomBytes(tc.size)
			w, err := s.Create(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			write(t, w, data, tc.chunk)
			if _, err := s.Stat(ctx, u); !errors.Is(err, objstore.ErrNotFound) {
				t.Errorf("object visible before Close: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Errorf("second Close = %v", err)
			}
			if _, err := w.Write([]byte("x")); err == nil {
				t.Error("Write after Close succeeded")
			}
			w.Abort() // after Close: nothing to undo
			got, err := objstore.ReadAll(ctx, u)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("read back %d bytes, %v; want %d", len(got), err, len(data))
			}
			i, err := s.Stat(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			// S3 names a multipart object's part count in its ETag.
			if _, n, _ := strings.Cut(i.ETag, "-"); (tc.parts > 0) != (n != "") || (n != "" && n != string(rune('0'+tc.parts))) {
				t.Errorf("ETag %s, want %d parts", i.ETag, tc.parts)
			}
			if ups := pendingUploads(t, b); len(ups) != 0 {
				t.Errorf("uploads left: %v", ups)
			}
		})
	}
}

func TestCreateAbort(t *testing.T) {
	for _, tc := range []struct {
		name   string
		size   int
		cancel bool // cancel the write's context before Abort
	}{
		{"small", 100, false},
		{"multipart", 20 << 20, false},
		{"multipart, context cancelled", 20 << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBucket(t)
			u := "s3://" + b + "/out.csv"
			put(t, b, map[string][]byte{"out.csv": []byte("committed")})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w, err := newStore(t).Create(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			write(t, w, randomBytes(tc.size), 1<<20)
			if tc.size > DefaultPartSize && len(pendingUploads(t, b)) != 1 {
				t.Fatalf("no multipart upload under way: %v", pendingUploads(t, b))
			}
			if tc.cancel {
				cancel()
			}
			w.Abort()
			w.Abort()
			if err := w.Close(); !errors.Is(err, errAborted) {
				t.Errorf("Close after Abort = %v, want errAborted", err)
			}
			if _, err := w.Write([]byte("x")); !errors.Is(err, errAborted) {
				t.Errorf("Write after Abort = %v, want errAborted", err)
			}
			if got, err := objstore.ReadAll(context.Background(), u); string(got) != "committed" {
				t.Errorf("Abort changed the object: %q, %v", got, err)
			}
			if ups := pendingUploads(t, b); len(ups) != 0 {
				t.Errorf("Abort left uploads: %v", ups)
			}
		})
	}
}

func TestCreateErrors(t *testing.T) {
	b := newBucket(t)
	s := newStore(t)
	ctx := context.Background()
	for _, u := range []string{"s3://" + b, "s3://" + b + "/", "s3://" + b + "/folder/"} {
		if _, err := s.Create(ctx, u); err == nil {
			t.Errorf("Create(%s) succeeded", u)
		}
	}
	for _, size := range []int{10, 9 << 20} {
		u := "s3://" + b + "-missing/x"
		w, err := s.Create(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.Write(randomBytes(size))
		if err == nil {
			err = w.Close()
		}
		if !errors.Is(err, objstore.ErrNotFound) || !strings.Contains(err.Error(), "write "+u) {
			t.Errorf("writing %d bytes to a missing bucket: %v", size, err)
		}
		if err2 := w.Close(); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("Close after a failure = %v, want %v", err2, err)
		}
	}
}

func TestRemove(t *testing.T) {
	b := newBucket(t)
	put(t, b, map[string][]byte{"a/x.csv": []byte("1")})
	s := newStore(t)
	ctx := context.Background()
	for _, u := range []string{"s3://" + b + "/a/x.csv", "s3://" + b + "/a/x.csv", "s3://" + b + "/never", "s3://" + b + "-missing/x"} {
		if err := s.Remove(ctx, u); err != nil {
			t.Errorf("Remove(%s) = %v", u, err)
		}
	}
	if _, err := s.Stat(ctx, "s3://"+b+"/a/x.csv"); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("Stat after Remove = %v, want ErrNotFound", err)
	}
	if err := s.Remove(ctx, "s3://"+b); err == nil {
		t.Error("Remove(bucket) succeeded")
	}
}

// TestLocalfsShape runs localfs's read-write-remove case through the
// registry with s3:// URLs: the pipeline must not tell the stores apart.
func TestLocalfsShape(t *testing.T) {
	b := newBucket(t)
	newStore(t)
	ctx := context.Background()
	u := "s3://" + b + "/s/state.json"
	if err := objstore.WriteAll(ctx, u, []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	got, err := objstore.ReadAll(ctx, u)
	if err != nil || string(got) != `{"v":1}` {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	s, err := objstore.For(u)
	if err != nil {
		t.Fatal(err)
	}
	ra, err := s.OpenAt(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if _, err := ra.ReadAt(buf, 2); err != nil || string(buf) != `v":` || ra.Size() != 7 {
		t.Errorf("ReadAt = %q, %v, size %d", buf, err, ra.Size())
	}
	ra.Close()
	list, err := s.List(ctx, "s3://"+b+"/s")
	if err != nil || len(list) != 1 || list[0].Key != "state.json" || list[0].URL != u || list[0].Size != 7 {
		t.Errorf("List = %+v, %v", list, err)
	}
	for range 2 {
		if err := objstore.Remove(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := objstore.ReadAll(ctx, u); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("ReadAll after Remove = %v, want ErrNotFound", err)
	}
	rc, err := s.Open(ctx, u)
	if err == nil {
		io.Copy(io.Discard, rc)
		rc.Close()
		t.Error("Open after Remove succeeded")
	}
}
