package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// scopeIndex finds the listed data objects a manifest's keys name. Keys are
// bucket-relative ("/koku-local/20180801-20180901/<id>/koku-local-1.csv.gz")
// or full URIs ("s3://bucket/prefix/export/data/..."), while the listing may
// be a local copy rooted anywhere: so a key matches the object below the
// scope folder whose path, prefixed with the folder's own name (the anchor),
// is a segment-aligned suffix of the key. The anchor ties the match to the
// report's folder; loose folders match without it, by path below the folder.
type scopeIndex struct {
	byTail map[string]*entry
}

func (r *resolver) index(folder string, anchored bool) *scopeIndex {
	ck := fmt.Sprintf("%t|%s", anchored, folder)
	if idx, ok := r.indexes[ck]; ok {
		return idx
	}
	idx := &scopeIndex{byTail: map[string]*entry{}}
	anchor := ""
	if anchored {
		anchor = lastSeg(folder)
	}
	prefix := under(folder)
	i := sort.Search(len(r.entries), func(i int) bool { return r.entries[i].obj.URL >= prefix })
	for ; i < len(r.entries) && strings.HasPrefix(r.entries[i].obj.URL, prefix); i++ {
		e := r.entries[i]
		if e.class != classData {
			continue
		}
		tail := e.obj.URL[len(prefix):]
		if anchor != "" {
			tail = anchor + "/" + tail
		}
		idx.byTail[tail] = e
	}
	r.indexes[ck] = idx
	return idx
}

// lookup returns the object a key names, preferring the longest match.
func (idx *scopeIndex) lookup(key string) *entry {
	segs := strings.Split(normalizeKey(key), "/")
	for i := range segs {
		if e := idx.byTail[strings.Join(segs[i:], "/")]; e != nil {
			return e
		}
	}
	return nil
}

// normalizeKey drops the scheme and bucket of a URI and leading slashes.
func normalizeKey(k string) string {
	k = strings.TrimSpace(k)
	if i := strings.Index(k, "://"); i >= 0 {
		rest := k[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return ""
		}
		k = rest[j+1:]
	}
	return strings.TrimLeft(k, "/")
}

// outside reports whether a manifest's key cannot name an object in the
// report's folder: it has a "." or ".." segment, or, when keys are anchored,
// no segment before its last is the folder's name. Such a key is refused
// rather than looked for, so that a manifest cannot point curpipe at objects
// of another report, prefix or bucket.
func outside(key, anchor string) bool {
	segs := strings.Split(normalizeKey(key), "/")
	for _, s := range segs {
		if s == "." || s == ".." {
			return true
		}
	}
	return anchor != "" && !slices.Contains(segs[:len(segs)-1], anchor)
}

// resolveKeys fills rep.Files with the objects the manifest's keys name and
// claims them for rep. A key outside the report's folder, one that names
// nothing in the listing, or one naming an object another report already
// holds sets rep.Err: the report cannot be complete, and a file counted
// twice would double the totals.
func (r *resolver) resolveKeys(rep *Report, folder string, anchored bool, keys []string) {
	idx := r.index(folder, anchored)
	anchor := ""
	if anchored {
		anchor = lastSeg(folder)
	}
	var out, missing, taken []string
	seen := map[string]bool{}
	for _, k := range keys {
		if outside(k, anchor) {
			out = append(out, k)
			continue
		}
		e := idx.lookup(k)
		if e == nil {
			missing = append(missing, k)
			continue
		}
		if seen[e.obj.URL] {
			continue
		}
		seen[e.obj.URL] = true
		if owner, ok := r.claims[e.obj.URL]; ok && owner != rep.ID {
			taken = append(taken, fmt.Sprintf("%s (already in report %s)", e.obj.URL, owner))
			continue
		}
		r.claims[e.obj.URL] = rep.ID
		rep.Files = append(rep.Files, e.obj.URL)
	}
	sort.Strings(rep.Files)
	var errs []string
	if len(out) > 0 {
		errs = append(errs, fmt.Sprintf("manifest %s names %d object(s) outside its report's folder %s: %s",
			rep.Manifest, len(out), folder, some(out)))
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Sprintf("manifest %s names %d object(s) not in the listing: %s",
			rep.Manifest, len(missing), some(missing)))
	}
	if len(taken) > 0 {
		errs = append(errs, fmt.Sprintf("manifest %s names %d object(s) that belong to another report: %s",
			rep.Manifest, len(taken), some(taken)))
	}
	rep.Err = strings.Join(errs, "; ")
}

// some lists up to three items, so that an error stays one readable line.
func some(xs []string) string {
	const n = 3
	if len(xs) <= n {
		return strings.Join(xs, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(xs[:n], ", "), len(xs)-n)
}
