package costpage

import (
	"fmt"
	"testing"
	"time"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

func dec(t testing.TB, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sample is a table of two payers, three accounts and services s0..s4
// over 2026-02-20..2026-03-10, with amounts that floats cannot hold
// exactly.
func sample(t testing.TB) totals.Table {
	tab := totals.Table{}
	accounts := [][2]string{{"111111111111", "222222222222"}, {"111111111111", "333333333333"}, {"444444444444", "555555555555"}}
	day := 0
	for _, d := range dayList("2026-02-20", 19) {
		for ai, a := range accounts {
			for s := 0; s < 5; s++ {
				// s0 is largest; s4 jumps on the last day, a mover.
				amount := fmt.Sprintf("%d.0000000001", (5-s)*10+ai+day%3)
				if s == 4 && d == "2026-03-10" {
					amount = "100.1234567891"
				}
				v := dec(t, amount)
				tab.Add(totals.Dims{Day: d, Provider: "AWS", Payer: a[0], Account: a[1], Service: fmt.Sprintf("s%d", s), Currency: "USD"},
					v, v.Sub(dec(t, "0.1")), v)
			}
		}
		day++
	}
	return tab
}

func dayList(first string, n int) []string {
	t, _ := time.Parse(time.DateOnly, first)
	out := make([]string, n)
	for i := range out {
		out[i] = t.AddDate(0, 0, i).Format(time.DateOnly)
	}
	return out
}

func find(t *testing.T, d Data, payer, account, measure, group string) View {
	t.Helper()
	for _, v := range d.Views {
		if v.Payer == payer && v.Account == account && v.Currency == "USD" && v.Measure == measure && v.Group == group {
			return v
		}
	}
	t.Fatalf("no view %q %q %s %s", payer, account, measure, group)
	return View{}
}

func TestTopAndOther(t *testing.T) {
	d, err := Build(sample(t), nil, nil, Options{Top: 2})
	if err != nil {
		t.Fatal(err)
	}
	v := find(t, d, "", "", "net_unblended", "service")
	var names []string
	for _, s := range v.Series {
		names = append(names, s.Name)
	}
	if got, want := fmt.Sprint(names), "[s0 s1 Other]"; got != want {
		t.Errorf("series = %s, want %s", got, want)
	}
	// With a top of 4 and five services, "Other" would hold one: name it.
	d, _ = Build(sample(t), nil, nil, Options{Top: 4})
	if n := len(find(t, d, "", "", "net_unblended", "service").Series); n != 5 {
		t.Errorf("top 4 of 5: %d series, want 5 named", n)
	}
}

// TestSeriesSumToDetail checks exactness: each day's series add up to the
// sum of daily_detail's entries of that day in the view's scope.
func TestSeriesSumToDetail(t *testing.T) {
	tab := sample(t)
	d, err := Build(tab, nil, nil, Options{Top: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range d.Views {
		for i, day := range d.Days {
			var want, got decimal.Decimal
			for k, s := range tab {
				if k.Day == day && k.Currency == v.Currency && (v.Payer == "" || k.Payer == v.Payer) && (v.Account == "" || k.Account == v.Account) {
					want = want.Add(measureOf(s, v.Measure))
				}
			}
			for _, s := range v.Series {
				got = got.Add(dec(t, s.Values[i]))
			}
			if !got.Equal(want) || v.Total[i] != want.String() {
				t.Fatalf("%+v %s: series sum %s, total %s, detail %s", v.Group, day, got, v.Total[i], want)
			}
		}
	}
	v := find(t, d, "", "333333333333", "unblended", "service")
	if got, want := v.Series[0].Values[0], "51.0000000001"; got != want {
		t.Errorf("s0 on the first day = %s, want %s", got, want)
	}
}

func TestMonthToDate(t *testing.T) {
	d, _ := Build(sample(t), nil, nil, Options{})
	m := find(t, d, "444444444444", "", "unblended", "account").MonthToDate
	// 2026-03-01..10 of account 555555555555: services 50+40+30+20+10
	// (+2, days 9..18 cycling 0,1,2) and s4's jump on the 10th.
	var want, prev decimal.Decimal
	for i, day := range dayList("2026-02-20", 19) {
		var v decimal.Decimal
		for s := 0; s < 5; s++ {
			amount := fmt.Sprintf("%d.0000000001", (5-s)*10+2+i%3)
			if s == 4 && day == "2026-03-10" {
				amount = "100.1234567891"
			}
			v = v.Add(dec(t, amount))
		}
		if day >= "2026-03-01" {
			want = want.Add(v)
		} else if day <= "2026-02-10" {
			prev = prev.Add(v)
		}
	}
	if m.Month != "2026-03" || m.Through != "2026-03-10" || m.Value != want.String() {
		t.Errorf("month to date = %+v, want 2026-03 through 2026-03-10 of %s", m, want)
	}
	if m.Previous != "" {
		t.Errorf("previous = %q, want none: the range starts on 2026-02-20", m.Previous)
	}
}

func TestMovers(t *testing.T) {
	d, _ := Build(sample(t), nil, nil, Options{Movers: 2})
	v := find(t, d, "", "555555555555", "unblended", "service")
	if len(v.Movers) != 4 {
		t.Fatalf("movers = %+v, want 2 of each kind", v.Movers)
	}
	day, week := v.Movers[0], v.Movers[2]
	// s4 jumps from 10+2+17%3 to 100.12...: the largest mover both ways.
	if day.Kind != "day" || day.Name != "s4" || day.From != "2026-03-09" || day.Before != "14.0000000001" || day.Change != "86.123456789" {
		t.Errorf("day mover = %+v", day)
	}
	if week.Kind != "week" || week.Name != "s4" || week.From != "2026-03-03" || week.After != "100.1234567891" {
		t.Errorf("week mover = %+v", week)
	}
}
