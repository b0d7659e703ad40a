package anomaly

import (
	"math"
	"math/big"
	"strconv"

	"github.com/curpipe/curpipe/transforms/decimal"
)

// Config holds the model's thresholds. Start from DefaultConfig.
type Config struct {
	// A deviation is material when its impact is at least MinImpact (in
	// the series' currency) and at least MinPercent percent of the
	// expected figure. Only material deviations open an anomaly. Like AWS
	// Cost Anomaly Detection's alert thresholds, these say what is worth
	// a person's time; the score says what is unusual.
	MinImpact  decimal.Decimal
	MinPercent decimal.Decimal
	// Open is the robust z-score (impact over the series' scale) a
	// material deviation must reach to open an anomaly. Continue is the
	// lower score at which the following days, deviating the same way by
	// at least half the material impact, extend it (hysteresis: a level
	// shift whose days straddle Open stays one anomaly).
	Open, Continue float64
	// Weeks is how many weeks before a day its expected figure is drawn
	// from.
	Weeks int
	// Learn is how many days a series must have been used before it is
	// judged: two weeks give each weekday two days to compare. Until then
	// only a new series is called, and its payer's data must cover Learn
	// days before a series can be new.
	Learn int
	// Months is how many earlier month starts the month-start charges
	// (fees, RI and Savings Plan fees, tax, support) are learnt from.
	Months int
	// Gap is how many days in a row that are not anomalous an anomaly
	// goes on across when the days after deviate the same way again: a
	// change whose days straddle the thresholds, or whose weekends are
	// too small to be material, stays one anomaly.
	Gap int
	// Accept is how many days an anomaly must last to be accepted as the
	// series' new level. The days of shorter anomalies are left out of
	// every later expectation; from an accepted one's start on, the
	// expectation learns from its days only.
	Accept int
}

// DefaultConfig returns the settings the benchmark under bench/anomaly
// measures (see the package doc for why): material is at least 50 and at
// least 20% of the expected cost, an anomaly opens at |z| >= 4 and goes on
// at |z| >= 3 and across gaps of up to three days, over eight weeks of
// history, after two weeks of learning, with three earlier month starts;
// a change that lasts two weeks is the new level.
func DefaultConfig() Config {
	return Config{
		MinImpact: decimal.MustParse("50"), MinPercent: decimal.MustParse("20"),
		Open: 4, Continue: 3, Weeks: 8, Learn: 14, Months: 3, Gap: 3, Accept: 14,
	}
}

// Status is what the model concludes about one day of one series.
type Status int

// The statuses of an Evaluation.
const (
	// Normal: the day is as expected, or its deviation is not material.
	Normal Status = iota
	// Anomalous: a material deviation of at least Config.Open; it opens
	// an anomaly, or extends one deviating the same way.
	Anomalous
	// Elevated: not enough to open an anomaly, enough to extend one
	// deviating the same way (at least Config.Continue, half material).
	Elevated
	// Pending: the day is the newest of its delivery, still incomplete,
	// and not above the expected full day; it is judged when complete.
	Pending
	// Learning: too little history to judge the day (a series used for
	// less than Config.Learn days, or a payer's data younger than that).
	Learning
)

func (s Status) String() string {
	switch s {
	case Normal:
		return "normal"
	case Anomalous:
		return "anomalous"
	case Elevated:
		return "elevated"
	case Pending:
		return "pending"
	case Learning:
		return "learning"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Kind is the shape of an anomaly.
type Kind int

// The kinds of anomaly.
const (
	// Spike: an abrupt change lasting at most two days so far.
	Spike Kind = iota
	// Shift: an abrupt change that has lasted three days or more.
	Shift
	// Drift: a change that built up over the week before it opened.
	Drift
	// New: spend on a series that had none since its payer's data began.
	New
)

func (k Kind) String() string {
	switch k {
	case Spike:
		return "spike"
	case Shift:
		return "shift"
	case Drift:
		return "drift"
	case New:
		return "new"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Evaluation is the model's judgement of one day of one series.
type Evaluation struct {
	Key      Key
	Day      Day
	Actual   decimal.Decimal // the day's cost
	Expected decimal.Decimal // what the whole day was expected to cost
	Impact   decimal.Decimal // Actual - Expected
	// Score is Impact over the series' robust scale, signed; for a new
	// series, Open times its cost in units of MinImpact.
	Score   float64
	Status  Status
	Kind    Kind // the kind of an anomaly this day opens: Spike, Drift or New
	Partial bool // the day was the incomplete newest day of its delivery
}

// evaluate judges day d of s against the days before it and what p says
// of them. It reads no day after d. partial says that d is the newest day
// of its delivery and so incomplete: a low partial day is no anomaly (it
// is Pending), one already above the expected full day is.
func (c Config) evaluate(s *Series, d Day, partial bool, p past) Evaluation {
	e := Evaluation{Key: s.Key, Day: d, Actual: s.Cost(d), Partial: partial, Impact: s.Cost(d)}
	if d.MonthStart() {
		return c.judge(e, c.monthStart(s, d, p), false)
	}
	first, used := s.firstUsage(d)
	if !used {
		return c.evaluateNew(s, e)
	}
	if int(d-first) < c.Learn {
		e.Status = Learning
		return e
	}
	x, ok := c.usual(s, d, first, p)
	if !ok {
		e.Status = Learning
		return e
	}
	return c.judge(e, x, x.seasonal)
}

// judge sets e's expected cost, impact, score, status and kind from the
// expectation x. Only when open may the day open an anomaly (be
// Anomalous); otherwise it may at most extend one (be Elevated).
func (c Config) judge(e Evaluation, x expectation, open bool) Evaluation {
	e.Expected = x.expected
	e.Impact = e.Actual.Sub(x.expected)
	e.Score = approx(e.Impact) / x.scale
	up := e.Impact.Sign() > 0
	z := math.Abs(e.Score)
	switch {
	case e.Partial && !up:
		e.Status = Pending
	case up && x.feesUnknown:
		// Charges on the 1st are normal, and nothing says how large.
	case open && z >= c.Open && c.material(e.Impact, e.Expected, 1):
		e.Status = Anomalous
	case z >= c.Continue && c.material(e.Impact, e.Expected, 2):
		e.Status = Elevated
	case e.Partial:
		e.Status = Pending
	}
	if g := x.gradual; g != 0 && (g > 0) == up && math.Abs(g) >= x.scale && math.Abs(g) >= math.Abs(approx(e.Impact))/3 {
		e.Kind = Drift
	}
	return e
}

// evaluateNew judges a day, not a month start, of a series never used
// before it (month-start charges aside).
func (c Config) evaluateNew(s *Series, e Evaluation) Evaluation {
	switch {
	case e.Actual.IsZero():
	case int(e.Day-s.start) < c.Learn:
		// The payer's data is too young to tell a new series from one
		// that had been there before it began.
		e.Status = Learning
	case c.material(e.Impact, e.Expected, 1):
		e.Status = Anomalous
		e.Kind = New
		e.Score = c.Open * approx(e.Actual) / approx(c.MinImpact)
	case e.Partial:
		e.Status = Pending // the rest of the day may make it material
	}
	return e
}

// material reports whether |impact| >= MinImpact/div and |impact| >=
// MinPercent/div percent of |expected|, exactly.
func (c Config) material(impact, expected decimal.Decimal, div int64) bool {
	i := ratOf(impact)
	i.Abs(i)
	min := ratOf(c.MinImpact)
	min.Quo(min, big.NewRat(div, 1))
	if i.Cmp(min) < 0 {
		return false
	}
	p := ratOf(expected)
	p.Abs(p)
	p.Mul(p, ratOf(c.MinPercent))
	p.Quo(p, big.NewRat(100*div, 1))
	return i.Cmp(p) >= 0
}

func ratOf(d decimal.Decimal) *big.Rat {
	r, ok := new(big.Rat).SetString(d.String())
	if !ok {
		panic("anomaly: a decimal's string is not a rational number: " + d.String())
	}
	return r
}
