package s3io

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/curpipe/curpipe/io/objstore"
)

func TestOpenAt(t *testing.T) {
	const size = 3<<20 + 512<<10 // blocks 0-3; the tail holds the last MiB
	data := randomBytes(size)
	b := newBucket(t)
	put(t, b, map[string][]byte{"big.parquet": data, "small": []byte("0123456789")})
	s := newStore(t)
	ctx := context.Background()
	ra, err := s.OpenAt(ctx, "s3://"+b+"/big.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	if ra.Size() != size {
		t.Errorf("Size = %d, want %d", ra.Size(), size)
	}
	for _, tc := range []struct {
		name  string
		off   int64
		n     int
		wantN int
		eof   bool
	}{
		{"start", 0, 512, 512, false},
		{"middle, across a block edge", 3<<19 - 100, 200, 200, false},
		{"across the tail's start", size - 1<<20 - 10, 20, 20, false},
		{"footer length", size - 8, 8, 8, false},
		{"past the end", size - 4, 16, 4, true},
		{"at the end", size, 1, 0, true},
		{"beyond the end", size + 10, 1, 0, true},
		{"large, one request", 100, 2 << 20, 2 << 20, false},
		{"large, to the end", 1 << 20, 3 << 20, size - 1<<20, true},
		{"whole", 0, size, size, false},
		{"empty", 5, 0, 0, false},
	} {
		p := make([]byte, tc.n)
		n, err := ra.ReadAt(p, tc.off)
		if n != tc.wantN || (err == io.EOF) != tc.eof || (err != nil && err != io.EOF) {
			t.Errorf("%s: ReadAt(%d bytes at %d) = %d, %v; want %d, EOF %v", tc.name, tc.n, tc.off, n, err, tc.wantN, tc.eof)
			continue
		}
		if !bytes.Equal(p[:n], data[min(tc.off, size):min(tc.off, size)+int64(n)]) {
			t.Errorf("%s: wrong bytes", tc.name)
		}
	}
	if _, err := ra.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("ReadAt(-1) succeeded")
	}

	// A small object is one request, whatever is read of it.
	ra2, err := s.OpenAt(ctx, "s3://"+b+"/small")
	if err != nil {
		t.Fatal(err)
	}
	defer ra2.Close()
	for off := range int64(10) {
		p := make([]byte, 3)
		n, err := ra2.ReadAt(p, off)
		if want := min(3, 10-off); int64(n) != want || string(p[:n]) != "0123456789"[off:off+want] || (n < 3) != (err == io.EOF) {
			t.Errorf("small: ReadAt(3 at %d) = %q, %v", off, p[:n], err)
		}
	}
	if g := ra2.(*readerAt).gets.Load(); g != 1 {
		t.Errorf("small object: %d GetObject calls, want 1", g)
	}

	if _, err := s.OpenAt(ctx, "s3://"+b+"/missing"); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("OpenAt(missing) = %v, want ErrNotFound", err)
	}
	ra2.Close()
	if _, err := ra2.ReadAt(make([]byte, 1), 0); err == nil {
		t.Error("ReadAt after Close succeeded")
	}
}

// TestOpenAtCache counts the requests behind a Parquet-like read pattern.
func TestOpenAtCache(t *testing.T) {
	const size = 3<<20 + 512<<10
	b := newBucket(t)
	put(t, b, map[string][]byte{"obj": randomBytes(size)})
	ra, err := newStore(t).OpenAt(context.Background(), "s3://"+b+"/obj")
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	for _, tc := range []struct {
		name string
		off  int64
		n    int
		gets int64 // total so far
	}{
		{"magic at the end", size - 4, 4, 1},
		{"footer length", size - 8, 4, 1},
		{"footer", size - 40<<10, 40<<10 - 8, 1},
		{"magic at the start", 0, 4, 2},
		{"header", 4, 512, 2},
		{"block 1", 1<<20 + 5, 10, 3},
		{"block 0 again", 10, 10, 3},
		{"block 2 evicts block 1", 2<<20 + 1, 1, 4},
		{"block 0 still cached", 100, 1, 4},
		{"block 1 again", 1 << 20, 1, 5},
		{"in the tail region", 2<<20 + 600<<10, 100, 5},
		{"large reads bypass the cache", 0, 1 << 20, 6},
		{"and keep it", 1<<20 + 1, 1, 6},
	} {
		if _, err := ra.ReadAt(make([]byte, tc.n), tc.off); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if g := ra.(*readerAt).gets.Load(); g != tc.gets {
			t.Errorf("%s: %d GetObject calls so far, want %d", tc.name, g, tc.gets)
		}
	}
}

func TestOpenAtConcurrent(t *testing.T) {
	const size = 5<<20 + 3
	data := randomBytes(size)
	b := newBucket(t)
	put(t, b, map[string][]byte{"obj": data})
	ra, err := newStore(t).OpenAt(context.Background(), "s3://"+b+"/obj")
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 50 {
				off, n := r.Int64N(size), 1+r.IntN(64<<10)
				p := make([]byte, n)
				got, err := ra.ReadAt(p, off)
				if (err != nil && err != io.EOF) || !bytes.Equal(p[:got], data[off:off+int64(got)]) {
					t.Errorf("ReadAt(%d at %d) = %d, %v or wrong bytes", n, off, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestOpenAtChanged(t *testing.T) {
	b := newBucket(t)
	put(t, b, map[string][]byte{"obj": randomBytes(3 << 20)})
	ra, err := newStore(t).OpenAt(context.Background(), "s3://"+b+"/obj")
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	if _, err := ra.ReadAt(make([]byte, 10), 0); err != nil {
		t.Fatal(err)
	}
	put(t, b, map[string][]byte{"obj": randomBytes(3<<20 + 1)})
	if _, err := ra.ReadAt(make([]byte, 10), 1<<20); !errors.Is(err, ErrChanged) {
		t.Errorf("ReadAt after replacement = %v, want ErrChanged", err)
	}
	if _, err := ra.ReadAt(make([]byte, 2<<20), 0); !errors.Is(err, ErrChanged) {
		t.Errorf("large ReadAt after replacement = %v, want ErrChanged", err)
	}
}

func TestOpenAtResume(t *testing.T) {
	data := randomBytes(3 << 20)
	for _, tc := range []struct {
		name   string
		brk    *breaker
		n      int
		fail   bool
		bodies int
	}{
		{"block, reset once", &breaker{after: 1000, times: 1, err: errReset}, 100, false, 2},
		{"large read, reset twice", &breaker{after: 512 << 10, times: 2, err: errReset}, 2 << 20, false, 3},
		{"body ends early", &breaker{after: 10, times: 1, err: io.EOF}, 2 << 20, false, 2},
		{"reset every time", &breaker{after: 10, times: 100, err: errReset}, 100, true, 1 + maxResumes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBucket(t)
			put(t, b, map[string][]byte{"obj": data})
			s := newStore(t)
			s.wrapBody = tc.brk.wrap
			ra, err := s.OpenAt(context.Background(), "s3://"+b+"/obj")
			if err != nil {
				t.Fatal(err)
			}
			defer ra.Close()
			p := make([]byte, tc.n)
			n, err := ra.ReadAt(p, 7)
			if tc.fail != (err != nil) || (!tc.fail && !bytes.Equal(p[:n], data[7:7+tc.n])) {
				t.Errorf("ReadAt = %d, %v; want failure %v", n, err, tc.fail)
			}
			if tc.fail && !errors.Is(err, errReset) {
				t.Errorf("ReadAt = %v, want the connection error", err)
			}
			if got := tc.brk.opened(); got != tc.bodies {
				t.Errorf("%d bodies, want %d", got, tc.bodies)
			}
		})
	}
}
