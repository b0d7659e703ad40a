package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/curpipe/curpipe/transforms/anomaly"
)

// printTable prints one line per method, then curpipe's recall per kind.
func printTable(w io.Writer, scores []*score) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\trecall\tprecision\tF1\tfalse/30 clean s-m\tmasked-pair recall\talerts\ttrue\tfalse\tneutral\t")
	for _, s := range scores {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.2f\t%.3f\t%d\t%d\t%d\t%d\t\n", s.method, s.recall(), s.precision(), s.f1(),
			s.falsePer30(), s.pairRecall(), s.alerts, s.truePos, s.falsePos, s.neutral)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"recall by kind"}
	kinds := slices.Sorted(maps.Keys(scores[0].kinds))
	head = append(head, kinds...)
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, s := range scores {
		row := []string{s.method}
		for _, k := range kinds {
			c := s.kinds[k]
			row = append(row, fmt.Sprintf("%d/%d", c[0], c[1]))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// verdicts prints one line per target of curpipe's model and returns how
// many it misses.
func verdicts(w io.Writer, scores []*score) int {
	var m, run *score
	best, bestGated := 0.0, 0.0
	for _, s := range scores {
		switch {
		case s.primary:
			m = s
		case s.pipeline:
			run = s
		case s.gated:
			bestGated = max(bestGated, s.f1())
		default:
			best = max(best, s.f1())
		}
	}
	missed := 0
	check := func(ok bool, format string, args ...any) {
		v := "PASS"
		if !ok {
			v = "FAIL"
			missed++
		}
		fmt.Fprintf(w, "%s  "+format+"\n", append([]any{v}, args...)...)
	}
	check(m.recall() >= 0.90, "recall %.3f >= 0.90 (material events)", m.recall())
	check(m.precision() >= 0.80, "precision %.3f >= 0.80", m.precision())
	check(m.falsePer30() <= 1, "false alerts %.2f <= 1 per 30 clean series-months", m.falsePer30())
	check(m.pairRecall() >= 0.90, "masked-pair recall %.3f >= 0.90", m.pairRecall())
	check(m.f1() >= best+0.10, "F1 %.3f >= best baseline's %.3f + 0.10", m.f1(), best)
	if m.restated > 0 {
		check(m.retired == m.restated, "restated spikes raised and then resolved: %d of %d", m.retired, m.restated)
	}
	fmt.Fprintf(w, "info  F1 %.3f - %.3f, the best baseline's behind the same materiality bar = %+.3f\n", m.f1(), bestGated, m.f1()-bestGated)
	if run != nil {
		// What curpipe run itself stored must meet the targets too.
		check(run.recall() >= 0.90 && run.precision() >= 0.80 && run.falsePer30() <= 1 && run.pairRecall() >= 0.90 && run.f1() >= best+0.10,
			"curpipe run's stored anomalies: recall %.3f, precision %.3f, false %.2f, masked-pair recall %.3f, F1 %.3f", run.recall(),
			run.precision(), run.falsePer30(), run.pairRecall(), run.f1())
	}
	return missed
}

// explainAlerts lists the material events curpipe's model missed and its
// false alerts.
func explainAlerts(w io.Writer, labels []*label, alerts []alert, deliveries bool) {
	for _, l := range labels {
		if !l.material || !l.current() && !deliveries {
			continue
		}
		hit := slices.ContainsFunc(alerts, func(a alert) bool { return l.covers(a.key) && l.matches(a.start) })
		if !hit {
			fmt.Fprintf(w, "missed %s %v %s..%s expected %s impact %s\n", l.kind, l.key, l.start, l.end, l.expected, l.impact)
		}
	}
	for _, a := range alerts {
		ok := slices.ContainsFunc(labels, func(l *label) bool {
			return (l.current() || deliveries) && l.matches(a.start) && (l.covers(a.key) || a.key.IsPayerTotal() && l.kind != "masked_pair")
		})
		if !ok {
			fmt.Fprintf(w, "false %s %v %s up=%v resolved=%v\n", a.kind, a.key, a.start, a.up, a.resolved)
		}
	}
	fmt.Fprintln(w)
}

// traceSeries prints the model's evaluation of every day of one series.
func traceSeries(w io.Writer, h *history, name string, cfg anomaly.Config, partialLast bool) error {
	parts := strings.Split(name, "/")
	k := anomaly.PayerTotal(parts[0])
	if len(parts) == 3 {
		k = anomaly.Key{Payer: parts[0], Account: parts[1], Service: parts[2]}
	}
	s := h.series[k]
	if s == nil {
		return fmt.Errorf("no series %s", name)
	}
	t := anomaly.NewTracker(cfg)
	for d := s.Start(); d <= h.last; d++ {
		e, changes := t.Evaluate(s, d, partialLast && d == h.last)
		fmt.Fprintf(w, "%s %s actual %s expected %s impact %s score %.1f %s %s", d, d.Weekday().String()[:3], e.Actual, e.Expected, e.Impact, e.Score, e.Status, e.Kind)
		for _, c := range changes {
			fmt.Fprintf(w, " [%s %s since %s impact %s]", c.Kind, c.Anomaly.Kind, c.Anomaly.Start, c.Anomaly.Impact)
		}
		fmt.Fprintln(w)
	}
	return nil
}
