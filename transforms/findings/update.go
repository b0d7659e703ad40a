package findings

// Update combines the findings stored from earlier reports with the fresh
// findings of a newer report version or billing period of the same payers,
// and returns them sorted by Sort.
//
// Findings are the same when rule, payer, usage account and resource id
// are. For those in both lists: first seen is the earlier, last seen the
// later, and the figures (costs, days, detail, evidence) are those of the
// finding with the later last seen, the fresh one on a tie. A stored
// finding the fresh list lacks is kept only when it was last seen after
// every fresh finding of its payer, so belongs to a period newer than the
// one reprocessed; otherwise the resource is gone or no longer flagged,
// and the finding is dropped. A payer with no fresh findings keeps its
// stored ones: the caller passes only the stored findings of the payers
// the report covers when a report can resolve all of a payer's findings.
func Update(stored, fresh []Finding) []Finding {
	type id struct{ rule, payer, account, resource string }
	idOf := func(f Finding) id { return id{f.Rule, f.Payer, f.UsageAccount, f.ResourceID} }
	latest := map[string]string{} // payer -> last day of its fresh findings
	byID := make(map[id]int, len(fresh))
	out := make([]Finding, 0, len(fresh)+len(stored))
	for _, f := range fresh {
		if f.LastSeen > latest[f.Payer] {
			latest[f.Payer] = f.LastSeen
		}
		if i, ok := byID[idOf(f)]; ok { // a duplicate in fresh: combine as with stored
			out[i] = combine(out[i], f)
			continue
		}
		byID[idOf(f)] = len(out)
		out = append(out, f)
	}
	for _, s := range stored {
		if i, ok := byID[idOf(s)]; ok {
			out[i] = combine(s, out[i])
			continue
		}
		if last, ok := latest[s.Payer]; !ok || s.LastSeen > last {
			byID[idOf(s)] = len(out)
			out = append(out, s)
		}
	}
	Sort(out)
	return out
}

// combine merges an older and a newer record of the same finding.
func combine(older, newer Finding) Finding {
	out := newer
	if older.LastSeen > newer.LastSeen {
		out = older
	}
	out.FirstSeen = earlier(older.FirstSeen, newer.FirstSeen)
	out.LastSeen = max(older.LastSeen, newer.LastSeen)
	return out
}

// earlier returns the earlier of two days, an empty one counting as
// unknown rather than earliest.
func earlier(a, b string) string {
	if a == "" || (b != "" && b < a) {
		return b
	}
	return a
}
