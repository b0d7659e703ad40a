package totalstore

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/curpipe/curpipe/io/awstest"
	"github.com/curpipe/curpipe/io/dynamodbio"
	"github.com/curpipe/curpipe/io/lake"
	_ "github.com/curpipe/curpipe/io/localfs" // the lake in a temporary folder
	"github.com/curpipe/curpipe/io/objstore"
	"github.com/curpipe/curpipe/transforms/alert"
	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/forecast"
	"github.com/curpipe/curpipe/transforms/totals"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	os.Exit(code)
}

func row(day, account, cost string) totals.Row {
	c := decimal.MustParse(cost)
	return totals.Row{
		Dims: totals.Dims{Day: day, Provider: "AWS", Payer: "111", Account: account, Service: "AmazonEC2", Currency: "USD"},
		Sums: totals.Sums{Unblended: c, NetUnblended: c, Amortized: c, LineItems: 1},
	}
}

// commitLake writes the lake's record of a committed version, as the
// commit stage does for every store.
func commitLake(t *testing.T, output string, v Version, days []string) {
	t.Helper()
	b, err := json.Marshal(lake.State{ID: v.ReportID, Version: v.Version, VersionKey: v.VersionKey, Days: days})
	if err != nil {
		t.Fatal(err)
	}
	if err := objstore.WriteAll(context.Background(), lake.StateURL(output, v.ReportKey), b); err != nil {
		t.Fatal(err)
	}
}

// TestStores runs one report's life through each store: a version's days
// are written, committed, read back; a newer version replaces it, losing
// a day; an older one is refused where the store guards versions itself.
func TestStores(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"lake", "table"} {
		t.Run(name, func(t *testing.T) {
			output := t.TempDir()
			var store Store
			if name == "lake" {
				store = Lake(output)
			} else {
				awstest.Endpoint(t) // sets the SDK's environment for moto
				tab, err := dynamodbio.Open(ctx, awstest.Name(t, "totals"))
				if err != nil {
					t.Fatal(err)
				}
				if err := tab.Create(ctx); err != nil {
					t.Fatal(err)
				}
				store = Table(tab)
			}
			if err := store.Check(ctx); err != nil {
				t.Fatalf("Check: %v", err)
			}
			v1 := Version{ReportKey: "r", ReportID: "s3://b/r", Version: "v1", VersionKey: "v1", VersionTime: 1}
			v2 := v1
			v2.Version, v2.VersionKey, v2.VersionTime = "v2", "v2", 2
			days := []string{"2024-01-01", "2024-01-02"}
			write := func(v Version, rows ...totals.Row) {
				t.Helper()
				byDay := map[string][]totals.Row{}
				for _, r := range rows {
					byDay[r.Day] = append(byDay[r.Day], r)
				}
				for day, rs := range byDay {
					if _, err := store.WriteDay(ctx, v, day, rs); err != nil {
						t.Fatalf("WriteDay %s %s: %v", v.Version, day, err)
					}
				}
			}
			commit := func(v Version, days []string) {
				t.Helper()
				if err := store.Commit(ctx, v, "r", "2024-01", days); err != nil {
					t.Fatalf("Commit %s: %v", v.Version, err)
				}
				commitLake(t, output, v, days)
				if err := store.Finalize(ctx); err != nil {
					t.Fatalf("Finalize: %v", err)
				}
			}
			query := func() string {
				t.Helper()
				tab, err := store.Query(ctx, "2024-01-01", "2024-01-31")
				if err != nil {
					t.Fatalf("Query: %v", err)
				}
				var s string
				for _, r := range tab.Rows() {
					s += r.Day + " " + r.Account + " " + r.Unblended.String() + "\n"
				}
				return s
			}

			write(v1, row("2024-01-01", "1", "1.5"), row("2024-01-01", "2", "0.25"), row("2024-01-02", "1", "3"))
			if ok, err := store.Holds(ctx, v1, days); ok || err != nil {
				t.Fatalf("Holds before the commit = %v, %v", ok, err)
			}
			commit(v1, days)
			if ok, err := store.Holds(ctx, v1, days); !ok || err != nil {
				t.Fatalf("Holds after the commit = %v, %v", ok, err)
			}
			if ok, _ := store.Holds(ctx, v1, []string{"2024-01-03"}); ok {
				t.Error("Holds a day the version does not have")
			}
			if got, want := query(), "2024-01-01 1 1.5\n2024-01-01 2 0.25\n2024-01-02 1 3\n"; got != want {
				t.Errorf("v1's totals:\n%s\nwant:\n%s", got, want)
			}

			write(v2, row("2024-01-01", "1", "2"))
			commit(v2, days[:1])
			if err := store.Retire(ctx, v1, days); err != nil {
				t.Fatalf("Retire: %v", err)
			}
			if err := store.Finalize(ctx); err != nil {
				t.Fatal(err)
			}
			if got, want := query(), "2024-01-01 1 2\n"; got != want {
				t.Errorf("v2's totals:\n%s\nwant:\n%s", got, want)
			}
			if name == "table" {
				if err := store.Commit(ctx, v1, "r", "2024-01", days); !errors.Is(err, ErrStale) {
					t.Errorf("committing the older version: %v, want ErrStale", err)
				}
			}

			// The anomalies beside the totals: none, then saved, then one
			// replaced by its ID and another added.
			if got, err := store.Anomalies(ctx); err != nil || len(got) != 0 {
				t.Fatalf("Anomalies of a new store: %v, %v", got, err)
			}
			spike := alert.Anomaly{Payer: "1", Account: "2", Service: "AmazonEC2", Currency: "USD", Kind: "spike", Start: "2024-01-02",
				End: "2024-01-02", Expected: decimal.MustParse("10"), Actual: decimal.MustParse("95.5"), Impact: decimal.MustParse("85.5")}
			total := spike
			total.Account, total.Service = "", ""
			if err := store.SaveAnomalies(ctx, []alert.Record{{Anomaly: spike, Status: alert.Open, Published: true, Told: spike.Impact}, {Anomaly: total, Status: alert.Open}}); err != nil {
				t.Fatal(err)
			}
			if err := store.SaveAnomalies(ctx, []alert.Record{{Anomaly: spike, Status: alert.Resolved, Published: true, Told: spike.Impact}}); err != nil {
				t.Fatal(err)
			}
			got, err := store.Anomalies(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].ID() != spike.ID() || got[0].Status != alert.Resolved || !got[0].Impact.Equal(spike.Impact) ||
				got[1].ID() != total.ID() || got[1].Status != alert.Open || got[1].Published {
				t.Errorf("Anomalies = %+v", got)
			}

			// The payers' forecasts: none, then saved, then one replaced
			// and one of another period kept apart.
			if got, err := store.Forecasts(ctx, "2024-01"); err != nil || len(got) != 0 {
				t.Fatalf("Forecasts of a new store: %v, %v", got, err)
			}
			fc := func(month, payer, mtd string) forecast.Row {
				m := anomaly.MustParseDay(month + "-01")
				return forecast.Row{Payer: payer, Currency: "USD", Measure: "net_unblended", Result: forecast.Result{AsOf: m + 4, Month: m, Days: 31,
					MonthToDate: decimal.MustParse(mtd), Estimate: forecast.Estimate{Forecast: decimal.MustParse("100.5")}}}
			}
			for _, save := range []struct {
				period string
				rows   []forecast.Row
			}{
				{"2024-01", []forecast.Row{fc("2024-01", "1", "5"), fc("2024-01", "2", "6")}},
				{"2024-01", []forecast.Row{fc("2024-01", "2", "7.25")}},
				{"2024-02", []forecast.Row{fc("2024-02", "1", "8")}},
			} {
				if err := store.SaveForecasts(ctx, save.period, save.rows); err != nil {
					t.Fatal(err)
				}
			}
			jan, err := store.Forecasts(ctx, "2024-01")
			if err != nil {
				t.Fatal(err)
			}
			if len(jan) != 2 || jan[0].Payer != "1" || !jan[0].MonthToDate.Equal(decimal.MustParse("5")) ||
				jan[1].Payer != "2" || !jan[1].MonthToDate.Equal(decimal.MustParse("7.25")) || !jan[1].Forecast.Equal(decimal.MustParse("100.5")) {
				t.Errorf("Forecasts(2024-01) = %+v", jan)
			}
			if err := store.SaveForecasts(ctx, "2024-03", []forecast.Row{fc("2024-01", "1", "5")}); err == nil {
				t.Error("a January forecast saved as March's")
			}
		})
	}
}
