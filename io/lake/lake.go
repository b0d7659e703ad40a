// Package lake knows the layout of curpipe's output folder (the lake, a
// local folder or an S3 prefix) and the state it keeps there: where each
// kind of object lives, each report's committed state, the partial sums a
// parse spills, and the rebuild of the lake-wide totals from the committed
// reports' day files. Every stage that reads or writes the lake names its
// objects through here, so that the layout is written down once (the
// README's "Output layout" lists the same paths).
package lake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/curpipe/curpipe/io/objstore"
)

// DailyURL is the lake-wide totals per day, provider and currency.
func DailyURL(output string) string { return objstore.Join(output, "totals", "daily.csv") }

// DetailURL is the lake-wide totals at the detail grain.
func DetailURL(output string) string { return objstore.Join(output, "totals", "daily_detail.csv") }

// AnomaliesURL is where the lake keeps the cost anomalies found in its
// totals: one CSV of every anomaly and what was announced of it.
func AnomaliesURL(output string) string { return objstore.Join(output, "anomalies", "anomalies.csv") }

// ForecastsURL is where the lake keeps the payers' month-end forecasts
// of a billing period (YYYY-MM), the latest of each payer, currency and
// measure.
func ForecastsURL(output, period string) string {
	return objstore.Join(output, "forecasts", "billing_period="+period, "payers.csv")
}

// ForecastSeriesURL is the forecasts of a billing period's usage accounts
// and services as of the latest day forecast, which add up to the payers'.
func ForecastSeriesURL(output, period string) string {
	return objstore.Join(output, "forecasts", "billing_period="+period, "series.csv")
}

// ReportTotalsURL is the folder of one report's daily totals.
func ReportTotalsURL(output, reportKey string) string {
	return objstore.Join(output, "totals", "reports", reportKey)
}

// DayTotalsURL is where one report version's totals of one day are kept.
// Each version writes a folder of its own, so that a version that has not
// committed (or never will) cannot change what the committed one holds;
// the report's state names the version whose folder counts. A versionKey
// of "" gives the layout of lakes written before versions had folders.
func DayTotalsURL(output, reportKey, versionKey, day string) string {
	if versionKey == "" {
		return objstore.Join(ReportTotalsURL(output, reportKey), day+".csv")
	}
	return objstore.Join(ReportTotalsURL(output, reportKey), versionKey, day+".csv")
}

// CuratedURL is the curated Parquet object at rel, a path under the
// curated folder (billing_period=.../usage_date=.../<file>.parquet).
func CuratedURL(output, rel string) string { return objstore.Join(output, "curated", rel) }

// QuarantineURL is where the rows let through by --max-bad-rows of one
// file of a report version are kept.
func QuarantineURL(output, reportKey, versionKey string, index int) string {
	return objstore.Join(output, "quarantine", reportKey, versionKey, fmt.Sprintf("%05d.csv", index))
}

// StatesURL is the folder of the reports' committed states.
func StatesURL(output string) string { return objstore.Join(output, "_curpipe", "reports") }

// StateURL is where a report's committed state is kept.
func StateURL(output, key string) string { return objstore.Join(StatesURL(output), key+".json") }

// SummaryURL is where a run's summary is written.
func SummaryURL(output, runID string) string {
	return objstore.Join(output, "_curpipe", "runs", runID+".json")
}

// UnsentURL is where the notification of one version of a report is kept
// while SNS will not take it.
func UnsentURL(output, reportID, version string) string {
	h := sha256.Sum256([]byte(reportID + "\x00" + version))
	return objstore.Join(output, "_curpipe", "unsent", hex.EncodeToString(h[:12])+".json")
}

// ProbeURL is a scratch object that checks the lake can be written.
func ProbeURL(output, name string) string {
	return objstore.Join(output, "_curpipe", "validate", name)
}
