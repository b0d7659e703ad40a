// Package pipelinetest holds what tests of curpipe's graphs share: the
// public samples' reference totals and their exact comparison.
package pipelinetest

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

// Key is one reference_daily.csv row's key: a day (Account "") or a day
// and usage account.
type Key struct{ Day, Provider, Account, Currency string }

// Value holds a reference row's figures: C1 is the unblended (FOCUS:
// billed) cost, C2 the amortized (FOCUS: effective) cost.
type Value struct {
	Rows   int64
	C1, C2 decimal.Decimal
}

// Reference is a sample's expected totals at both levels.
type Reference struct {
	Day, Account map[Key]Value
}

// Samples returns the folders of the public samples under testdata.
func Samples(root string) ([]string, error) {
	refs, err := filepath.Glob(filepath.Join(root, "testdata", "samples", "*", "reference_daily.csv"))
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, r := range refs {
		dirs = append(dirs, filepath.Dir(r))
	}
	sort.Strings(dirs)
	return dirs, nil
}

// Load reads a sample's reference_daily.csv.
func Load(path string) (Reference, error) {
	f, err := os.Open(path)
	if err != nil {
		return Reference{}, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return Reference{}, fmt.Errorf("read %s: %w", path, err)
	}
	ref := Reference{Day: map[Key]Value{}, Account: map[Key]Value{}}
	for i, r := range recs[1:] {
		n, err := strconv.ParseInt(r[5], 10, 64)
		if err != nil {
			return Reference{}, fmt.Errorf("%s:%d: %w", path, i+2, err)
		}
		c1, err1 := decimal.Parse(r[6])
		c2, err2 := decimal.Parse(r[7])
		if err1 != nil || err2 != nil {
			return Reference{}, fmt.Errorf("%s:%d: bad decimal", path, i+2)
		}
		v := Value{Rows: n, C1: c1, C2: c2}
		switch r[0] {
		case "day":
			ref.Day[Key{r[1], r[2], "", r[4]}] = v
		case "day_account":
			ref.Account[Key{r[1], r[2], r[3], r[4]}] = v
		default:
			return Reference{}, fmt.Errorf("%s:%d: unknown level %q", path, i+2, r[0])
		}
	}
	return ref, nil
}

// Compare checks totals at the detailed grain against the reference at
// both levels, exactly, and returns every difference.
func (ref Reference) Compare(tab totals.Table) []string {
	day, account := map[Key]Value{}, map[Key]Value{}
	add := func(m map[Key]Value, k Key, s totals.Sums) {
		v := m[k]
		m[k] = Value{Rows: v.Rows + s.LineItems, C1: v.C1.Add(s.Unblended), C2: v.C2.Add(s.Amortized)}
	}
	for d, s := range tab {
		add(day, Key{d.Day, d.Provider, "", d.Currency}, *s)
		add(account, Key{d.Day, d.Provider, d.Account, d.Currency}, *s)
	}
	return append(compare("day", ref.Day, day), compare("day_account", ref.Account, account)...)
}

func compare(level string, want, got map[Key]Value) []string {
	var diffs []string
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s %v: missing, want rows=%d %s %s", level, k, w.Rows, w.C1, w.C2))
		case g.Rows != w.Rows || !g.C1.Equal(w.C1) || !g.C2.Equal(w.C2):
			diffs = append(diffs, fmt.Sprintf("%s %v: got rows=%d %s %s, want rows=%d %s %s", level, k, g.Rows, g.C1, g.C2, w.Rows, w.C1, w.C2))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s %v: unexpected rows=%d %s %s", level, k, g.Rows, g.C1, g.C2))
		}
	}
	sort.Strings(diffs)
	return diffs
}

// Span returns the first and last day the reference covers.
func (ref Reference) Span() (first, last string) {
	for k := range ref.Day {
		if first == "" || k.Day < first {
			first = k.Day
		}
		if k.Day > last {
			last = k.Day
		}
	}
	return first, last
}
