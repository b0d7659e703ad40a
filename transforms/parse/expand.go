package parse

import (
	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/curpipe/curpipe/transforms/element"
)

func init() {
	register.DoFn2x0[element.Report, func(element.FileGroup)](&expandFn{})
	register.Emitter1[element.FileGroup]()
}

// DefaultGroups is how many groups ExpandFiles makes of a report's files
// at most, unless told otherwise.
const DefaultGroups = 2

// ExpandFiles turns each report to process into groups of its data files,
// at most groups of them (DefaultGroups when 0), and redistributes them,
// so that the files of a large report (or of a backfill of many reports)
// are parsed in parallel across workers. A group's files are parsed one
// after another into one set of partial sums, which bounds what a report
// puts in the shuffle by groups x its cells, whatever its file count.
func ExpandFiles(s beam.Scope, reports beam.PCollection, groups int) beam.PCollection {
	s = s.Scope("parse.ExpandFiles")
	if groups <= 0 {
		groups = DefaultGroups
	}
	tasks := beam.ParDo(s, &expandFn{Groups: groups}, reports)
	return beam.Reshuffle(s, tasks)
}

type expandFn struct {
	Groups int
}

func (f *expandFn) ProcessElement(r element.Report, emit func(element.FileGroup)) {
	if r.Err != "" || r.Skip != "" {
		return
	}
	n := min(len(r.Files), f.Groups)
	if n == 0 {
		return
	}
	groups := make([]element.FileGroup, n)
	for i := range groups {
		groups[i].Groups = n
	}
	for i, u := range r.Files {
		g := &groups[i%n]
		g.Tasks = append(g.Tasks, element.FileTask{
			Ref:           r.Ref,
			ReportKey:     r.Key,
			ReportName:    r.Name,
			ReportID:      r.ID,
			Version:       r.Version,
			VersionKey:    r.VersionKey,
			BillingPeriod: r.BillingPeriod,
			URL:           u,
			Index:         i,
			Messages:      r.Messages,
		})
	}
	for _, g := range groups {
		emit(g)
	}
}
