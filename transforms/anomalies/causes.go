package anomalies

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/tabular"
)

// explain fills the root causes of the found anomalies from the committed
// curated files of their days. An anomaly whose figures are as stored
// keeps its stored causes, so a redelivery or a later window reads
// nothing. Causes are a help, not the alert: a lake that cannot be read
// leaves them empty and says so.
func (f *evaluateFn) explain(ctx context.Context, found []alert.Anomaly, stored []alert.Record) {
	byID := make(map[string]*alert.Record, len(stored))
	for i := range stored {
		byID[stored[i].ID()] = &stored[i]
	}
	var need []*alert.Anomaly
	var days []string
	payers := map[string]bool{}
	for i := range found {
		a := &found[i]
		if r := byID[a.ID()]; r != nil && r.End == a.End && r.Actual.Equal(a.Actual) && r.Expected.Equal(a.Expected) && len(r.RootCauses) > 0 {
			a.RootCauses = r.RootCauses
			continue
		}
		need = append(need, a)
		actual, baseline := alert.CauseDays(*a)
		days = append(append(days, actual...), baseline...)
		payers[a.Payer] = true
	}
	if len(need) == 0 {
		return
	}
	slices.Sort(days)
	days = slices.Compact(days)
	lines, err := readLines(ctx, f.Opts.Output, days, payers)
	if err != nil {
		log.Errorf(ctx, "anomalies: read the root causes of %d anomalies: %v; sent without them", len(need), err)
		return
	}
	for _, a := range need {
		alert.Explain(a, lines[a.Payer])
	}
}

// causeColumns are the curated columns a root cause is summed from.
var causeColumns = []string{"payer_account_id", "usage_account_id", "service", "currency", "region", "usage_type", "net_unblended_cost"}

// lineKey is a line of alert.Line but its cost.
type lineKey struct{ day, payer, account, service, currency, region, usageType string }

// readLines sums the committed curated lines of the payers on the days by
// account, service, region and usage type, and returns them by payer.
func readLines(ctx context.Context, output string, days []string, payers map[string]bool) (map[string][]alert.Line, error) {
	files, err := lake.CommittedCurated(ctx, output, days)
	if err != nil {
		return nil, err
	}
	sums := map[lineKey]*decimal.Sum{}
	for _, day := range days {
		for _, u := range files[day] {
			if err := sumFile(ctx, u, day, payers, sums); err != nil {
				return nil, err
			}
		}
	}
	out := map[string][]alert.Line{}
	for k, s := range sums {
		out[k.payer] = append(out[k.payer], alert.Line{Day: k.day, Payer: k.payer, Account: k.account, Service: k.service,
			Currency: k.currency, Region: k.region, UsageType: k.usageType, Cost: s.Value()})
	}
	return out, nil
}

// sumFile adds the lines of the payers in one curated file of day to sums.
func sumFile(ctx context.Context, u, day string, payers map[string]bool, sums map[lineKey]*decimal.Sum) (err error) {
	store, err := objstore.For(u)
	if err != nil {
		return err
	}
	ra, err := store.OpenAt(ctx, u)
	if errors.Is(err, objstore.ErrNotFound) {
		return nil // retired by a newer version since the state was read
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", u, err)
	}
	defer func() { err = errors.Join(err, ra.Close()) }()
	r, err := tabular.NewParquetReader(ra, ra.Size(), u)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.Select(causeColumns); err != nil {
		return err
	}
	for {
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !payers[row[0]] || row[6] == "" {
			continue
		}
		cost, err := decimal.Parse(row[6])
		if err != nil {
			return fmt.Errorf("%s:%d: net_unblended_cost: %w", u, r.Pos(), err)
		}
		k := lineKey{day, row[0], row[1], row[2], row[3], row[4], row[5]}
		s := sums[k]
		if s == nil {
			// The reader reuses its strings; the map keeps copies.
			k = lineKey{day, strings.Clone(row[0]), strings.Clone(row[1]), strings.Clone(row[2]), strings.Clone(row[3]), strings.Clone(row[4]), strings.Clone(row[5])}
			s = new(decimal.Sum)
			sums[k] = s
		}
		s.Add(cost)
	}
}
