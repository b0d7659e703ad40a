package billing

import (
	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
)

func init() {
	register.Function2x0(expandFiles)
	register.Emitter1[FileTask]()
}

// ExpandFiles turns each report to process into one FileTask per data
// object and redistributes them, so that the files of a large report (or
// of a backfill of many reports) are parsed in parallel across workers.
func ExpandFiles(s beam.Scope, reports beam.PCollection) beam.PCollection {
	s = s.Scope("billing.ExpandFiles")
	tasks := beam.ParDo(s, expandFiles, reports)
	return beam.Reshuffle(s, tasks)
}

func expandFiles(r Report, emit func(FileTask)) {
	if r.Err != "" || r.Skip != "" {
		return
	}
	for i, u := range r.Files {
		emit(FileTask{
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
}
