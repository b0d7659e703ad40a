package reports

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/s3io"
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/report"
)

func init() {
	register.DoFn3x1[context.Context, sqsio.Delivery, func(string, element.Report), error](&resolveEventFn{})
	register.Function3x0(mergeEvents)
	register.Iter1[element.Report]()
}

// ResolveEvents turns each S3 event message into the report it announces:
// a manifest resolves to its report version, an object with no manifest
// is a report of its own (or its Athena month), and a data file of a
// manifest-driven report waits for the manifest that AWS delivers after
// it. Test events and non-create events become reports to skip, so their
// messages are acknowledged; a message of unknown shape becomes a failed
// report, so it is notified and left for the dead-letter queue. Events for
// the same report version in one window are processed once, carrying all
// their messages.
func ResolveEvents(s beam.Scope, deliveries beam.PCollection, opts ListOptions) beam.PCollection {
	s = s.Scope("reports.ResolveEvents")
	keyed := beam.ParDo(s, &resolveEventFn{Output: opts.Output, Reprocess: opts.Reprocess, Limits: opts.Limits, Roles: opts.Roles}, deliveries)
	return beam.ParDo(s, mergeEvents, beam.GroupByKey(s, keyed))
}

type resolveEventFn struct {
	Output    string
	Reprocess bool
	Limits    report.Limits
	Roles     s3io.SourceRoles
}

func (f *resolveEventFn) ProcessElement(ctx context.Context, d sqsio.Delivery, emit func(string, element.Report)) error {
	msg := element.Message{Queue: d.Queue, ID: d.ID, ReceiptHandle: d.ReceiptHandle}
	ev, err := sqsio.Decode(d.Body)
	if err != nil {
		r := eventReport("message "+d.ID, msg)
		r.Err = fmt.Sprintf("message %s on %s: %v", d.ID, d.Queue, err)
		emit(r.Ref, r)
		return nil
	}
	if ev.Kind != sqsio.Created {
		r := eventReport("message "+d.ID, msg)
		r.Skip = ev.Reason
		log.Infof(ctx, "message %s: %s", d.ID, ev.Reason)
		emit(r.Ref, r)
		return nil
	}
	for _, o := range ev.Objects {
		r, err := f.resolveObject(ctx, o.URL())
		if role := f.Roles.RoleFor(o.URL()); err != nil && role != "" {
			err = fmt.Errorf("as %s: %w", role, err)
		}
		if err != nil {
			// Listing or reading a manifest failed past the retries (S3
			// down, say): the message's report fails with the cause and is
			// left on the queue, which brings it back once its visibility
			// lapses. Failing the bundle instead would end the stream.
			log.Errorf(ctx, "message %s: resolve %s: %v", d.ID, o.URL(), err)
			r = eventReport("message "+d.ID, msg)
			r.Err = fmt.Sprintf("resolve %s: %v", o.URL(), err)
			emit(r.Ref, r)
			continue
		}
		r.Messages = []element.Message{msg}
		emit(r.Ref, r)
	}
	return nil
}

// eventReport is a stand-in report for a message that names no billing
// object, so that the message still reaches the commit and its outcome.
func eventReport(name string, m element.Message) element.Report {
	return element.Report{Ref: "event:" + m.ID, ID: "event:" + m.ID, Name: name, Key: "event", Kind: "event", Messages: []element.Message{m}}
}

func (f *resolveEventFn) resolveObject(ctx context.Context, u string) (element.Report, error) {
	roots, waits := report.Roots(u)
	var objs []report.Object
	found := false
	for _, root := range roots {
		store, err := f.Roles.Store(root)
		if err != nil {
			return element.Report{}, err
		}
		listed, err := store.List(ctx, root)
		if err != nil && !isNotFound(err) {
			return element.Report{}, fmt.Errorf("list %s: %w", root, err)
		}
		for _, o := range listed {
			objs = append(objs, report.Object{URL: o.URL, Key: o.Key, Size: o.Size, ModTime: o.ModTime, ETag: o.ETag})
			found = found || o.URL == u
		}
	}
	reports, _, err := report.ResolveWithin(ctx, objs, f.Roles.ReadAll, f.Limits)
	if err != nil {
		return element.Report{}, err
	}
	isManifest := strings.HasSuffix(u, "Manifest.json")
	for _, r := range reports {
		// An assembly's own manifest announces the same version as the
		// date-range copy that names it: both events resolve to it, and a
		// window folds them into one.
		ownManifest := isManifest && len(r.Files) > 0 && path.Dir(r.Files[0]) == path.Dir(u)
		if r.Manifest != u && !ownManifest && !slices.Contains(r.Files, u) {
			continue
		}
		out := fromReport(r)
		switch {
		case waits:
			out.Skip = fmt.Sprintf("%s is a data file of report %s; it is processed when its manifest arrives", path.Base(u), r.Name)
			out.Ref = "wait:" + u
		case out.Err == "" && f.Output != "":
			if out.Skip, err = (&listFn{Output: f.Output, Reprocess: f.Reprocess}).guard(ctx, out); err != nil {
				return element.Report{}, err
			}
		}
		return out, nil
	}
	if waits {
		r := element.Report{Ref: "wait:" + u, ID: u, Name: path.Base(u), Key: "event", Kind: "event",
			Skip: fmt.Sprintf("%s waits for its report's manifest", path.Base(u))}
		return r, nil
	}
	r := element.Report{Ref: "object:" + u, ID: u, Name: path.Base(u), Key: "event", Kind: "event"}
	if !found {
		// A poison message: notified, and left for the dead-letter queue.
		r.Err = fmt.Sprintf("%s: the event names an object that does not exist", u)
	} else {
		r.Skip = fmt.Sprintf("%s is not a billing file", u)
	}
	return r, nil
}

// mergeEvents folds the events for one report version into one report
// carrying every message.
func mergeEvents(ref string, reports func(*element.Report) bool, emit func(element.Report)) {
	var out element.Report
	var r element.Report
	first := true
	for reports(&r) {
		if first {
			out = r
			out.Messages = append([]element.Message(nil), r.Messages...)
			first = false
			continue
		}
		out.Messages = append(out.Messages, r.Messages...)
	}
	sort.Slice(out.Messages, func(i, j int) bool { return out.Messages[i].ID < out.Messages[j].ID })
	emit(out)
}

func isNotFound(err error) bool { return errors.Is(err, objstore.ErrNotFound) }
