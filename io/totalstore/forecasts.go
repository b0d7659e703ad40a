package totalstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/curpipe/curpipe/io/lake"
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/forecast"
)

func (s lakeStore) Forecasts(ctx context.Context, period string) ([]forecast.Row, error) {
	return readLakeCSV(ctx, lake.ForecastsURL(s.output, period), forecast.ReadCSV)
}

// SaveForecasts rewrites the period's file of forecasts with rows merged
// in; the file appears whole or not at all.
func (s lakeStore) SaveForecasts(ctx context.Context, period string, rows []forecast.Row) error {
	if err := samePeriod(period, rows); err != nil {
		return fmt.Errorf("%s: %w", s, err)
	}
	have, err := s.Forecasts(ctx, period)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := forecast.WriteCSV(&buf, merge(have, rows, sortForecasts), false); err != nil {
		return err
	}
	return objstore.WriteAll(ctx, lake.ForecastsURL(s.output, period), buf.Bytes())
}

// forecastDocs is the documents collection of the forecasts in a table.
const forecastDocs = "forecasts"

func (s tableStore) Forecasts(ctx context.Context, period string) ([]forecast.Row, error) {
	docs, err := s.t.Docs(ctx, forecastDocs)
	if err != nil {
		return nil, err
	}
	var out []forecast.Row
	for id, body := range docs {
		if !strings.HasPrefix(id, period+"|") {
			continue
		}
		rows, err := forecast.ReadCSV(strings.NewReader(body))
		if err != nil || len(rows) != 1 {
			return nil, fmt.Errorf("table %s: forecast %s: %d rows, %v", s.t.Name(), id, len(rows), err)
		}
		out = append(out, rows[0])
	}
	slices.SortFunc(out, forecast.Compare)
	return out, nil
}

func (s tableStore) SaveForecasts(ctx context.Context, period string, rows []forecast.Row) error {
	if err := samePeriod(period, rows); err != nil {
		return fmt.Errorf("%s: %w", s, err)
	}
	docs := make(map[string]string, len(rows))
	for _, r := range rows {
		var buf bytes.Buffer
		if err := forecast.WriteCSV(&buf, []forecast.Row{r}, false); err != nil {
			return err
		}
		docs[r.ID()] = buf.String()
	}
	return s.t.PutDocs(ctx, forecastDocs, docs)
}

// samePeriod checks that every row forecasts the billing period.
func samePeriod(period string, rows []forecast.Row) error {
	for _, r := range rows {
		if got := r.Month.String()[:7]; got != period {
			return fmt.Errorf("a forecast of %s saved as %s's", got, period)
		}
	}
	return nil
}

func sortForecasts(rows []forecast.Row) { slices.SortFunc(rows, forecast.Compare) }
