package report

import (
	"slices"
	"sort"
	"strings"
)

// cur1 resolves one CUR 1.0 date-range folder. Which manifest decides:
// the date-range manifest (it names the current assembly and is rewritten on
// each delivery), else the newest assembly manifest; with no manifest at
// all, the assembly folder holding the newest data (create new version), or
// every data object in the folder (overwrite).
func (r *resolver) cur1(g *group) error {
	var tops, top []*entry
	g.asm = map[string]*entry{}
	byAsm := map[string][]*entry{}
	for _, m := range g.members {
		switch {
		case m.e.class == classManifest && m.sub == "":
			tops = append(tops, m.e)
		case m.e.class == classManifest:
			g.asm[m.sub] = newest([]*entry{g.asm[m.sub], m.e})
		case m.sub == "":
			top = append(top, m.e)
		default:
			byAsm[m.sub] = append(byAsm[m.sub], m.e)
		}
	}
	createNew := len(g.asm) > 0 || len(byAsm) > 0
	rep := Report{ID: g.id, Name: g.name, Kind: KindCUR1Overwrite, BillingPeriod: g.period}
	if createNew {
		rep.Kind = KindCUR1Manifest
	}

	chosen := newest(tops)
	if chosen == nil {
		chosen = newest(values(g.asm))
	}
	if chosen == nil {
		files := top
		rep.Version = setVersion(top, g.id)
		if createNew {
			g.current = newestAssembly(byAsm)
			files, rep.Version = byAsm[g.current], g.current
		}
		if len(files) == 0 {
			return nil
		}
		rep.VersionTime = newestTime(files)
		g.vtime = rep.VersionTime
		r.add(rep, files, nil)
		return nil
	}

	g.manifest, rep.Manifest = chosen.obj.URL, chosen.obj.URL
	m, err := r.manifest(chosen)
	if err != nil {
		return r.fail(g, rep, chosen, err)
	}
	isTop := true
	g.current = m.AssemblyID
	for a, e := range g.asm {
		if e == chosen {
			g.current, isTop = a, false // the folder, which is what the data sits under
		}
	}
	rep.Version = first(m.AssemblyID, etag(chosen.obj), objectVersion(chosen.obj))
	rep.VersionTime = chosen.obj.ModTime
	if own := g.asm[g.current]; own != nil {
		// The assembly's own manifest does not change when the date-range
		// copy is rewritten, so its time is the version's time.
		rep.VersionTime = own.obj.ModTime
		r.claims[own.obj.URL] = rep.ID
	}
	g.vtime = rep.VersionTime
	rep.Name = first(m.ReportName, rep.Name)
	rep.BillingPeriod = first(m.BillingPeriod.Month(), rep.BillingPeriod)
	rep.Compression = m.Compression
	if namesFolder(m.Keys(), m.AssemblyID) || !isTop {
		rep.Kind = KindCUR1Manifest
	} else {
		rep.Kind = KindCUR1Overwrite
		g.current = ""
	}
	r.resolveKeys(&rep, g.scope, g.anchored, m.Keys())
	if rep.Err != "" {
		g.failed = rep.ID
	}
	r.add(rep, nil, chosen)
	return nil
}

// cur2 resolves one CUR 2.0 export billing period: the newest manifest's
// dataFiles, or, before any manifest has arrived, every data object under
// data/BILLING_PERIOD=... (an export delivers its manifest last, so such a
// report may be incomplete; it is replaced once the manifest comes).
func (r *resolver) cur2(g *group) error {
	var mans, data []*entry
	for _, m := range g.members {
		switch {
		case m.e.class == classManifest:
			mans = append(mans, m.e)
		case m.sub == "data":
			data = append(data, m.e)
		}
	}
	rep := Report{ID: g.id, Name: g.name, Kind: KindCUR2, BillingPeriod: g.period}
	chosen := newest(mans)
	if chosen == nil {
		// A guess takes only what no manifest named.
		data = slices.DeleteFunc(data, func(e *entry) bool { _, claimed := r.claims[e.obj.URL]; return claimed })
		if len(data) == 0 {
			return nil
		}
		rep.Version = setVersion(data, g.id)
		rep.VersionTime = newestTime(data)
		r.add(rep, data, nil)
		return nil
	}
	g.manifest, rep.Manifest = chosen.obj.URL, chosen.obj.URL
	rep.VersionTime = chosen.obj.ModTime
	m, err := r.manifest(chosen)
	if err != nil {
		return r.fail(g, rep, chosen, err)
	}
	rep.Version = first(m.Version(), etag(chosen.obj), objectVersion(chosen.obj))
	rep.Name = first(m.ExportName, g.name, m.Name())
	rep.Compression = m.Compression
	r.resolveKeys(&rep, g.scope, g.anchored, m.Keys())
	if rep.Err != "" {
		g.failed = rep.ID
	}
	r.add(rep, nil, chosen)
	return nil
}

// loose resolves a folder holding manifests outside any known layout (a
// flattened copy, say): each manifest is its own report, identified by the
// manifest's URL, and its keys are matched by path below the folder.
func (r *resolver) loose(g *group) error {
	for _, mem := range g.members {
		e := mem.e
		if e.class != classManifest {
			continue
		}
		g.manifest = e.obj.URL
		rep := Report{
			ID:          e.obj.URL,
			Name:        strings.TrimSuffix(strings.TrimSuffix(e.name(), "Manifest.json"), "-"),
			Kind:        KindCUR1Overwrite,
			Manifest:    e.obj.URL,
			VersionTime: e.obj.ModTime,
		}
		m, err := r.manifest(e)
		if err != nil {
			if err := r.fail(g, rep, e, err); err != nil {
				return err
			}
			continue
		}
		switch {
		case m.Format == FormatCUR2:
			rep.Kind = KindCUR2
		case namesFolder(m.Keys(), m.AssemblyID):
			rep.Kind = KindCUR1Manifest
		}
		rep.Name = first(m.Name(), rep.Name)
		rep.BillingPeriod = m.BillingPeriod.Month()
		rep.Version = first(m.Version(), etag(e.obj), objectVersion(e.obj))
		rep.Compression = m.Compression
		r.resolveKeys(&rep, g.scope, false, m.Keys())
		if rep.Err != "" {
			g.failed = rep.ID
		}
		r.add(rep, nil, e)
	}
	return nil
}

func values(m map[string]*entry) []*entry {
	out := make([]*entry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	return out
}

// newestAssembly picks the assembly folder whose newest data object is the
// newest, ties broken by the greater folder name.
func newestAssembly(byAsm map[string][]*entry) string {
	names := make([]string, 0, len(byAsm))
	for a := range byAsm {
		names = append(names, a)
	}
	sort.Strings(names)
	best := ""
	for _, a := range names {
		if best == "" || !newestTime(byAsm[a]).Before(newestTime(byAsm[best])) {
			best = a
		}
	}
	return best
}

// hasManifest reports whether a group holds a manifest.
func (g *group) hasManifest() bool {
	for _, m := range g.members {
		if m.e.class == classManifest {
			return true
		}
	}
	return false
}
