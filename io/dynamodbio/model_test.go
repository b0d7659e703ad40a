package dynamodbio

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/curpipe/curpipe/transforms/decimal"
	"github.com/curpipe/curpipe/transforms/totals"
)

func TestMoney(t *testing.T) {
	digits38 := strings.Repeat("9", 38)
	tests := []struct {
		in     string
		number bool // stored as N (else S)
		text   string
	}{
		{"0", true, "0"},
		{"-0.000", true, "0"},
		{"12.50", true, "12.5"},
		{"-0.00000001810000000000000001", true, "-0.00000001810000000000000001"},
		{"1.81E-8", true, "0.0000000181"},
		{digits38, true, digits38},
		{"0." + digits38, true, "0." + digits38},
		{digits38 + "1", false, digits38 + "1"},
		{"1234567890.12345678901234567890123456789", false, "1234567890.12345678901234567890123456789"},
		// Trailing integer zeros count as digits (see money).
		{"1e37", true, "1" + strings.Repeat("0", 37)},
		{"1e38", false, "1" + strings.Repeat("0", 38)},
		{"1e-130", true, "0." + strings.Repeat("0", 129) + "1"},
		{"1e-131", false, "0." + strings.Repeat("0", 130) + "1"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d := decimal.MustParse(tc.in)
			av := money(d)
			switch v := av.(type) {
			case *types.AttributeValueMemberN:
				if !tc.number || v.Value != tc.text {
					t.Errorf("money(%s) = N %q, want number=%v %q", tc.in, v.Value, tc.number, tc.text)
				}
			case *types.AttributeValueMemberS:
				if tc.number || v.Value != tc.text {
					t.Errorf("money(%s) = S %q, want number=%v %q", tc.in, v.Value, tc.number, tc.text)
				}
			}
			back, err := decodeMoney(av)
			if err != nil || !back.Equal(d) {
				t.Errorf("decodeMoney(money(%s)) = %v, %v", tc.in, back, err)
			}
		})
	}
	if _, err := decodeMoney(&types.AttributeValueMemberBOOL{Value: true}); err == nil {
		t.Error("decodeMoney accepted a BOOL")
	}
}

func TestCellRoundTrip(t *testing.T) {
	v := version("k1", "v1", 10)
	rows := []totals.Row{
		row("2025-01-02", "p#1", "a%2", "S3", "USD", "0.12345678901234567890123", "1", "2", 3),
		row("2025-01-02", "p#1", "a%2", "EC2", "USD", "1", "1", "1", 1),
		row("2025-01-02", "p#1", "a%2", "EC2", "USD", "2", "2", "2", 2), // same dims: summed
		row("2025-01-02", "p#1", "a%2", "EC2", "EUR", "3", "3", "3", 1),
		row("2025-01-02", "p", "1#a%2", "EC2", "EUR", "4", "4", "4", 1), // must not share the sk above
	}
	cells, err := cellsFor(v, "2025-01-02", rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 2 {
		t.Fatalf("%d cells, want 2: %v", len(cells), cells)
	}
	want := tableOf(rows)
	got := make(totals.Table)
	for sk, c := range cells {
		it := c.item()
		if getS(it, keySK) != sk || !strings.HasPrefix(sk, "R#k1#") {
			t.Errorf("cell key %q, item sk %q", sk, getS(it, keySK))
		}
		back, err := decodeCell(it, "2025-01-02")
		if err != nil {
			t.Fatal(err)
		}
		if compareVersions(back.Version, v) != 0 || !sameLines(back.Lines, c.Lines) {
			t.Errorf("decodeCell(item) = %+v, want %+v", back, c)
		}
		for _, r := range back.rows() {
			got.Merge(r.Dims, r.Sums)
		}
	}
	if g, w := detail(t, got), detail(t, want); g != w {
		t.Errorf("cells hold\n%s\nwant\n%s", g, w)
	}
	if _, err := cellsFor(v, "2025-01-03", rows); err == nil {
		t.Error("cellsFor accepted a row of another day")
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b Version
		want int
	}{
		{Version{Version: "a", VersionTime: 2}, Version{Version: "b", VersionTime: 1}, 1},
		{Version{Version: "a", VersionTime: 1}, Version{Version: "b", VersionTime: 1}, -1},
		{Version{Version: "b", VersionTime: 1, ReportID: "x"}, Version{Version: "b", VersionTime: 1}, 0},
		{Version{}, Version{Version: "a"}, -1}, // nothing recorded is older than anything
	}
	for _, tc := range tests {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%+v, %+v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestVersionValidate(t *testing.T) {
	for _, v := range []Version{{Version: "v"}, {ReportKey: "a#b", Version: "v"}, {ReportKey: "k"}} {
		if err := v.validate(); err == nil {
			t.Errorf("%+v passed validation", v)
		}
	}
}

func TestDayRange(t *testing.T) {
	days, err := dayRange("2024-12-30", "2025-01-02")
	if err != nil || strings.Join(days, ",") != "2024-12-30,2024-12-31,2025-01-01,2025-01-02" {
		t.Errorf("dayRange = %v, %v", days, err)
	}
	for _, r := range [][2]string{{"2025-01-02", "2025-01-01"}, {"2025-1-2", "2025-01-03"}, {"2025-01-01", "x"}, {"1990-01-01", "2025-01-01"}} {
		if _, err := dayRange(r[0], r[1]); err == nil {
			t.Errorf("dayRange(%s, %s) passed", r[0], r[1])
		}
	}
}
