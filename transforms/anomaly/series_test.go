package anomaly

import (
	"testing"

	"github.com/curpipe/curpipe/transforms/decimal"
)

func TestSeries(t *testing.T) {
	s := NewSeries(ec2, jan1)
	day := func(n int) Day { return jan1 + Day(n) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := s.firstSpend(day(100)); ok {
		t.Fatal("an empty series has a first spend")
	}
	must(s.Set(day(31), decimal.MustParse("7.5"))) // 2024-02-01: a month start
	must(s.Add(day(40), decimal.MustParse("0.1")))
	must(s.Add(day(40), decimal.MustParse("0.2")))
	if got := s.Cost(day(40)); !got.Equal(decimal.MustParse("0.3")) {
		t.Errorf("cost after two adds: %s, want 0.3", got)
	}
	if got := s.Cost(day(35)); !got.IsZero() {
		t.Errorf("a day never set costs %s", got)
	}
	if got := s.Cost(day(500)); !got.IsZero() || s.End() != day(41) {
		t.Errorf("after the end: cost %s, end %s", got, s.End())
	}
	if err := s.Set(jan1-1, decimal.MustParse("1")); err == nil {
		t.Error("a day before the start was set")
	}
	if d, ok := s.firstSpend(day(41)); !ok || d != day(31) {
		t.Errorf("first spend %s %v, want %s", d, ok, day(31))
	}
	if d, ok := s.firstUsage(day(41)); !ok || d != day(40) {
		t.Errorf("first usage %s %v, want %s (a month start is no usage)", d, ok, day(40))
	}
	if _, ok := s.firstUsage(day(40)); ok {
		t.Error("first usage before the day it began")
	}
	must(s.Set(day(40), decimal.Decimal{})) // restated away
	if _, ok := s.firstUsage(day(41)); ok {
		t.Error("first usage survives its restatement to zero")
	}
	must(s.Set(day(31), decimal.Decimal{}))
	if _, ok := s.firstSpend(day(41)); ok {
		t.Error("first spend survives its restatement to zero")
	}
}
