package gen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// AnomalyKind is the kind of a planted anomaly, as labels.csv names it.
type AnomalyKind string

// The kinds of planted anomalies.
const (
	// KindSpike is one day at 2 to 10 times the expected cost.
	KindSpike AnomalyKind = "spike"
	// KindLevelShift is 25% to 100% more for 3 days or more, some until
	// the end of the history.
	KindLevelShift AnomalyKind = "level_shift"
	// KindDrift is growth of 2% to 5% a day over 1 to 3 weeks; the cost
	// then stays at the level it reached.
	KindDrift AnomalyKind = "drift"
	// KindNewAccount is a new usage account with spend in several
	// services from its first day: one label per series.
	KindNewAccount AnomalyKind = "new_account"
	// KindNewService is a service new to an existing account.
	KindNewService AnomalyKind = "new_service"
	// KindMaskedPair is two series of one payer changing in opposite
	// directions on the same days by about the same amount, so that the
	// payer's total barely moves: two labels that share a Group.
	KindMaskedPair AnomalyKind = "masked_pair"
	// KindRestatedSpike is a spike that one older report version held
	// and the next version took back: not in the current costs.
	KindRestatedSpike AnomalyKind = "restated_spike"
)

// Events counts the anomalies to plant, by kind. Bumps are small spikes
// (one half, rounded up) and level shifts (the other half) whose impact is
// below the materiality bar; they are labelled as spike or level_shift.
type Events struct {
	Spikes         int
	LevelShifts    int
	Drifts         int
	NewAccounts    int
	NewServices    int
	MaskedPairs    int
	Bumps          int
	RestatedSpikes int
}

// eventNames are the names of Events' fields in String and ParseEvents.
var eventNames = []string{"spike", "level_shift", "drift", "new_account", "new_service", "masked_pair", "bump", "restated_spike"}

func (e *Events) fields() []*int {
	return []*int{&e.Spikes, &e.LevelShifts, &e.Drifts, &e.NewAccounts, &e.NewServices, &e.MaskedPairs, &e.Bumps, &e.RestatedSpikes}
}

// String returns e as ParseEvents reads it: "spike=14,level_shift=10,...".
func (e Events) String() string {
	parts := make([]string, len(eventNames))
	for i, n := range e.fields() {
		parts[i] = eventNames[i] + "=" + strconv.Itoa(*n)
	}
	return strings.Join(parts, ",")
}

// ParseEvents reads "kind=count,..." over base: kinds not named keep
// base's count. The kinds are those of labels.csv, and "bump".
func ParseEvents(s string, base Events) (Events, error) {
	e := base
	fields := e.fields()
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, count, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(strings.TrimSpace(count))
		i := indexOf(eventNames, strings.TrimSpace(name))
		if !ok || err != nil || n < 0 || i < 0 {
			return base, fmt.Errorf("events: %q is not kind=count with a kind of %s", part, strings.Join(eventNames, ", "))
		}
		*fields[i] = n
	}
	return e, nil
}

func indexOf(names []string, s string) int {
	for i, n := range names {
		if n == s {
			return i
		}
	}
	return -1
}

// HistoryConfig describes a labelled history.
type HistoryConfig struct {
	Seed     uint64
	Start    time.Time // the first day; the 1st of a month
	Days     int       // consecutive days from Start
	Payers   int       // payer (management) accounts
	Accounts int       // usage accounts per payer at the start, the payer's own included
	Series   int       // series at the start (payer x usage account x service), over all accounts
	Versions int       // report versions per billing period; the last is complete
	Events   Events    // anomalies to plant
	Warmup   int       // days before the first anomaly may start
	Prefix   string    // the report path prefix in the bucket
	Report   string    // the report name
	Bucket   string    // the bucket manifests name
	Level    int       // gzip level
	Workers  int       // files written at once
}

// DefaultHistoryConfig is 180 days from 2024-01-01 of 240 series in three
// payers of eight accounts, three report versions a month, and 50 planted
// anomalies: about 60 labels, three in four series clean.
func DefaultHistoryConfig() HistoryConfig {
	return HistoryConfig{
		Seed: 1, Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Days: 180, Payers: 3, Accounts: 8,
		Series: 240, Versions: 3, Warmup: 35,
		Events: Events{Spikes: 14, LevelShifts: 10, Drifts: 6, NewAccounts: 2, NewServices: 5, MaskedPairs: 4, Bumps: 8, RestatedSpikes: 1},
		Prefix: "cur", Report: "curgen", Bucket: "curgen-billing", Level: gzip.DefaultCompression, Workers: 1,
	}
}

func (c *HistoryConfig) check() error {
	var errs []error
	if c.Start.IsZero() || c.Start.Day() != 1 || !c.Start.Equal(c.Start.Truncate(24*time.Hour)) {
		errs = append(errs, fmt.Errorf("start %s is not the 1st of a month at midnight UTC", c.Start))
	}
	for _, n := range []struct {
		name   string
		v, min int
	}{{"days", c.Days, c.Warmup + 14}, {"payers", c.Payers, 1}, {"accounts", c.Accounts, 1},
		{"series", c.Series, c.Payers * c.Accounts}, {"versions", c.Versions, 1}, {"workers", c.Workers, 1}, {"warmup", c.Warmup, 0}} {
		if n.v < n.min {
			errs = append(errs, fmt.Errorf("%s must be at least %d, not %d", n.name, n.min, n.v))
		}
	}
	if c.Series > c.Payers*c.Accounts*len(serviceDefs) {
		errs = append(errs, fmt.Errorf("%d series do not fit in %d accounts of %d services", c.Series, c.Payers*c.Accounts, len(serviceDefs)))
	}
	for i, n := range c.Events.fields() {
		if *n < 0 {
			errs = append(errs, fmt.Errorf("%s count %d is negative", eventNames[i], *n))
		}
	}
	if c.Events.RestatedSpikes > 0 && c.Versions < 2 {
		errs = append(errs, errors.New("a restated spike needs at least 2 report versions"))
	}
	if c.Events.MaskedPairs > 0 && c.Series < 2*c.Payers {
		errs = append(errs, errors.New("masked pairs need two series in a payer"))
	}
	if c.Report == "" {
		errs = append(errs, errors.New("the report name is empty"))
	}
	if c.Level < gzip.HuffmanOnly || c.Level > gzip.BestCompression {
		errs = append(errs, fmt.Errorf("gzip level %d is out of range", c.Level))
	}
	return errors.Join(errs...)
}

// Label is one planted anomaly in one series: a row of labels.csv.
type Label struct {
	Kind    AnomalyKind
	Payer   string // payer account id
	Account string // usage account id
	Service string // product code
	// Start and End are the first and last day, inclusive: for a spike
	// and a new account or service, End is Start; for a drift, the last
	// day of its growth.
	Start, End time.Time
	// Expected is the series' net unblended cost on Start without the
	// anomaly: 0 for a new account or service. Impact is the planted
	// extra on Start (on End for a drift), negative for the falling half
	// of a masked pair; for a restated spike, what the older version
	// held on top of Expected.
	Expected, Impact decimal.Decimal
	// Group joins the two labels of a masked pair ("pair-1"); for a
	// restated spike it is the report version (assemblyId) that held it.
	Group string
	// Material is what was meant: |Impact| >= max(50, 20% of Expected)
	// for every anomaly but the bumps, which stay below.
	Material bool
}

// LabelsHeader is the header of labels.csv.
var LabelsHeader = []string{"kind", "payer_account_id", "usage_account_id", "service", "start_date", "end_date", "expected_per_day", "impact_per_day", "group"}

// HistorySeries is one series of a history: its daily costs in the
// current report versions.
type HistorySeries struct {
	Payer, Account, Service, Currency string
	// Cost is the net unblended cost of each day of the history, as
	// daily_detail.csv's net_unblended_cost: zero where the series has
	// no line item.
	Cost []decimal.Decimal
	// Planted is the share of Cost that planted line items add
	// (negative for the falling half of a masked pair), zero on other
	// days; for a new account or service, its whole cost. The tax on a
	// 1st follows the month's charges, planted ones included, and is not
	// counted here: Cost - Planted is the clean cost on every other day.
	Planted []decimal.Decimal
	// Monthly is true of the series that cost only on the 1st of each
	// month (AWS Support).
	Monthly bool
	// Labels index HistoryData.Labels; none for a clean series.
	Labels []int
}

// Delivery is one report version of one billing period.
type Delivery struct {
	Period    time.Time // the billing period's first day
	Version   int       // 0-based within the period; the last is current
	ID        string    // the assemblyId
	Through   time.Time // the newest day it holds
	Hours     int       // hours of the newest day it holds: 24 when complete
	Current   bool
	Delivered time.Time // the files' modification time
	Path      string    // the data file, slash-separated below the output folder
	Manifest  string    // its manifest, likewise
}

// HistoryData is a generated history: a labelled record of daily costs
// for measuring anomaly alerts. There is no public labelled set of daily
// cost series, so we plant anomalies in generated ones and write down
// where.
//
// It is a CUR 1.0 CSV export (create-new-version layout, manifests) of
// HistoryConfig.Days consecutive days over series of one service in one
// usage account of a payer. Each series has its own base level (about 5 to
// 5,000 a day, log-uniform), weekday seasonality (flat, a little lower on
// weekends, or much lower), multiplicative noise of a few percent, and for
// some a gentle trend; each of its days is several line items, one per
// component (a usage type in a region). What is normal and unlabelled:
// on the 1st of each month, tax (in each service's series, a share of its
// month's charges by the payer's invoicing entity, none for the EMEA one),
// AWS Support (Business) in the payer's own account (from the payer's
// month of charges) and monthly RI fees in some EC2 series; small daily
// credits in a few series and one-off refunds in a few more.
//
// Each billing period is delivered HistoryConfig.Versions times. The older
// versions cover the month to date and end on a partial day (some hours
// only, a few components not billed yet); the next version restates it,
// and the 1st's tax and support, which grow with the month.
// The last version of each period is complete, and only it counts in the
// expected totals.
//
// Planted anomalies are labelled (see Label); they start after
// HistoryConfig.Warmup days, never on the 1st of a month, and one series
// holds at most one. An anomaly's extra cost lands on one component of its
// series, so a root cause by region and usage type can be found.
//
// Money is exact: every figure is a whole number of 10^-8 currency units,
// written as the double whose shortest form is that decimal (see amount).
//
// History builds one in memory; Write writes it as an export, Totals
// returns its expected totals and WriteExpect writes them with labels.csv.
type HistoryData struct {
	Config     HistoryConfig
	Days       []time.Time // the days of the history, in order
	Series     []HistorySeries
	Labels     []Label
	Deliveries []Delivery // by period, then version

	d          *dataset
	ser        []*hseries
	restated   map[restatement]int64 // extra units of one older version
	deliveries []delivery
	events     []event
	nextID     uint64
}

// History builds the history cfg describes, in memory. The same cfg gives
// the same history; another seed, a different one of the same shape.
func History(cfg HistoryConfig) (*HistoryData, error) {
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("curgen: history: %w", err)
	}
	h := &HistoryData{Config: cfg}
	for i := range cfg.Days {
		h.Days = append(h.Days, cfg.Start.AddDate(0, 0, i))
	}
	last := h.Days[len(h.Days)-1]
	periods := (last.Year()-cfg.Start.Year())*12 + int(last.Month()-cfg.Start.Month()) + 1
	h.d = newDataset(Config{Seed: cfg.Seed, Format: CUR1CSV, Periods: periods, Versions: cfg.Versions,
		Payers: cfg.Payers, Accounts: cfg.Accounts, Start: cfg.Start, Prefix: cfg.Prefix, Report: cfg.Report,
		Bucket: cfg.Bucket, Level: cfg.Level, Workers: cfg.Workers})
	h.planDeliveries()
	r := rand.New(rand.NewPCG(cfg.Seed, 0x686973746f7279))
	h.buildSeries(r)
	if err := h.plant(rand.New(rand.NewPCG(cfg.Seed, 0x706c616e74))); err != nil {
		return nil, fmt.Errorf("curgen: history: %w", err)
	}
	if err := h.summarize(); err != nil {
		return nil, fmt.Errorf("curgen: history: %w", err)
	}
	return h, nil
}

// Clean returns how many series have no label.
func (h *HistoryData) Clean() int {
	n := 0
	for _, s := range h.Series {
		if len(s.Labels) == 0 {
			n++
		}
	}
	return n
}

// KindCounts returns how many labels each kind has.
func (h *HistoryData) KindCounts() map[AnomalyKind]int {
	m := map[AnomalyKind]int{}
	for _, l := range h.Labels {
		m[l.Kind]++
	}
	return m
}

// sortLabels orders labels by start day, then series, then kind.
func sortLabels(ls []Label) {
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		if a.Payer+a.Account+a.Service != b.Payer+b.Account+b.Service {
			return a.Payer+a.Account+a.Service < b.Payer+b.Account+b.Service
		}
		return a.Kind < b.Kind
	})
}
