// Package notify tells people what happened to each report: one SNS
// message per committed or failed report, with the figures a person needs
// (billing period, version, days, totals per currency, rows, bad rows,
// duration) in a JSON body and a short subject.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/io/snsio"
	"github.com/curpipe/curpipe/io/sqsio"
	"github.com/curpipe/curpipe/io/totalstore"
	"github.com/curpipe/curpipe/transforms/element"
)

func init() {
	register.DoFn3x1[context.Context, element.Outcome, func(element.Outcome), error](&publishFn{})
}

// Publish sends one message per committed or failed report to the topic
// and passes each outcome on once its message is sent, so a stage after
// it (acknowledging a queue message, say) knows people were told.
// Skipped reports pass on without a message, unless a message of theirs
// could not be sent before: that one is sent then.
//
// A message that cannot be sent after retries never fails the bundle:
// its outcome passes on marked Unnotified (a stream then leaves its queue
// messages to come back, a run exits with an error), and the message is
// kept in the lake (lake.UnsentURL) for the report's next pass to send.
func Publish(s beam.Scope, outcomes beam.PCollection, topicARN string, opts Options) beam.PCollection {
	s = s.Scope("notify.Publish")
	return beam.ParDo(s, &publishFn{Topic: topicARN, Opts: opts}, outcomes)
}

// Options configure Publish.
type Options struct {
	// Output is the lake, where messages not sent are kept; "" keeps none.
	Output string
	// Stream keeps a report's queue messages invisible while its message
	// is retried, for up to StreamDeadline: a stream outlives an outage of
	// SNS without its reports coming back meanwhile.
	Stream bool
	// Deadline bounds the retries of one message; 0 means snsio's default,
	// or StreamDeadline with Stream.
	Deadline time.Duration
	// Forecast puts each payer's month to date and month-end forecast
	// in a committed report's message, read from the totals' store: the
	// lake at Output, or Table when it is named.
	Forecast bool
	Table    string
}

// StreamDeadline is how long a stream retries one notification: an SNS
// outage shorter than this loses nothing and fails nothing.
const StreamDeadline = 5 * time.Minute

type publishFn struct {
	Topic string
	Opts  Options
	pub   *snsio.Publisher
	store totalstore.Store // nil unless Opts.Forecast
}

func (f *publishFn) Setup(ctx context.Context) error {
	var opts []snsio.OptionFn
	switch {
	case f.Opts.Deadline > 0:
		opts = append(opts, snsio.PublishDeadline(f.Opts.Deadline))
	case f.Opts.Stream:
		opts = append(opts, snsio.PublishDeadline(StreamDeadline))
	}
	var err error
	if f.pub, err = snsio.New(ctx, f.Topic, opts...); err != nil {
		return err
	}
	if f.Opts.Forecast {
		f.store, err = totalstore.Open(ctx, f.Opts.Output, f.Opts.Table)
	}
	return err
}

func (f *publishFn) ProcessElement(ctx context.Context, o element.Outcome, emit func(element.Outcome)) error {
	switch o.Status {
	case element.Committed, element.Failed:
		m, err := Message(o, f.forecasts(ctx, o)...)
		if err != nil {
			return err
		}
		if err := f.send(ctx, o, m, ""); err != nil {
			o.Unnotified = err.Error()
		}
	case element.Skipped:
		if f.Opts.Output == "" {
			break
		}
		m, kept, ok, err := loadUnsent(ctx, f.Opts.Output, o.ReportID, o.Version)
		if err != nil {
			o.Unnotified = fmt.Sprintf("read its unsent notification: %v", err)
			log.Errorf(ctx, "notify report %s: %s", o.ReportID, o.Unnotified)
		} else if ok {
			if err := f.send(ctx, o, m, kept); err != nil {
				o.Unnotified = err.Error()
			}
		}
	}
	emit(o)
	return nil
}

// send publishes m, the message of o. Once it is sent, the copy kept for
// o's version (kept, or the one a previous pass left) is removed; if it
// cannot be sent, it is kept.
func (f *publishFn) send(ctx context.Context, o element.Outcome, m snsio.Message, kept string) error {
	if f.Opts.Stream && len(o.Messages) > 0 {
		if stop, err := sqsio.KeepInvisible(ctx, element.Receipts(o.Messages)); err == nil {
			defer stop()
		}
	}
	id, err := f.pub.Publish(ctx, m)
	if err != nil {
		err = fmt.Errorf("notify report %s: %w", o.ReportID, err)
		if f.Opts.Output != "" && !errors.Is(err, snsio.ErrInvalid) && !errors.Is(err, snsio.ErrTooLarge) {
			if u, kerr := keepUnsent(ctx, f.Opts.Output, o.ReportID, o.Version, m); kerr != nil {
				err = fmt.Errorf("%w; and it could not be kept for later: %v", err, kerr)
			} else {
				err = fmt.Errorf("%w; kept in %s, sent when this version comes through again", err, u)
			}
		}
		log.Errorf(ctx, "%v", err)
		return err
	}
	log.Infof(ctx, "notified %s: %s (message %s)", f.Topic, m.Subject, id)
	if f.Opts.Output != "" {
		if kept == "" {
			kept = lake.UnsentURL(f.Opts.Output, o.ReportID, o.Version)
		}
		if err := objstore.Remove(ctx, kept); err != nil && !errors.Is(err, objstore.ErrNotFound) {
			log.Warnf(ctx, "remove %s, a notification now sent: %v", kept, err)
		}
	}
	return nil
}

// Body is the JSON body of a notification.
type Body struct {
	Status        string     `json:"status"`
	Report        string     `json:"report"`
	ReportID      string     `json:"report_id"`
	BillingPeriod string     `json:"billing_period,omitempty"`
	Version       string     `json:"version"`
	Days          []string   `json:"days"`
	FirstDay      string     `json:"first_day,omitempty"`
	LastDay       string     `json:"last_day,omitempty"`
	Totals        []Currency `json:"totals"`
	Files         int        `json:"files"`
	Rows          int64      `json:"rows"`
	BadRows       int64      `json:"bad_rows"`
	DurationMS    int64      `json:"duration_ms"`
	Error         string     `json:"error,omitempty"`
	// Forecasts are the month to date and month-end forecast of each
	// payer and currency of a committed report.
	Forecasts []Forecast `json:"forecasts,omitempty"`
}

// Currency is a report's sum for one provider and currency; the costs are
// exact decimal strings.
type Currency struct {
	Provider         string `json:"provider"`
	Currency         string `json:"currency"`
	UnblendedCost    string `json:"unblended_cost"`
	NetUnblendedCost string `json:"net_unblended_cost"`
	AmortizedCost    string `json:"amortized_cost"`
	LineItems        int64  `json:"line_items"`
}

// Message renders an outcome as a notification, with its payers' forecasts
// when there are any.
func Message(o element.Outcome, forecasts ...Forecast) (snsio.Message, error) {
	b := Body{
		Status: o.Status, Report: o.Name, ReportID: o.ReportID, BillingPeriod: o.BillingPeriod,
		Version: o.Version, Days: o.Days, Totals: []Currency{}, Files: o.Files, Rows: o.Rows,
		BadRows: o.BadRows, DurationMS: o.Millis, Forecasts: forecasts,
	}
	if o.Status == element.Failed {
		b.Error = o.Reason
	}
	if len(o.Days) > 0 {
		b.FirstDay, b.LastDay = o.Days[0], o.Days[len(o.Days)-1]
	}
	var sums []string
	for _, t := range o.Totals {
		b.Totals = append(b.Totals, Currency{
			Provider: t.Provider, Currency: t.Currency,
			UnblendedCost: t.Unblended.String(), NetUnblendedCost: t.NetUnblended.String(),
			AmortizedCost: t.Amortized.String(), LineItems: t.LineItems,
		})
		sums = append(sums, t.Unblended.String()+" "+t.Currency)
	}
	body, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return snsio.Message{}, err
	}
	period := o.BillingPeriod
	if period == "" && len(o.Days) > 0 {
		period = o.Days[0][:7]
	}
	what := strings.TrimSpace(o.Name + " " + period)
	subject := fmt.Sprintf("curpipe: %s committed: %s", what, strings.Join(sums, ", "))
	if o.Status == element.Failed {
		subject = fmt.Sprintf("curpipe: %s FAILED", what)
	}
	return snsio.Message{
		Subject:    subject,
		Body:       body,
		Attributes: map[string]string{"type": "report", "status": o.Status, "report": o.ReportID},
	}, nil
}
