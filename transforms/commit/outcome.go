package commit

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/totals"
)

// addSums adds s to c.
func addSums(c element.CurrencyTotal, s totals.Sums) element.CurrencyTotal {
	c.Unblended = c.Unblended.Add(s.Unblended)
	c.NetUnblended = c.NetUnblended.Add(s.NetUnblended)
	c.Amortized = c.Amortized.Add(s.Amortized)
	c.LineItems += s.LineItems
	return c
}

func sortTotals(ts []element.CurrencyTotal) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].Provider != ts[j].Provider {
			return ts[i].Provider < ts[j].Provider
		}
		return ts[i].Currency < ts[j].Currency
	})
}

// incomplete says which of the days a report must write were not, or "".
func incomplete(want []string, acks []ShardAck) string {
	var missing, extra, why []string
	written := make(map[string]bool, len(acks))
	for _, a := range acks {
		if a.Missing != "" {
			why = append(why, a.Day+": "+a.Missing)
			continue
		}
		written[a.Day] = true
		if !slices.Contains(want, a.Day) {
			extra = append(extra, a.Day)
		}
	}
	for _, d := range want {
		if !written[d] {
			missing = append(missing, d)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("%d of the %d days parsed were not written (%s)", len(missing), len(want), brief(missing)))
	}
	if len(extra) > 0 {
		parts = append(parts, fmt.Sprintf("days written that no file parsed (%s)", brief(extra)))
	}
	if len(why) > 0 {
		parts = append(parts, brief(why))
	}
	return strings.Join(parts, "; ")
}

// brief lists up to three items and counts the rest.
func brief(items []string) string {
	if len(items) > 3 {
		return strings.Join(items[:3], ", ") + fmt.Sprintf(" and %d more", len(items)-3)
	}
	return strings.Join(items, ", ")
}

// summarize fills the figures of an Outcome.
func summarize(v element.Verdict, days []ShardAck) element.Outcome {
	r := v.Report
	out := element.Outcome{
		Ref: r.Ref, ReportID: r.ID, ExportKey: r.ExportKey, Name: r.Name, BillingPeriod: r.BillingPeriod, Version: r.Version,
		Files: len(r.Files), Days: []string{}, Messages: r.Messages,
	}
	for _, st := range v.Files {
		out.Rows += st.Rows
		out.BadRows += st.BadRows
		out.Millis += st.Millis
		if st.Findings != "" {
			out.Findings = append(out.Findings, st.Findings)
		}
	}
	for _, d := range days {
		if d.Missing != "" {
			continue
		}
		out.Days = append(out.Days, d.Day)
		for _, p := range d.Payers {
			if !slices.Contains(out.Payers, p) {
				out.Payers = append(out.Payers, p)
			}
		}
		for _, ct := range d.Totals {
			i := 0
			for i < len(out.Totals) && (out.Totals[i].Provider != ct.Provider || out.Totals[i].Currency != ct.Currency) {
				i++
			}
			if i == len(out.Totals) {
				out.Totals = append(out.Totals, element.CurrencyTotal{Provider: ct.Provider, Currency: ct.Currency})
			}
			out.Totals[i] = addSums(out.Totals[i], totals.Sums{Unblended: ct.Unblended, NetUnblended: ct.NetUnblended, Amortized: ct.Amortized, LineItems: ct.LineItems})
		}
	}
	sortTotals(out.Totals)
	slices.Sort(out.Payers)
	if strings.TrimSpace(out.Name) == "" {
		out.Name = r.ID
	}
	return out
}
