package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2024, 2, 3, 4, 0, 0, 0, time.UTC)

// file is one object of a test listing.
type file struct {
	key  string // below the listing root
	min  int    // ModTime: minutes after t0
	body string // manifest bytes; "!error" makes reading fail
	etag string
	size int64
}

// store serves manifest bytes and counts reads.
type store struct {
	mu    sync.Mutex
	body  map[string]string
	reads []string
}

func (s *store) read(_ context.Context, url string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads = append(s.reads, url)
	b, ok := s.body[url]
	switch {
	case !ok:
		return nil, fmt.Errorf("no such object %s", url)
	case b == "!error":
		return nil, errors.New("boom")
	}
	return []byte(b), nil
}

// listing turns files below root ("s3://bkt/" or "/data/") into objects.
func listing(root string, files ...file) ([]Object, *store) {
	st := &store{body: map[string]string{}}
	objs := make([]Object, 0, len(files))
	for _, f := range files {
		size := f.size
		if size == 0 {
			size = int64(len(f.key) * 100)
		}
		url := root + f.key
		objs = append(objs, Object{URL: url, Key: f.key, Size: size, ModTime: t0.Add(time.Duration(f.min) * time.Minute), ETag: f.etag})
		if f.body != "" {
			st.body[url] = f.body
		}
	}
	return objs, st
}

// cur1 writes a CUR 1.0 manifest.
func cur1(asm, report, start string, keys ...string) string {
	m := map[string]any{
		"assemblyId": asm, "account": "123456789012", "reportName": report,
		"compression": "GZIP", "contentType": "text/csv", "bucket": "bkt",
		"billingPeriod": map[string]string{"start": start + "T000000.000Z", "end": ""},
		"reportKeys":    keys,
		"columns":       []map[string]string{{"category": "lineItem", "name": "UnblendedCost"}},
	}
	if asm == "" {
		delete(m, "assemblyId")
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// cur2 writes a Data Exports manifest.
func cur2(exec, export, period string, files ...string) string {
	b, _ := json.Marshal(map[string]any{
		"executionId":   exec,
		"exportArn":     "arn:aws:bcm-data-exports:us-east-1:123456789012:export/" + export + "-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
		"billingPeriod": map[string]string{"start": period + "-01T00:00:00.000Z", "end": ""},
		"columns":       []map[string]string{{"name": "line_item_unblended_cost", "type": "decimal"}},
		"dataFiles":     files,
	})
	return string(b)
}

// want is an expected report, URLs below the listing root.
type want struct {
	id, name, kind, period string
	version                string // "" checks only that there is one, "-" that there is none
	manifest               string
	compression            string
	files                  []string
	err                    string // substring; "" means no error
}

// check compares reports and skipped objects with expectations written
// relative to root, then checks that no object is counted twice.
func check(t *testing.T, root string, objs []Object, got []Report, skipped []Skipped, wants []want, wantSkip map[string]string) {
	t.Helper()
	if len(got) != len(wants) {
		t.Errorf("got %d reports, want %d:\n%s", len(got), len(wants), dump(got))
	}
	for i := 0; i < len(got) && i < len(wants); i++ {
		g, w := got[i], wants[i]
		abs := func(s string) string {
			if s == "" {
				return ""
			}
			return root + s
		}
		if g.ID != abs(w.id) || g.Name != w.name || g.Kind != w.kind || g.BillingPeriod != w.period ||
			g.Manifest != abs(w.manifest) || g.Compression != w.compression {
			t.Errorf("report %d:\n got %+v\nwant %+v", i, g, w)
		}
		switch {
		case w.version == "-" && g.Version == "", w.version == "" && g.Version != "", w.version == g.Version:
		default:
			t.Errorf("report %s: version %q, want %q", g.ID, g.Version, w.version)
		}
		var wf []string
		for _, f := range w.files {
			wf = append(wf, root+f)
		}
		if strings.Join(g.Files, "\n") != strings.Join(wf, "\n") {
			t.Errorf("report %s files:\n got %q\nwant %q", g.ID, g.Files, wf)
		}
		if (w.err == "") != (g.Err == "") || !strings.Contains(g.Err, w.err) {
			t.Errorf("report %s: err %q, want containing %q", g.ID, g.Err, w.err)
		}
	}
	gotSkip := map[string]string{}
	for _, s := range skipped {
		gotSkip[strings.TrimPrefix(s.URL, root)] = s.Reason
	}
	for k, reason := range wantSkip {
		if g, ok := gotSkip[k]; !ok || !strings.Contains(g, reason) {
			t.Errorf("skipped %s: reason %q, want containing %q", k, g, reason)
		}
	}
	for k, reason := range gotSkip {
		if _, ok := wantSkip[k]; !ok {
			t.Errorf("unexpected skip %s: %s", k, reason)
		}
	}
	checkAccounted(t, objs, got, skipped)
}

// checkAccounted: every data object is in exactly one report's files or
// skipped, never both; output is sorted.
func checkAccounted(t *testing.T, objs []Object, got []Report, skipped []Skipped) {
	t.Helper()
	seen := map[string]string{}
	for _, r := range got {
		if !sort.StringsAreSorted(r.Files) {
			t.Errorf("report %s: files not sorted", r.ID)
		}
		for _, f := range r.Files {
			if prev, ok := seen[f]; ok {
				t.Errorf("%s in two reports: %s and %s", f, prev, r.ID)
			}
			seen[f] = r.ID
		}
	}
	for _, s := range skipped {
		if r, ok := seen[s.URL]; ok {
			t.Errorf("%s both in report %s and skipped", s.URL, r)
		}
		seen[s.URL] = "skipped"
	}
	for _, o := range objs {
		base, segs := splitURL(o.URL)
		_ = base
		if c, _ := classify(segs); c != classManifest && seen[o.URL] == "" {
			t.Errorf("%s neither in a report nor skipped", o.URL)
		}
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].ID < got[j].ID }) {
		t.Error("reports not sorted by ID")
	}
	if !sort.SliceIsSorted(skipped, func(i, j int) bool { return skipped[i].URL < skipped[j].URL }) {
		t.Error("skipped not sorted by URL")
	}
}

func dump(rs []Report) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "  %+v\n", r)
	}
	return b.String()
}
