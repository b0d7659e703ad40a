package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

type resolver struct {
	ctx     context.Context
	read    ManifestReader
	limits  Limits
	entries []*entry          // sorted by URL
	claims  map[string]string // object URL -> ID of the report it belongs to
	indexes map[string]*scopeIndex
	reports []Report
	skipped []Skipped
}

// Resolve groups the listed objects into reports, picks the current version
// of each and says why every other object was left out. objs may come in any
// order; the output is sorted (reports by ID, files and skipped by URL). read
// is called once for each manifest a decision needs, not for every manifest.
//
// A manifest that cannot be read or parsed, or that names an object missing
// from the listing, fails only its report (Report.Err). Resolve itself fails
// only when ctx ends.
func Resolve(ctx context.Context, objs []Object, read ManifestReader) ([]Report, []Skipped, error) {
	return ResolveWithin(ctx, objs, read, DefaultLimits)
}

// Limits bound what a listing or a manifest may make Resolve read or a
// report hold. A report past one fails with a message that names the
// limit and its flag; the others resolve as usual.
type Limits struct {
	ManifestBytes int64 // a manifest's size (--max-manifest-bytes)
	Files         int   // data files of one report, a manifest's entries included (--max-files-per-report)
}

// DefaultLimits are far above any export AWS writes.
var DefaultLimits = Limits{ManifestBytes: 64 << 20, Files: 100_000}

// ResolveWithin is Resolve within the given limits; zero fields take
// DefaultLimits'.
func ResolveWithin(ctx context.Context, objs []Object, read ManifestReader, lim Limits) ([]Report, []Skipped, error) {
	if lim.ManifestBytes <= 0 {
		lim.ManifestBytes = DefaultLimits.ManifestBytes
	}
	if lim.Files <= 0 {
		lim.Files = DefaultLimits.Files
	}
	r := &resolver{
		ctx:     ctx,
		limits:  lim,
		read:    read,
		claims:  map[string]string{},
		indexes: map[string]*scopeIndex{},
	}
	r.load(objs)
	groups, plain := r.group()

	// Manifests claim their files first, so that a manifest naming objects in
	// another layout's folder wins over that layout's guess; a CUR 2.0
	// period without a manifest, a guess, comes after every manifest.
	var guesses []*group
	for _, g := range groups {
		var err error
		switch {
		case g.kind == groupCUR1:
			err = r.cur1(g)
		case g.kind == groupCUR2 && !g.hasManifest():
			guesses = append(guesses, g)
		case g.kind == groupCUR2:
			err = r.cur2(g)
		case g.kind == groupLoose:
			err = r.loose(g)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	for _, g := range guesses {
		if err := r.cur2(g); err != nil {
			return nil, nil, err
		}
	}
	for _, g := range groups {
		if g.kind == groupAthena {
			r.athena(g)
		}
	}
	for _, e := range plain {
		r.plain(e)
	}
	for _, g := range groups {
		r.explain(g)
	}

	sort.Slice(r.reports, func(i, j int) bool {
		a, b := r.reports[i], r.reports[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Version < b.Version
	})
	sort.Slice(r.skipped, func(i, j int) bool { return r.skipped[i].URL < r.skipped[j].URL })
	return r.reports, r.skipped, nil
}

func (r *resolver) skip(e *entry, reason string) {
	r.skipped = append(r.skipped, Skipped{URL: e.obj.URL, Reason: reason})
}

// add records a report and claims its files and manifest.
func (r *resolver) add(rep Report, files []*entry, manifest *entry) {
	for _, e := range files {
		r.claims[e.obj.URL] = rep.ID
	}
	if manifest != nil {
		r.claims[manifest.obj.URL] = rep.ID
	}
	if rep.Files == nil && files != nil {
		rep.Files = urls(files)
	}
	if len(rep.Files) > r.limits.Files {
		if rep.Err == "" {
			rep.Err = fmt.Sprintf("%d files, over the limit of %d (--max-files-per-report)", len(rep.Files), r.limits.Files)
		}
		rep.Files = nil // the files are not read: they need not travel
	}
	r.reports = append(r.reports, rep)
}

// manifest reads and parses one manifest. Its error is what the report's
// Err says; when the context has ended, the caller returns it instead.
func (r *resolver) manifest(e *entry) (Manifest, error) {
	if err := r.ctx.Err(); err != nil {
		return Manifest{}, fmt.Errorf("read manifest %s: %w", e.obj.URL, err)
	}
	if r.read == nil {
		return Manifest{}, fmt.Errorf("read manifest %s: no manifest reader", e.obj.URL)
	}
	if e.obj.Size > r.limits.ManifestBytes {
		return Manifest{}, fmt.Errorf("manifest %s: its %d bytes are over the limit of %d (--max-manifest-bytes)", e.obj.URL, e.obj.Size, r.limits.ManifestBytes)
	}
	b, err := r.read(r.ctx, e.obj.URL)
	if err != nil {
		return Manifest{}, fmt.Errorf("read manifest %s: %w", e.obj.URL, err)
	}
	if int64(len(b)) > r.limits.ManifestBytes { // it grew since the listing
		return Manifest{}, fmt.Errorf("manifest %s: its %d bytes are over the limit of %d (--max-manifest-bytes)", e.obj.URL, len(b), r.limits.ManifestBytes)
	}
	m, err := ParseManifest(b)
	if err != nil {
		return Manifest{}, fmt.Errorf("manifest %s: %w", e.obj.URL, err)
	}
	if n := len(m.Keys()); n > r.limits.Files {
		return Manifest{}, fmt.Errorf("manifest %s: its %d files are over the limit of %d (--max-files-per-report)", e.obj.URL, n, r.limits.Files)
	}
	return m, nil
}

// fail records rep as failed with err, unless the context ended, which
// stops Resolve instead: a cancelled run says nothing about the report.
func (r *resolver) fail(g *group, rep Report, manifest *entry, err error) error {
	if r.ctx.Err() != nil {
		return err
	}
	rep.Err, g.failed = err.Error(), rep.ID
	r.add(rep, nil, manifest)
	return nil
}

// athena makes one report of a year=/month= folder, unless a manifest
// already claimed some of it: then the manifest's list is the truth.
func (r *resolver) athena(g *group) {
	var data []*entry
	for _, m := range g.members {
		if owner, ok := r.claims[m.e.obj.URL]; ok {
			if g.claimedBy == "" {
				g.claimedBy = owner
			}
			continue
		}
		if m.e.class == classData {
			data = append(data, m.e)
		}
	}
	if g.claimedBy != "" || len(data) == 0 {
		return
	}
	r.add(Report{
		ID:            g.id,
		Name:          g.name,
		Kind:          KindAthenaParquet,
		BillingPeriod: g.period,
		Version:       setVersion(data, g.id),
		VersionTime:   newestTime(data),
	}, data, nil)
}

// plain makes a data object outside every layout its own report.
func (r *resolver) plain(e *entry) {
	if _, ok := r.claims[e.obj.URL]; ok {
		return
	}
	r.add(Report{
		ID:          e.obj.URL,
		Name:        e.name(),
		Kind:        KindPlain,
		Version:     objectVersion(e.obj),
		VersionTime: e.obj.ModTime,
	}, []*entry{e}, nil)
}

// first returns the first non-empty string.
func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// namesFolder reports whether any key has the segment seg, i.e. whether the
// manifest points into an assembly folder.
func namesFolder(keys []string, seg string) bool {
	if seg == "" {
		return false
	}
	for _, k := range keys {
		for _, s := range strings.Split(normalizeKey(k), "/") {
			if s == seg {
				return true
			}
		}
	}
	return false
}
