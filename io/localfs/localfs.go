// Package localfs is the objstore for local folders: the embedded default,
// where curpipe runs on files with no cloud account. Plain paths and
// file:// URLs both work; List also takes glob patterns.
package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/curpipe/curpipe/io/objstore"
)

func init() {
	open := func() (objstore.Store, error) { return Store{}, nil }
	objstore.Register("", open)
	objstore.Register("file", open)
}

// Store reads and writes local files.
type Store struct{}

// Path returns the local path of a plain path or file:// URL.
func Path(u string) string {
	return filepath.Clean(strings.TrimPrefix(u, "file://"))
}

// List returns the regular files under root (a file, a folder or a glob),
// skipping hidden files, which is where Create keeps its unfinished writes.
func (Store) List(ctx context.Context, root string) ([]objstore.Info, error) {
	root = Path(root)
	var matches []string
	base := root
	if strings.ContainsAny(root, "*?[") {
		var err error
		if matches, err = filepath.Glob(root); err != nil {
			return nil, fmt.Errorf("list %s: %w", root, err)
		}
		base = staticPrefix(root)
	} else {
		st, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", root, notFound(err))
		}
		if !st.IsDir() {
			base = filepath.Dir(root)
		}
		matches = []string{root}
	}
	var out []objstore.Info
	for _, m := range matches {
		if hiddenBelow(base, m) {
			continue
		}
		err := filepath.WalkDir(m, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && p != m {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			abs, err := filepath.Abs(p)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(base, p)
			if err != nil {
				return err
			}
			out = append(out, objstore.Info{URL: abs, Key: filepath.ToSlash(rel), Size: info.Size(), ModTime: info.ModTime().UTC()})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", m, err)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// hiddenBelow reports whether a glob match passes through a hidden name
// below base, which a plain walk would have skipped too.
func hiddenBelow(base, p string) bool {
	rel, err := filepath.Rel(base, p)
	if err != nil {
		return false
	}
	for _, el := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.HasPrefix(el, ".") && el != "." && el != ".." {
			return true
		}
	}
	return false
}

// staticPrefix is the folder part of a glob before its first pattern.
func staticPrefix(glob string) string {
	i := strings.IndexAny(glob, "*?[")
	return filepath.Dir(glob[:i] + "x")
}

// Stat describes one file.
func (Store) Stat(_ context.Context, u string) (objstore.Info, error) {
	p := Path(u)
	st, err := os.Stat(p)
	if err != nil {
		return objstore.Info{}, fmt.Errorf("stat %s: %w", p, notFound(err))
	}
	return objstore.Info{URL: p, Key: filepath.Base(p), Size: st.Size(), ModTime: st.ModTime().UTC()}, nil
}

// Open opens a file for reading.
func (Store) Open(_ context.Context, u string) (io.ReadCloser, error) {
	f, err := os.Open(Path(u))
	if err != nil {
		return nil, notFound(err)
	}
	return f, nil
}

// OpenAt opens a file for random access.
func (Store) OpenAt(_ context.Context, u string) (objstore.ReaderAt, error) {
	f, err := os.Open(Path(u))
	if err != nil {
		return nil, notFound(err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &file{File: f, size: st.Size()}, nil
}

type file struct {
	*os.File
	size int64
}

func (f *file) Size() int64 { return f.size }

// Create writes to a hidden temporary file beside the target and renames
// it into place on Close, so readers never see a half-written file.
func (Store) Create(_ context.Context, u string) (objstore.Writer, error) {
	p := Path(u)
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &writer{f: f, path: p}, nil
}

type writer struct {
	f    *os.File
	path string
	done bool
}

func (w *writer) Write(b []byte) (int, error) { return w.f.Write(b) }

func (w *writer) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	if err := w.f.Close(); err != nil {
		os.Remove(w.f.Name())
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	if err := os.Rename(w.f.Name(), w.path); err != nil {
		os.Remove(w.f.Name())
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	return nil
}

func (w *writer) Abort() {
	if !w.done {
		w.done = true
		w.f.Close()
		os.Remove(w.f.Name())
	}
}

// Remove deletes a file; a missing one is fine.
func (Store) Remove(_ context.Context, u string) error {
	err := os.Remove(Path(u))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %v", objstore.ErrNotFound, err)
	}
	return err
}
