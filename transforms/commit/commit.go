// Package commit makes a report's results visible, all or nothing. The
// days of a report that may commit are written in parallel shards; then
// one small step per report records the version as committed, retires
// what the version it replaces left behind, and says what happened. A
// report that fails writes nothing and has what it wrote removed. Every
// step is idempotent, so a replayed commit changes nothing.
package commit

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/dynamodbio"
	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/element"
	"github.com/curpipe/curpipe/transforms/progress"
	"github.com/curpipe/curpipe/transforms/rowcoder"
)

func init() {
	register.DoFn5x1[context.Context, string, func(*element.Verdict) bool, func(*ShardAck) bool, func(element.Outcome), error](&commitFn{})
	register.Emitter1[element.Outcome]()
	register.Iter1[ShardAck]()
	rowcoder.Register(encodeShardAck, decodeShardAck)
}

var shardAckCodec rowcoder.Codec[ShardAck]

func encodeShardAck(v ShardAck) ([]byte, error) { return shardAckCodec.Encode(v) }

func decodeShardAck(b []byte) (ShardAck, error) { return shardAckCodec.Decode(b) }

// Options configure the commit.
type Options struct {
	Output string // the lake root
	Table  string // DynamoDB totals table; "" keeps the totals in the lake as CSV
}

// Commit gathers each report's verdict with its shards' acknowledgements
// and commits or fails the report as a whole. Output: one Outcome each.
func Commit(s beam.Scope, verdicts, acks beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("commit.Commit")
	grouped := beam.CoGroupByKey(s, verdicts, acks)
	return beam.ParDo(s, &commitFn{Output: opts.Output, Table: opts.Table}, grouped)
}

type commitFn struct {
	Output string
	Table  string
	store  totalstore.Store
}

func (f *commitFn) Setup(ctx context.Context) (err error) {
	f.store, err = totalstore.Open(ctx, f.Output, f.Table)
	return err
}

func (f *commitFn) ProcessElement(ctx context.Context, ref string, verdicts func(*element.Verdict) bool, acks func(*ShardAck) bool, emit func(element.Outcome)) (err error) {
	var v element.Verdict
	for verdicts(&v) {
	}
	var days []ShardAck
	var a ShardAck
	for acks(&a) {
		days = append(days, a)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Day < days[j].Day })
	emitted := false
	defer func() {
		// A panic fails this report, never the worker and every report
		// in it. Nothing is removed: what was committed stays so.
		r := recover()
		switch {
		case r == nil:
		case emitted || v.Report.Ref == "":
			err = fmt.Errorf("report %s: internal error while committing: %v", ref, r)
		default:
			out := summarize(v, nil)
			out.Status, out.Reason = element.Failed, fmt.Sprintf("internal error while committing: %v", r)
			log.Errorf(ctx, "report %s version %s: %s", v.Report.ID, v.Report.Version, out.Reason)
			progress.Reported(out.Status)
			emit(out)
			err = nil
		}
	}()
	return f.process(ctx, ref, v, days, func(o element.Outcome) { emitted = true; progress.Reported(o.Status); emit(o) })
}

func (f *commitFn) process(ctx context.Context, ref string, v element.Verdict, days []ShardAck, emit func(element.Outcome)) error {
	if len(v.Report.Messages) > 0 {
		stop, err := sqsio.KeepInvisible(ctx, element.Receipts(v.Report.Messages))
		if err != nil {
			return err
		}
		defer stop()
	}
	out := summarize(v, days)
	r := v.Report
	switch {
	case r.Ref == "":
		return fmt.Errorf("report %s: shards without a verdict", ref)
	case r.Skip != "":
		out.Status, out.Reason = element.Skipped, r.Skip
		log.Infof(ctx, "report %s skipped: %s", r.ID, r.Skip)
	case !v.OK():
		// Nothing of a failed report may stay visible. What cannot be
		// removed now is removed by the version's next failure or
		// replaced by its commit.
		out.Status, out.Reason = element.Failed, v.Err
		if err := f.removeProduced(ctx, v); err != nil {
			out.Reason += "; and its files could not be removed: " + err.Error()
		}
		log.Errorf(ctx, "report %s version %s failed: %s", r.ID, r.Version, out.Reason)
	default:
		res, err := f.commitOrRefuse(ctx, v, days)
		if err != nil {
			// A store that stays down past the retries: the report is not
			// committed this time, and nothing is removed; a stream's
			// redelivery or a rerun commits it once the store is back.
			res = result{element.Failed, "not committed: " + err.Error()}
		}
		out.Status, out.Reason = res.status, res.reason
		switch res.status {
		case element.Committed:
			log.Infof(ctx, "report %s version %s committed: %d files, %d rows, %d days", r.ID, r.Version, out.Files, out.Rows, len(out.Days))
		case element.Failed:
			log.Errorf(ctx, "report %s version %s not committed: %s", r.ID, r.Version, res.reason)
		default:
			log.Infof(ctx, "report %s version %s: %s", r.ID, r.Version, res.reason)
		}
	}
	if f.Output != "" && r.Skip == "" && r.VersionKey != "" {
		// Its totals are written or will not be: what its parse spilled
		// has served. Left behind, it is only space; a redelivery writes
		// it again.
		if err := lake.RemoveSpilled(ctx, f.Output, r.Key, r.VersionKey); err != nil {
			log.Warnf(ctx, "report %s version %s: %v", r.ID, r.Version, err)
		}
		// What its files gathered for the findings serves a committed
		// version only, which the savings stage reads and removes.
		if out.Status != element.Committed {
			if err := lake.RemoveFindingsPartials(ctx, f.Output, r.Key, r.VersionKey); err != nil {
				log.Warnf(ctx, "report %s version %s: %v", r.ID, r.Version, err)
			}
		}
	}
	emit(out)
	return nil
}

// result is what a commit came to: Committed, Skipped (a replay, or a
// newer version holds the report) or Failed (refused, nothing changed).
type result struct {
	status, reason string
}

// commitOrRefuse commits a report whose files all parsed, once it has
// checked that every day the verdict names was written: a commit states
// what it commits, and never takes days away on the strength of what
// happened to arrive.
func (f *commitFn) commitOrRefuse(ctx context.Context, v element.Verdict, acks []ShardAck) (result, error) {
	want := v.Days()
	if gap := incomplete(want, acks); gap != "" {
		held, err := f.holds(ctx, v, want)
		if err != nil {
			return result{}, err
		}
		if held {
			// Another run of the same version (a duplicate event in an
			// earlier window, say) committed it whole.
			return result{element.Skipped, "version " + v.Report.Version + " already committed"}, nil
		}
		// Nothing is written or removed: the files and days written so
		// far are this version's and stay for its next try, which the
		// queue's redelivery (or a rerun) brings.
		return result{element.Failed, "not committed, nothing changed: " + gap}, nil
	}
	res, err := f.commit(ctx, v, want)
	if errors.Is(err, dynamodbio.ErrShrink) || errors.Is(err, errShrink) {
		return result{element.Failed, "not committed, nothing changed: " + err.Error()}, nil
	}
	return res, err
}

// holds reports whether the sink holds the report's version committed
// with at least the given days.
func (f *commitFn) holds(ctx context.Context, v element.Verdict, days []string) (bool, error) {
	return f.store.Holds(ctx, reportVersion(v.Report), days)
}

// commit records the report's version as committed, then retires what
// the version it replaces left behind: its curated files and its day
// totals. The state is written first, so a crash in between leaves extra
// files, never missing ones, and a rerun cleans up.
func (f *commitFn) commit(ctx context.Context, v element.Verdict, days []string) (result, error) {
	r := v.Report
	err := f.store.Commit(ctx, reportVersion(r), r.Name, r.BillingPeriod, days)
	if errors.Is(err, totalstore.ErrStale) {
		// A newer version reached the store first (another run, a
		// redelivery): this one changes nothing, which is right.
		return result{element.Skipped, "a newer version is committed in " + f.store.String()}, f.removeProduced(ctx, v)
	}
	if err != nil {
		return result{}, err
	}
	return f.commitLake(ctx, v, days)
}
