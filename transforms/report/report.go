// Package report turns a listing of objects (a local folder or an S3 prefix;
// the caller lists) into billing reports: one export for one billing period
// at one version, with the data objects that make up that version.
//
// A newer version of a report replaces the older one, so the question this
// package answers is "which objects are the current version of each report",
// never "which objects are billing files". Resolve recognises these layouts
// from the object paths (the full URL path, so the listed root may sit at any
// depth):
//
//   - CUR 1.0, create new report version (Kind "cur1-manifest"):
//     <prefix>/<report>/<yyyymmdd-yyyymmdd>/<report>-Manifest.json names the
//     current assemblyId; <...>/<assemblyId>/ holds that version's manifest
//     and data. Without the date-range manifest, the newest assembly manifest
//     wins; without any manifest, the assembly with the newest data.
//   - CUR 1.0, overwrite (Kind "cur1-overwrite"): manifest and data directly
//     in the date-range folder.
//   - CUR 2.0 / Data Exports (Kind "cur2"): <prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/
//     with <prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json.
//     With no manifest yet, all data objects of the period form the report.
//   - CUR 1.0 Athena Parquet (Kind "athena-parquet"): <...>/year=YYYY/month=M/*.parquet,
//     one report per month folder.
//   - A manifest outside these layouts (a flattened copy, say) is a report of
//     its own, identified by its URL, naming files at or below its folder.
//   - Anything else (Kind "plain"): each data object is its own report.
//
// Manifests name their files; a named file is resolved against the listing
// by its key suffix, so a local copy of a bucket resolves like the bucket.
// Manifests are resolved before the layouts that have none, so a file a
// manifest names is never also guessed into another report.
// Objects that are not part of a chosen version come back as Skipped with
// the reason. A report whose manifest cannot be read or names a missing
// object comes back with Err set, so one bad report never stops the others.
package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Report kinds.
const (
	KindCUR1Manifest  = "cur1-manifest"
	KindCUR1Overwrite = "cur1-overwrite"
	KindCUR2          = "cur2"
	KindAthenaParquet = "athena-parquet"
	KindPlain         = "plain"
)

// Object is one listed object. Resolve reads layouts and matches manifest
// keys on the URL's path, so the listed root may sit at any depth; Key is
// carried for callers (display, relative names) and not relied upon.
type Object struct {
	URL     string    // full location: "/abs/path/file.csv.gz" for local, "s3://bucket/key" for S3
	Key     string    // path relative to the listed root, '/'-separated ("koku-local/20180801-20180901/x/koku-local-1.csv.gz")
	Size    int64     // bytes
	ModTime time.Time // last modification
	ETag    string    // "" for local files; surrounding quotes are ignored
}

// Report is one billing export for one billing period, at one version.
type Report struct {
	ID            string    // stable identity across versions: root URL + report path (+ billing period); for a plain file, its URL
	Name          string    // human name: report name (CUR), export name (CUR 2.0), or file base name
	Kind          string    // "cur1-manifest", "cur1-overwrite", "cur2", "athena-parquet", "plain"
	BillingPeriod string    // "YYYY-MM", "" when unknown (plain files)
	Version       string    // assemblyId, CUR 2.0 executionId, or a digest of the object(s) (ETag, else size+modtime)
	VersionTime   time.Time // orders versions of the same ID: the manifest's (or newest data object's) ModTime
	Manifest      string    // URL of the manifest that named the files, "" if none
	Compression   string    // from the manifest when present ("GZIP", "ZIP", "Parquet"), else ""
	Files         []string  // URLs of the data objects, sorted
	// Err is empty for a usable report. Otherwise the report must fail as a
	// whole with this message (unreadable manifest, a named object missing
	// from the listing...); Files then holds only what could be resolved.
	Err string
}

// Key returns a short stable token for file names: the first 12 hex digits
// of the SHA-256 of the report's ID.
func (r Report) Key() string { return shortHash(r.ID) }

// ExportID names the export across its billing periods: the ID without
// the path segments that name a period (CUR's "20240301-20240401", CUR
// 2.0's "BILLING_PERIOD=2024-03", Athena's "year=2024" and "month=3").
// Each period of an export is a report of its own; what looks back over
// periods (the savings findings) keys its state by the export.
func (r Report) ExportID() string { return ExportOf(r.ID) }

// ExportKey is Key for ExportID.
func (r Report) ExportKey() string { return shortHash(r.ExportID()) }

// ExportOf returns a report ID without its billing-period segments.
func ExportOf(id string) string {
	segs := strings.Split(id, "/")
	out := segs[:0]
	for _, s := range segs {
		if !periodSegment.MatchString(s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, "/")
}

var periodSegment = regexp.MustCompile(`^(\d{8}-\d{8}|(?i:billing_period=.*|year=\d+|month=\d+))$`)

// VersionKey returns the first 12 hex digits of the SHA-256 of the report's Version.
func (r Report) VersionKey() string { return shortHash(r.Version) }

// Skipped is an object that is not part of any report chosen, with why
// (older assembly, not a billing file...).
type Skipped struct{ URL, Reason string }

// ManifestReader returns a manifest object's bytes.
type ManifestReader func(ctx context.Context, url string) ([]byte, error)

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:12]
}

// etag returns the object's ETag without the quotes S3 puts around it.
func etag(o Object) string { return strings.Trim(o.ETag, `"`) }

// stamp identifies one object's content as well as the listing allows:
// the ETag, else size and modification time.
func stamp(o Object) string {
	if e := etag(o); e != "" {
		return "etag:" + e
	}
	return fmt.Sprintf("size:%d mtime:%s", o.Size, o.ModTime.UTC().Format(time.RFC3339Nano))
}

// objectVersion is a single object's version: its ETag, else a digest of size and time.
func objectVersion(o Object) string {
	if e := etag(o); e != "" {
		return e
	}
	return digest([]string{stamp(o)})
}

// setVersion digests a set of objects, each by its path under folder and its
// stamp, so the version changes when any member is added, removed or rewritten
// and does not depend on where the listing started.
func setVersion(es []*entry, folder string) string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = relTo(e.obj.URL, folder) + "\t" + stamp(e.obj)
	}
	sort.Strings(lines)
	return digest(lines)
}

func digest(lines []string) string {
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func newestTime(es []*entry) time.Time {
	var t time.Time
	for _, e := range es {
		if e.obj.ModTime.After(t) {
			t = e.obj.ModTime
		}
	}
	return t
}

// newest picks the most recently modified entry, ties broken by the greater
// URL so that the choice does not depend on listing order.
func newest(es []*entry) *entry {
	var best *entry
	for _, e := range es {
		if e == nil {
			continue
		}
		if best == nil || e.obj.ModTime.After(best.obj.ModTime) ||
			(e.obj.ModTime.Equal(best.obj.ModTime) && e.obj.URL > best.obj.URL) {
			best = e
		}
	}
	return best
}

func urls(es []*entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.obj.URL
	}
	sort.Strings(out)
	return out
}
