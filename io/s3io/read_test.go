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

func TestStat(t *testing.T) {
	b := newBucket(t)
	put(t, b, map[string][]byte{"cur/x.csv": []byte("12345")})
	s := newStore(t)
	ctx := context.Background()
	i, err := s.Stat(ctx, "s3://"+b+"/cur/x.csv")
	if err != nil {
		t.Fatal(err)
	}
	if i.Key != "x.csv" || i.Size != 5 || i.ModTime.IsZero() || len(i.ETag) != 32 || i.URL != "s3://"+b+"/cur/x.csv" {
		t.Errorf("Stat = %+v", i)
	}
	for _, u := range []string{"s3://" + b + "/cur/missing.csv", "s3://" + b + "/cur", "s3://" + b + "-missing/x"} {
		if _, err := s.Stat(ctx, u); !errors.Is(err, objstore.ErrNotFound) || !strings.Contains(err.Error(), u) {
			t.Errorf("Stat(%s) = %v, want ErrNotFound naming the URL", u, err)
		}
	}
}

func TestOpen(t *testing.T) {
	b := newBucket(t)
	objs := map[string][]byte{}
	for _, n := range []int{0, 1, 100 << 10, 3<<20 + 17} {
		objs[strings.Repeat("x", 1+n%7)+"/"+string(rune('a'+n%26))] = randomBytes(n)
	}
	put(t, b, objs)
	s := newStore(t)
	ctx := context.Background()
	for k, want := range objs {
		rc, err := s.Open(ctx, "s3://"+b+"/"+k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Open(%s): %d bytes, %v; want %d bytes", k, len(got), err, len(want))
		}
		if err := rc.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if _, err := rc.Read(make([]byte, 1)); err == nil || err == io.EOF {
			t.Errorf("Read after Close = %v, want an error", err)
		}
	}
	if _, err := s.Open(ctx, "s3://"+b+"/missing"); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("Open(missing) = %v, want ErrNotFound", err)
	}
}

// TestOpenResume breaks the connection under Open's reader and checks that
// it resumes where it stopped, for the same version only.
func TestOpenResume(t *testing.T) {
	data := randomBytes(300 << 10)
	boom := errors.New("not a network error")
	for _, tc := range []struct {
		name    string
		brk     *breaker
		replace bool  // replace the object when the connection breaks
		err     error // wanted; nil: the whole object
		bodies  int   // GetObject bodies opened
	}{
		{name: "reset once", brk: &breaker{after: 100 << 10, times: 1, err: errReset}, bodies: 2},
		{name: "reset at the start", brk: &breaker{after: 0, times: 1, err: errReset}, bodies: 2},
		{name: "reset three times", brk: &breaker{after: 50 << 10, times: 3, err: errReset}, bodies: 4},
		{name: "body ends early", brk: &breaker{after: 200 << 10, times: 1, err: io.EOF}, bodies: 2},
		{name: "unexpected EOF", brk: &breaker{after: 1, times: 1, err: io.ErrUnexpectedEOF}, bodies: 2},
		{name: "reset every time", brk: &breaker{after: 10, times: 100, err: errReset}, err: errReset, bodies: 1 + maxResumes},
		{name: "other error", brk: &breaker{after: 10, times: 1, err: boom}, err: boom, bodies: 1},
		{name: "replaced meanwhile", brk: &breaker{after: 100 << 10, times: 1, err: errReset}, replace: true, err: ErrChanged, bodies: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBucket(t)
			put(t, b, map[string][]byte{"obj": data})
			if tc.replace {
				tc.brk.onBreak = func() { put(t, b, map[string][]byte{"obj": []byte("new version")}) }
			}
			s := newStore(t)
			s.wrapBody = tc.brk.wrap
			rc, err := s.Open(context.Background(), "s3://"+b+"/obj")
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if tc.err == nil && (err != nil || !bytes.Equal(got, data)) {
				t.Errorf("read %d bytes, %v; want %d bytes", len(got), err, len(data))
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("read: %v, want %v", err, tc.err)
			}
			if n := tc.brk.opened(); n != tc.bodies {
				t.Errorf("%d bodies opened, want %d", n, tc.bodies)
			}
		})
	}
}
