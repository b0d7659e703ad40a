package commit

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/element"
)

func init() {
	register.Function1x2(keyAll)
	register.Function1x2(blankOutcome)
	register.DoFn4x1[context.Context, int, func(*element.Outcome) bool, func(element.Outcome), error](&finalizeFn{})
	register.Emitter1[element.Outcome]()
	register.Emitter2[int, element.Outcome]()
	register.Iter1[element.Outcome]()
}

// Summary is the record of one run, written to the lake for the command
// (and anyone auditing) to read back.
type Summary struct {
	RunID    string            `json:"run_id"`
	Outcomes []element.Outcome `json:"reports"`
}

// Finalize waits for every report's outcome, then rebuilds the lake-wide
// daily totals from the committed reports' totals and writes the run
// summary. In batch it runs once, after the last commit.
//
// It returns the committed outcomes once the totals they changed are
// summed, for the stages that read the totals back (anomalies); a window
// whose totals could not be finalized passes nothing on.
func Finalize(s beam.Scope, outcomes beam.PCollection, opts Options, runID string) beam.PCollection {
	s = s.Scope("commit.Finalize")
	keyed := beam.ParDo(s, keyAll, outcomes)
	if runID != "" {
		// A batch run that found no report still finalizes: a blank
		// outcome makes sure the group has an element. (A stream is
		// windowed and finalizes the windows that hold reports.)
		keyed = beam.Flatten(s, keyed, beam.ParDo(s, blankOutcome, beam.Impulse(s)))
	}
	grouped := beam.GroupByKey(s, keyed)
	return beam.ParDo(s, &finalizeFn{Output: opts.Output, Table: opts.Table, RunID: runID}, grouped)
}

func keyAll(o element.Outcome) (int, element.Outcome) { return 0, o }

func blankOutcome(_ []byte) (int, element.Outcome) { return 0, element.Outcome{} }

type finalizeFn struct {
	Output string
	Table  string
	RunID  string
	store  totalstore.Store
}

func (f *finalizeFn) Setup(ctx context.Context) (err error) {
	f.store, err = totalstore.Open(ctx, f.Output, f.Table)
	return err
}

func (f *finalizeFn) ProcessElement(ctx context.Context, _ int, outcomes func(*element.Outcome) bool, emit func(element.Outcome)) error {
	sum := Summary{RunID: f.RunID, Outcomes: []element.Outcome{}}
	var o element.Outcome
	for outcomes(&o) {
		if o.Ref == "" {
			continue
		}
		sum.Outcomes = append(sum.Outcomes, o)
	}
	sort.Slice(sum.Outcomes, func(i, j int) bool { return sum.Outcomes[i].Ref < sum.Outcomes[j].Ref })
	// The lake's totals are summed over the committed reports here.
	if err := f.store.Finalize(ctx); err != nil {
		if f.RunID != "" {
			return fmt.Errorf("finalize the totals in %s: %w", f.store, err)
		}
		// A stream finalizes again at its next window; an outage of the
		// store must not end it.
		log.Errorf(ctx, "finalize the totals in %s: %v; the next window tries again", f.store, err)
		return nil
	}
	for _, o := range sum.Outcomes {
		if o.Status == element.Committed {
			emit(o)
		}
	}
	if f.RunID == "" {
		return nil // a stream keeps no run record per window
	}
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	log.Infof(ctx, "run %s finalized: %d reports", f.RunID, len(sum.Outcomes))
	return objstore.WriteAll(ctx, lake.SummaryURL(f.Output, f.RunID), append(b, '\n'))
}
