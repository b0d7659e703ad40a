// Package reports holds the Beam stages that find billing reports: listing
// input folders and S3 prefixes (ListReports), and resolving the objects
// that queue events announce (ResolveEvents). Both resolve objects into
// reports with the report package and guard each version against the one
// committed to the lake.
package reports

import (
	"context"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/s3io"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/progress"
	"github.com/curpipe/curpipe/transforms/report"
)

func init() {
	register.DoFn3x1[context.Context, string, func(element.Report), error](&listFn{})
	register.Emitter1[element.Report]()
}

// ListOptions configure ListReports.
type ListOptions struct {
	// Output is the lake root whose committed state guards versions.
	Output string
	// Reprocess processes a report even when its version is committed.
	Reprocess bool
	// Limits bound manifests and reports; zero fields take
	// report.DefaultLimits'.
	Limits report.Limits
	// Roles say which IAM role reads which S3 prefix (a payer's own
	// bucket); other objects are read with the process's credentials.
	Roles s3io.SourceRoles
}

// ListReports lists each input location (a folder, a glob, an S3 prefix),
// resolves its objects into reports and emits one Report each. A report
// whose version is not newer than the committed one is emitted with Skip
// set, so the run summary can say so.
func ListReports(s beam.Scope, inputs beam.PCollection, opts ListOptions) beam.PCollection {
	s = s.Scope("reports.ListReports")
	return beam.ParDo(s, &listFn{Output: opts.Output, Reprocess: opts.Reprocess, Limits: opts.Limits, Roles: opts.Roles}, inputs)
}

type listFn struct {
	Output    string
	Reprocess bool
	Limits    report.Limits
	Roles     s3io.SourceRoles
}

func (f *listFn) ProcessElement(ctx context.Context, input string, emit func(element.Report)) error {
	reports, sizes, err := f.list(ctx, input)
	if role := f.Roles.RoleFor(input); err != nil && role != "" {
		err = fmt.Errorf("as %s: %w", role, err)
	}
	if err != nil {
		// An input that cannot be listed or resolved (its store down, say)
		// fails as a report of its own, so that the run's other inputs
		// still commit and the summary names the call and its cause.
		log.Errorf(ctx, "%v", err)
		emit(element.Report{Ref: "input:" + input, ID: input, Name: input, Key: "input", Kind: "input", Err: err.Error()})
		return nil
	}
	for _, r := range reports {
		out := fromReport(r)
		if out.Err == "" && f.Output != "" {
			if out.Skip, err = f.guard(ctx, out); err != nil {
				out.Err = err.Error()
			}
		}
		if out.Err == "" && out.Skip == "" {
			for _, u := range out.Files {
				progress.Expect(u, sizes[u])
			}
		}
		emit(out)
	}
	return nil
}

// list lists an input and resolves its objects into reports; sizes holds
// each listed object's bytes by URL, for the run's progress.
func (f *listFn) list(ctx context.Context, input string) (_ []report.Report, sizes map[string]int64, _ error) {
	store, err := f.Roles.Store(input)
	if err != nil {
		return nil, nil, err
	}
	objs, err := store.List(ctx, input)
	if err != nil {
		return nil, nil, err // it names the input
	}
	listed := make([]report.Object, len(objs))
	sizes = make(map[string]int64, len(objs))
	for i, o := range objs {
		listed[i] = report.Object{URL: o.URL, Key: o.Key, Size: o.Size, ModTime: o.ModTime, ETag: o.ETag}
		sizes[o.URL] = o.Size
	}
	reports, skipped, err := report.ResolveWithin(ctx, listed, f.Roles.ReadAll, f.Limits)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve %s: %w", input, err)
	}
	for _, sk := range skipped {
		log.Infof(ctx, "skip %s: %s", sk.URL, sk.Reason)
	}
	log.Infof(ctx, "%s: %d objects, %d reports", input, len(objs), len(reports))
	return reports, sizes, nil
}

func fromReport(r report.Report) element.Report {
	return element.Report{
		Ref:           r.ID + "@" + r.Version,
		ID:            r.ID,
		Key:           r.Key(),
		ExportKey:     r.ExportKey(),
		Name:          r.Name,
		Kind:          r.Kind,
		BillingPeriod: r.BillingPeriod,
		Version:       r.Version,
		VersionKey:    r.VersionKey(),
		VersionTime:   r.VersionTime.UnixNano(),
		Manifest:      r.Manifest,
		Files:         r.Files,
		Err:           r.Err,
	}
}

// guard compares a report with the version committed to the lake and
// returns why it should be skipped, or "".
func (f *listFn) guard(ctx context.Context, r element.Report) (string, error) {
	st, err := lake.LoadState(ctx, f.Output, r.Key)
	if err != nil || st == nil {
		return "", err
	}
	switch {
	case st.ID != r.ID:
		return "", fmt.Errorf("report %s: state file %s belongs to report %s (key collision)", r.ID, lake.StateURL(f.Output, r.Key), st.ID)
	case st.Version == r.Version && !f.Reprocess:
		return "version " + r.Version + " already committed", nil
	case st.Newer(r.VersionTime, r.Version):
		return fmt.Sprintf("version %s is older than committed version %s", r.Version, st.Version), nil
	}
	return "", nil
}
