package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curpipe/curpipe/transforms/anomaly"
	"github.com/curpipe/curpipe/transforms/totals"
)

// writeVersion writes one report version's daily_detail.csv: a service at
// 1000 a day from first to newest, with the given days changed.
func writeVersion(t *testing.T, dir, name, first, newest string, change map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(strings.Join(totals.DetailHeader, ",") + "\n")
	for d := anomaly.MustParseDay(first); d <= anomaly.MustParseDay(newest); d++ {
		v := "1000"
		if c, ok := change[d.String()]; ok {
			v = c
		}
		fmt.Fprintf(&b, "%s,AWS,111111111111,222222222222,AmazonEC2,USD,%s,%s,%s,3\n", d, v, v, v)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A spike in an older report version is raised and, when the next
// version restates it, resolved; the older version's newest day, low
// because it is partial, raises nothing.
func TestReplayDeliveries(t *testing.T) {
	dir := t.TempDir()
	var ds []*delivery
	for _, v := range []struct {
		name, first, newest string
		change              map[string]string
	}{
		{"jan.csv", "2024-01-01", "2024-01-31", nil},
		{"feb-1.csv", "2024-02-01", "2024-02-20", map[string]string{"2024-02-19": "6000", "2024-02-20": "350"}},
		{"feb-2.csv", "2024-02-01", "2024-02-29", nil},
	} {
		dv, err := readDelivery(writeVersion(t, dir, v.name, v.first, v.newest, v.change))
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, dv)
	}
	if ds[1].complete || !ds[2].complete {
		t.Fatalf("complete: %v %v, want false true", ds[1].complete, ds[2].complete)
	}
	alerts, h := replayDeliveries(ds, modelDetector(anomaly.DefaultConfig()))
	var got []string
	for _, a := range alerts {
		got = append(got, fmt.Sprintf("%v %s resolved=%v", a.key, a.start, a.resolved))
	}
	want := []string{
		"111111111111 (total) 2024-02-19 resolved=true",
		"111111111111/222222222222/AmazonEC2 2024-02-19 resolved=true",
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("alerts\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c := h.series[anomaly.Key{Payer: "111111111111", Account: "222222222222", Service: "AmazonEC2"}].Cost(anomaly.MustParseDay("2024-02-19")); c.String() != "1000" {
		t.Errorf("the restated day costs %s after the replay, want 1000", c)
	}
	if _, err := readDelivery(writeVersion(t, dir, "two.csv", "2024-01-30", "2024-02-02", nil)); err == nil {
		t.Error("a version holding two billing periods was read")
	}
}
