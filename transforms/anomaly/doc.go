// Package anomaly finds anomalies in exact daily cost series: per (payer,
// usage account, service) and per payer total, each day judged against
// the days before it only, so that replaying a backfilled history day by
// day raises what a live deployment would have raised.
//
// # Use
//
// A Series holds a key's exact daily costs from the first day of its
// payer's data (a day without a row costs zero). A Tracker judges a day
// with Evaluate and groups the judged days into anomalies:
//
//	s := anomaly.NewSeries(key, payerFirstDay)
//	s.Set(day, cost)                       // from the totals; again when a newer report version restates it
//	e, changes := tracker.Evaluate(s, day, partial)
//
// partial says the day is the newest of its delivery and still being
// billed. Evaluate reads no day after the judged one. The Evaluation
// carries the day's expected and actual cost and their difference, the
// impact, as exact decimals, a score (the impact in robust standard
// deviations, a float64) and a Status. Each Change says an Anomaly was
// Opened, Grew materially (its total impact at least doubled since it was
// last told, by at least Config.MinImpact), was Updated, or was Resolved:
// a newer report version restated its first day so that it is no longer
// anomalous. After a restatement the caller evaluates each restated day
// again, in order.
//
// An Anomaly is a run of anomalous days of one series: it opens on an
// Anomalous day and goes on through the Anomalous or Elevated days that
// deviate the same way after it, across at most Config.Gap days in a row
// that do not. It carries its first day (since when), its last, the sums
// of expected, actual and impact over its days, the impact as a
// percentage of the expected cost rounded to two places (absent when
// nothing was expected), the largest day's impact, the largest score, and
// a Kind: Spike (two days at most), Shift (an abrupt change of three days
// or more), Drift (one that built up over the week before it opened) or
// New (spend on a series never used before).
//
// Every figure a person sees is exact: an expected cost is the median of
// real daily costs (a day's cost, or half the sum of two) plus, on a
// month start, the median of what earlier month starts cost above their
// usual day; impacts are differences of those; the percentage is a
// rational number rounded half away from zero. Only the scale and the
// score are float64.
//
// # The method
//
// A day other than a month start is expected to cost the median of the
// same weekday over the last Weeks (8) weeks, from the series' first
// usage on. That learns weekday seasonality (a Saturday is compared with
// Saturdays) with nothing to fit, and a median is not moved by the odd
// spike. Left out of it: month starts, and the days of earlier anomalies
// shorter than Accept (14) days, so that an anomaly does not teach the
// model that it is normal; a change that lasts Accept days is the new
// level, and from its first day on the expectation learns from it alone.
// A weekday that those rules leave with fewer than two days takes back its
// latest anomalous ones, so that a wrong expectation cannot keep itself
// wrong.
//
// The scale is the series' noise around its weekday level, measured from
// week-over-week differences over twice the window, relative to the pair's
// level: 1.4826 × median |x(u) - x(u-7)| / mean(x(u), x(u-7)) / sqrt 2,
// times the expected cost, widened by sqrt(1 + pi/2n) for the error of a
// median of n weeks. Differences keep a level shift to one week of large
// values and a drift to its weekly step (residuals from the median let
// either inflate the scale until it hid itself), and a relative scale
// gives a weekend at a third of a weekday a third of its noise (with one
// pooled absolute scale, a drift's weekends fell under the bar and split
// it into one alert a week). The score is impact / scale.
//
// A day is Anomalous when its score reaches Open (4) and its impact is
// material: at least MinImpact (50) and at least MinPercent (20%) of the
// expected cost, the bar AWS Cost Anomaly Detection users set as alert
// thresholds. It is Elevated, able to extend an anomaly but not to open
// one, at Continue (3) and half the material bar.
//
// The billing data's traps:
//
//   - Month starts carry the month's fees, RI and Savings Plan fees, tax
//     (a share of the month's charges, so it moves with them) and support.
//     A month start is expected to cost its usual day plus the median of
//     what the last Months (3) month starts cost above their own usual
//     day; it never opens an anomaly, since its monthly charges hide the
//     day's usage (and, once the month is billed, carry the rest of the
//     month), but it may extend one, and an anomaly's gap bridges it.
//     Without an earlier month start, a high one is normal.
//   - The newest day of a delivery is incomplete: a partial day below the
//     expected full day is Pending (judged when complete); one already
//     above it is judged as any other day.
//   - A newer report version replaces an older one: the caller sets the
//     restated days and evaluates them again; an anomaly whose first day
//     is no longer anomalous is Resolved.
//   - A series is New on its first day of usage (a day other than a month
//     start: the tax of the month a series began in is dated on the 1st)
//     when its payer's data began at least Learn (14) days before and the
//     day's cost is material. A series is judged otherwise only once it
//     has been used for Learn days, two of each weekday.
//   - Each series is judged alone, so two series moving in opposite
//     directions are both caught, while their payer's total, which does
//     not move, is not.
//
// # Why this method
//
// The method was chosen by the benchmark under bench/anomaly, on the
// histories curgen --history plants anomalies in (180 days, about 250
// series, 50 material events a seed), against a 28-day median/MAD z-score
// (|z| > 3.5) and seasonal hybrid ESD. On seeds 1, 2 and 3, replaying the
// current totals day by day:
//
//	seed  method          recall  precision  F1     false/30 clean series-months  masked pairs
//	1     curpipe         1.000   0.879      0.936  0.15                          1.000
//	      median/MAD z    0.959   0.038      0.072  50.30                         0.750
//	      S-H-ESD         0.735   0.050      0.094  42.13                         0.750
//	2     curpipe         1.000   0.926      0.962  0.08                          1.000
//	      median/MAD z    0.979   0.050      0.096  50.23                         0.750
//	      S-H-ESD         0.771   0.054      0.102  42.13                         1.000
//	3     curpipe         1.000   0.917      0.957  0.10                          1.000
//	      median/MAD z    0.920   0.032      0.063  52.99                         1.000
//	      S-H-ESD         0.720   0.043      0.081  40.89                         1.000
//
// and replaying the report versions as they were delivered (partial
// newest days, the restated spike raised and then resolved) gives
// curpipe's model the same recall with a precision of 0.881, 0.927 and
// 0.919. Seeds 4 to 12 meet every target too. The baselines raise
// thousands of alerts, on weekends, month starts and small series; behind
// the same materiality bar they still reach an F1 of 0.20 to 0.22 only.
//
// How each part earned its place (figures from bench/anomaly's --model
// flag, seeds 1 to 3): a median over 4 or 12 weeks instead of 8 gives
// precision 0.85 to 0.94 and 0.88 to 0.90, the same recall; Open at 5
// instead of 4 raises precision to 0.98 to 1.00 but misses a masked pair's
// falling half on seed 1 (masked-pair recall 0.75, a missed target), and
// 3.5 lowers precision to 0.85 to 0.90; no gap (Gap 0) lowers seed 3's
// precision from 0.917 to 0.821 (a level shift's return split into an
// alert a week). Three rules came from false alerts seen while the model
// was built on these histories: leaving out the days of earlier anomalies
// (a temporary change that had ended was alerted again, week after week,
// against a median still full of it), the relative scale (a drift whose
// weekends fell under the bar opened an alert every Monday), and the
// month-start rules (every series' 1st, whose tax follows the whole
// month, opened anomalies before the changes that raised it). Before
// them, precision on seeds 1 to 3 was under 0.6.
package anomaly
