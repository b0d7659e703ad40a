// Package objstore is the one interface curpipe reads and writes objects
// through, whether they live in a local folder or an S3 bucket. Stores
// register themselves by URL scheme, as database/sql drivers do.
package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrNotFound: the object does not exist.
var ErrNotFound = errors.New("object not found")

// Info describes a listed object.
type Info struct {
	URL     string // full location, usable with Open
	Key     string // path relative to the listed root, '/'-separated
	Size    int64
	ModTime time.Time
	ETag    string // "" where the store has none
}

// Store reads and writes objects.
type Store interface {
	// List returns the objects under root, recursively, sorted by Key. A
	// root that names one object lists that object. Local stores accept
	// glob patterns.
	List(ctx context.Context, root string) ([]Info, error)
	// Stat describes one object; ErrNotFound when it is missing.
	Stat(ctx context.Context, url string) (Info, error)
	// Open returns a reader of the whole object from its start.
	Open(ctx context.Context, url string) (io.ReadCloser, error)
	// OpenAt returns random access to the object, for formats that read
	// their footer first (Parquet, zip). Close it when done.
	OpenAt(ctx context.Context, url string) (ReaderAt, error)
	// Create returns a writer whose object appears, whole, only when Close
	// returns nil; an aborted write leaves no object behind.
	Create(ctx context.Context, url string) (Writer, error)
	// Remove deletes an object. A missing object is not an error.
	Remove(ctx context.Context, url string) error
}

// ReaderAt is random access to one object.
type ReaderAt interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

// Writer writes one object. Close publishes it; Abort discards it.
type Writer interface {
	io.Writer
	Close() error
	Abort()
}

var (
	mu     sync.RWMutex
	stores = map[string]func() (Store, error){}
)

// Register makes a store available for URLs with the given scheme ("" for
// plain local paths). It panics on a duplicate, as it is called from init.
func Register(scheme string, open func() (Store, error)) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := stores[scheme]; dup {
		panic("objstore: Register called twice for scheme " + scheme)
	}
	stores[scheme] = open
}

// For returns the store for a URL.
func For(u string) (Store, error) {
	scheme := Scheme(u)
	mu.RLock()
	open, ok := stores[scheme]
	mu.RUnlock()
	if !ok {
		mu.RLock()
		var known []string
		for s := range stores {
			known = append(known, s+"://")
		}
		mu.RUnlock()
		sort.Strings(known)
		return nil, fmt.Errorf("no store for %q (known: %s)", u, strings.Join(known, ", "))
	}
	return open()
}

// Scheme returns the URL scheme of u, or "" for a local path.
func Scheme(u string) string {
	i := strings.Index(u, "://")
	if i <= 0 {
		return ""
	}
	if p, err := url.Parse(u); err == nil {
		return p.Scheme
	}
	return u[:i]
}

// Join appends '/'-separated elements to a URL or local path.
func Join(base string, elem ...string) string {
	out := strings.TrimSuffix(base, "/")
	for _, e := range elem {
		e = strings.Trim(e, "/")
		if e != "" {
			out += "/" + e
		}
	}
	return out
}

// ReadAll reads a whole (small) object: a manifest, a state file.
func ReadAll(ctx context.Context, u string) ([]byte, error) {
	s, err := For(u)
	if err != nil {
		return nil, err
	}
	return ReadFrom(ctx, s, u)
}

// ReadFrom reads the whole object u from the store s.
func ReadFrom(ctx context.Context, s Store, u string) ([]byte, error) {
	rc, err := s.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	return b, nil
}

// WriteAll writes a whole (small) object atomically.
func WriteAll(ctx context.Context, u string, b []byte) error {
	s, err := For(u)
	if err != nil {
		return err
	}
	w, err := s.Create(ctx, u)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		w.Abort()
		return fmt.Errorf("write %s: %w", u, err)
	}
	return w.Close()
}

// Remove deletes u through its store.
func Remove(ctx context.Context, u string) error {
	s, err := For(u)
	if err != nil {
		return err
	}
	return s.Remove(ctx, u)
}
