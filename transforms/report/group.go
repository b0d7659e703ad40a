package report

import (
	"fmt"
	"sort"
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
