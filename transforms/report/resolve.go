package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// groupKind is the layout a group of objects was recognised as.
type groupKind int

const (
	groupCUR1   groupKind = iota // one CUR 1.0 date-range folder
	groupCUR2                    // one CUR 2.0 export billing period
	groupAthena                  // one year=/month= folder
	groupLoose                   // a folder with manifests outside any known layout
)

// group is the objects of one layout unit: at most one report comes out of
// it, except loose folders, which give one report per manifest.
type group struct {
	kind     groupKind
	id       string // the report ID; for loose folders, the folder
	scope    string // folder under which the group's manifests' keys are looked up
	anchored bool   // keys must carry the scope folder's name (see scopeIndex)
	name     string // report or export name from the path
	period   string // "YYYY-MM" from the path
	members  []member

	// Set while resolving, read when the leftovers are explained.
	manifest  string            // URL of the chosen manifest
	manifests int               // loose folders: how many manifests there were
	current   string            // CUR 1.0: the chosen assembly ("" in overwrite mode)
	failed    string            // ID of the report that failed, if any
	vtime     time.Time         // chosen version's time
	asm       map[string]*entry // CUR 1.0: assembly -> its newest manifest
	claimedBy string            // athena: the report that claimed some of the folder
}

// member is a data object or manifest of a group.
type member struct {
	e   *entry
	sub string // CUR 1.0: assembly folder ("" directly in the date range); CUR 2.0: "data" or "metadata"
}

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
	// another layout's folder wins over that layout's guess.
	for _, g := range groups {
		var err error
		switch g.kind {
		case groupCUR1:
			err = r.cur1(g)
		case groupCUR2:
			err = r.cur2(g)
		case groupLoose:
			err = r.loose(g)
		}
		if err != nil {
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

// load keeps one entry per URL (the newest, should a listing repeat one)
// and sorts them, so that everything after is independent of input order.
func (r *resolver) load(objs []Object) {
	byURL := make(map[string]*entry, len(objs))
	for _, o := range objs {
		if old, ok := byURL[o.URL]; ok && !o.ModTime.After(old.obj.ModTime) {
			continue
		}
		byURL[o.URL] = newEntry(o)
	}
	for _, e := range byURL {
		r.entries = append(r.entries, e)
	}
	sort.Slice(r.entries, func(i, j int) bool { return r.entries[i].obj.URL < r.entries[j].obj.URL })
}

// group sorts every entry into a layout group, a plain report candidate, or
// Skipped. Groups come back ordered by kind, then ID.
func (r *resolver) group() ([]*group, []*entry) {
	byKey := map[string]*group{}
	get := func(kind groupKind, id string) (*group, bool) {
		k := fmt.Sprintf("%d|%s", kind, id)
		if g, ok := byKey[k]; ok {
			return g, false
		}
		g := &group{kind: kind, id: id}
		byKey[k] = g
		return g, true
	}
	var loose []*entry
	for _, e := range r.entries {
		if e.class == classOther {
			r.skip(e, e.why)
			continue
		}
		dirs := e.dirs()
		if i := cur2At(dirs); i >= 0 {
			export := folderURL(e.base, dirs[:i])
			period := billingPeriod(dirs[i+1])
			g, isNew := get(groupCUR2, under(export)+"data/BILLING_PERIOD="+period)
			if isNew {
				g.scope, g.anchored, g.period = export, true, period
				g.name = lastSeg(export)
			}
			g.members = append(g.members, member{e: e, sub: dirs[i]})
			continue
		}
		if i := cur1At(dirs); i >= 0 {
			g, isNew := get(groupCUR1, folderURL(e.base, dirs[:i+1]))
			if isNew {
				g.scope, g.anchored, g.period = folderURL(e.base, dirs[:i]), true, rangePeriod(dirs[i])
				g.name = lastSeg(g.scope)
			}
			sub := ""
			if i+1 < len(dirs) {
				sub = dirs[i+1]
			}
			g.members = append(g.members, member{e: e, sub: sub})
			continue
		}
		if i := athenaAt(dirs); i >= 0 {
			g, isNew := get(groupAthena, folderURL(e.base, dirs[:i+2]))
			if isNew {
				g.period = athenaPeriod(dirs[i], dirs[i+1])
				g.name = lastSeg(folderURL(e.base, dirs[:i]))
			}
			g.members = append(g.members, member{e: e})
			continue
		}
		loose = append(loose, e)
	}

	// A manifest outside every known layout makes its folder a group: its
	// neighbours are then named by it or explained, never guessed at.
	for _, e := range loose {
		if e.class == classManifest {
			dir := folderURL(e.base, e.dirs())
			g, isNew := get(groupLoose, dir)
			if isNew {
				g.scope = dir
			}
			g.members = append(g.members, member{e: e})
			g.manifests++
		}
	}
	var plain []*entry
	for _, e := range loose {
		if e.class != classData {
			continue
		}
		if g, ok := byKey[fmt.Sprintf("%d|%s", groupLoose, folderURL(e.base, e.dirs()))]; ok {
			g.members = append(g.members, member{e: e})
			continue
		}
		plain = append(plain, e)
	}

	groups := make([]*group, 0, len(byKey))
	for _, g := range byKey {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].kind != groups[j].kind {
			return groups[i].kind < groups[j].kind
		}
		return groups[i].id < groups[j].id
	})
	return groups, plain
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

// explain skips every member of g that no report took, with the reason.
func (r *resolver) explain(g *group) {
	for _, m := range g.members {
		if _, ok := r.claims[m.e.obj.URL]; ok {
			continue
		}
		r.skip(m.e, r.reason(g, m))
	}
}

func (r *resolver) reason(g *group, m member) string {
	e := m.e
	if g.failed != "" {
		return "not resolved: report " + g.failed + " failed"
	}
	switch g.kind {
	case groupCUR1:
		if m.sub != "" && m.sub != g.current {
			return r.versionReason(g, m.sub)
		}
		if e.class == classManifest {
			return "superseded by manifest " + g.manifest
		}
		if g.manifest == "" {
			return "not part of report version " + g.current
		}
	case groupCUR2:
		if e.class == classManifest {
			return "older manifest, superseded by " + g.manifest
		}
		if g.manifest == "" {
			return "not a data file of the export (in its metadata folder)"
		}
	case groupLoose:
		if g.manifests > 1 {
			return "not named by any manifest in " + g.scope
		}
	case groupAthena:
		return "not named by the manifest of report " + g.claimedBy
	}
	return "not named by manifest " + g.manifest
}

// versionReason explains why an assembly other than the chosen one is left out.
func (r *resolver) versionReason(g *group, asm string) string {
	m, ok := g.asm[asm]
	switch {
	case g.manifest != "" && !ok:
		return "incomplete report version " + asm + " (no manifest)"
	case ok && g.current != "" && m.obj.ModTime.After(g.vtime):
		return "report version " + asm + " is not the current one (" + g.current +
			") named by the date-range manifest " + g.manifest
	}
	return "older report version " + asm
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
