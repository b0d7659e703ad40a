package report

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
