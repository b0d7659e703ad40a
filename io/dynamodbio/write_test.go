package dynamodbio

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/curpipe/curpipe/transforms/totals"
)

const (
	d1, d2, d3 = "2025-01-01", "2025-01-02", "2025-01-03"
	long       = "123456789012345678901234567890.123456789012345" // 45 significant digits
)

// base is a report version over two days, two accounts, several services.
var base = []totals.Row{
	row(d1, "111", "A", "AmazonEC2", "USD", "10.12345678901234567890123", "9.5", "10.00000000000000000001", 40),
	row(d1, "111", "A", "AmazonS3", "USD", "-0.00000000000000000000042", "0", "0.1", 3),
	row(d1, "111", "B", "AmazonEC2", "USD", "5", "5", "5", 1),
	row(d1, "111", "B", "AmazonEC2", "EUR", long, long, "-"+long, 2),
	row(d2, "111", "A", "AmazonEC2", "USD", "7.25", "7", "7.5", 9),
	row(d2, "111", "B", "AWSSupport", "USD", "0", "0", "0", 1),
}

func TestRoundTrip(t *testing.T) {
	var many []totals.Row // enough cells for several transactions and pages
	for i := range 60 {
		many = append(many, row(d3, "222", fmt.Sprintf("%012d", i), "AmazonEC2", "USD", fmt.Sprintf("0.%030d", i+1), "1", "1", 1))
	}
	tests := []struct {
		name  string
		rows  []totals.Row
		cells int
	}{
		{"exact decimals", base, 4},
		{"many accounts", many, 60},
		{"ids with separators", []totals.Row{row(d1, "a#b", "c", "X", "USD", "1", "1", "1", 1), row(d1, "a", "b#c", "X", "USD", "2", "2", "2", 1)}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := createdTable(t)
			r := report{version("k1", "v1", 100), tc.rows}
			writes, commit, err := apply(t, tbl, r)
			if err != nil {
				t.Fatal(err)
			}
			if writes != (Stats{Written: tc.cells}) || commit != (Stats{Written: 1}) {
				t.Errorf("stats: writes %+v, commit %+v; want %d written, commit written 1", writes, commit, tc.cells)
			}
			wantQuery(t, tbl, d1, d3, tableOf(tc.rows))
			st, err := tbl.State(context.Background(), "k1")
			if err != nil || st == nil {
				t.Fatalf("State: %v, %v", st, err)
			}
			if compareVersions(st.Version, r.v) != 0 || !slices.Equal(st.Days, slices.Sorted(slices.Values(r.days()))) ||
				st.Name != "cur" || st.BillingPeriod != "2025-01" || st.CommittedAt.IsZero() || len(st.WriterDays) != 0 {
				t.Errorf("State = %+v", st)
			}
		})
	}
}

// TestLongNumberStoredAsString checks the stored form of a cost past 38
// significant digits.
func TestLongNumberStoredAsString(t *testing.T) {
	tbl := createdTable(t)
	if _, _, err := apply(t, tbl, report{version("k1", "v1", 1), base}); err != nil {
		t.Fatal(err)
	}
	out, err := dynamodb.NewFromConfig(testConfig(t)).GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(tbl.name), Key: key(dayPK(d1), cellSK("k1", "111", "B")),
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := out.Item[attrLines].(*types.AttributeValueMemberL).Value
	var kinds []string
	for _, l := range lines {
		m := l.(*types.AttributeValueMemberM).Value
		kinds = append(kinds, fmt.Sprintf("%s:%T", getS(m, "currency"), m["unblended"]))
	}
	want := []string{"EUR:*types.AttributeValueMemberS", "USD:*types.AttributeValueMemberN"}
	if !slices.Equal(kinds, want) {
		t.Errorf("unblended stored as %v, want %v", kinds, want)
	}
}

func TestReplay(t *testing.T) {
	tbl := createdTable(t)
	r := report{version("k1", "v1", 100), base}
	if _, _, err := apply(t, tbl, r); err != nil {
		t.Fatal(err)
	}
	writes, commit, err := apply(t, tbl, r)
	if err != nil {
		t.Fatal(err)
	}
	if writes != (Stats{Unchanged: 4}) || commit != (Stats{Unchanged: 1}) {
		t.Errorf("replay: writes %+v, commit %+v; want 4 unchanged, commit unchanged", writes, commit)
	}
	wantQuery(t, tbl, d1, d3, tableOf(base))
}

func TestNewerReplaces(t *testing.T) {
	tests := []struct {
		name           string
		rows           []totals.Row
		writes, commit Stats
	}{
		{"one figure changed", slices.Concat(base[:4], []totals.Row{
			row(d2, "111", "A", "AmazonEC2", "USD", "7.26", "7", "7.5", 9), base[5]}),
			Stats{Written: 1, Unchanged: 3}, Stats{Written: 1}},
		{"account vanished from a day", slices.Concat(base[:2], base[4:]),
			Stats{Unchanged: 3, Deleted: 1}, Stats{Written: 1}},
		{"service vanished", slices.Concat(base[:1], base[2:]),
			Stats{Written: 1, Unchanged: 3}, Stats{Written: 1}},
		{"day vanished", base[:4],
			Stats{Unchanged: 2}, Stats{Written: 1, Deleted: 2}},
		{"a day added", append(slices.Clone(base), row(d3, "111", "C", "AmazonEC2", "USD", "1", "1", "1", 1)),
			Stats{Written: 1, Unchanged: 4}, Stats{Written: 1}},
		{"every row vanished", nil,
			Stats{}, Stats{Written: 1, Deleted: 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := createdTable(t)
			if _, _, err := apply(t, tbl, report{version("k1", "v1", 100), base}); err != nil {
				t.Fatal(err)
			}
			v2 := report{version("k1", "v2", 200), tc.rows}
			writes, commit, err := apply(t, tbl, v2)
			if err != nil {
				t.Fatal(err)
			}
			if writes != tc.writes || commit != tc.commit {
				t.Errorf("writes %+v, commit %+v; want %+v, %+v", writes, commit, tc.writes, tc.commit)
			}
			wantQuery(t, tbl, d1, d3, tableOf(tc.rows))
			if st, _ := tbl.State(context.Background(), "k1"); st == nil || st.Version.Version != "v2" {
				t.Errorf("State = %+v, want v2", st)
			}
		})
	}
}

func TestOlderAfterNewer(t *testing.T) {
	tests := []struct {
		name         string
		newer, older Version
	}{
		{"older time", version("k1", "b", 200), version("k1", "z", 100)},
		{"same time, smaller version", version("k1", "b", 100), version("k1", "a", 100)},
	}
	other := slices.Concat(base[:1], []totals.Row{row(d3, "111", "Z", "AmazonEC2", "USD", "99", "99", "99", 9)})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := createdTable(t)
			if _, _, err := apply(t, tbl, report{tc.newer, base}); err != nil {
				t.Fatal(err)
			}
			writes, commit, err := apply(t, tbl, report{tc.older, other})
			if !errors.Is(err, ErrStale) {
				t.Errorf("Commit of the older version: %v, want ErrStale", err)
			}
			if writes.Written+writes.Deleted+commit.Written+commit.Deleted != 0 || writes.Stale == 0 || commit.Stale != 1 {
				t.Errorf("older version: writes %+v, commit %+v; want stale only", writes, commit)
			}
			wantQuery(t, tbl, d1, d3, tableOf(base))
			if st, _ := tbl.State(context.Background(), "k1"); st == nil || compareVersions(st.Version, tc.newer) != 0 {
				t.Errorf("State = %+v, want %+v", st, tc.newer)
			}
		})
	}
}

// TestInterleaved runs the orders in which versions' shards can interleave
// when they run concurrently, one step at a time.
func TestInterleaved(t *testing.T) {
	ctx := context.Background()
	v1, v2, v3 := version("k1", "v1", 1), version("k1", "v2", 2), version("k1", "v3", 3)
	a1 := []totals.Row{row(d1, "111", "A", "EC2", "USD", "1", "1", "1", 1)}
	a5 := []totals.Row{row(d1, "111", "A", "EC2", "USD", "5", "5", "5", 1)}
	b2 := []totals.Row{row(d2, "111", "B", "EC2", "USD", "2", "2", "2", 1)}
	write := func(v Version, day string, rows []totals.Row) func(*Table) (Stats, error) {
		return func(tbl *Table) (Stats, error) { return tbl.WriteDay(ctx, v, day, rows) }
	}
	commit := func(v Version, days ...string) func(*Table) (Stats, error) {
		return func(tbl *Table) (Stats, error) { return tbl.Commit(ctx, v, "cur", "2025-01", days) }
	}
	// claim and sync are the two halves of WriteDay, for the interleavings
	// that only concurrency produces.
	claim := func(v Version, day string) func(*Table) (Stats, error) {
		return func(tbl *Table) (Stats, error) { return Stats{}, tbl.claim(ctx, v, day) }
	}
	sync := func(v Version, day string, rows []totals.Row) func(*Table) (Stats, error) {
		return func(tbl *Table) (Stats, error) {
			cells, err := cellsFor(v, day, rows)
			if err != nil {
				return Stats{}, err
			}
			return tbl.syncDay(ctx, v, day, cells)
		}
	}
	type step struct {
		do    func(*Table) (Stats, error)
		stats Stats
		err   error
	}
	tests := []struct {
		name  string
		steps []step
		want  []totals.Row
	}{
		{"older writes a day the newer skipped as unchanged", []step{
			{write(v1, d1, a1), Stats{Written: 1}, nil},
			{commit(v1, d1), Stats{Written: 1}, nil},
			{write(v3, d1, a1), Stats{Unchanged: 1}, nil},
			{write(v2, d1, a5), Stats{Stale: 1}, nil},
			{commit(v3, d1), Stats{Written: 1}, nil},
			{commit(v2, d1), Stats{Stale: 1}, ErrStale},
		}, a1},
		{"older passed its claim before the newer skipped the day", []step{
			{write(v1, d1, a1), Stats{Written: 1}, nil},
			{commit(v1, d1), Stats{Written: 1}, nil},
			{claim(v2, d1), Stats{}, nil},
			{write(v3, d1, a1), Stats{Unchanged: 1}, nil},
			{sync(v2, d1, a5), Stats{Stale: 1}, errDayHeld},
			{commit(v3, d1), Stats{Written: 1}, nil},
			{commit(v2, d1), Stats{Stale: 1}, ErrStale},
		}, a1},
		{"older passed its claim before the newer cleared the day", []step{
			{write(v1, d1, a1), Stats{Written: 1}, nil},
			{commit(v1, d1), Stats{Written: 1}, nil},
			{claim(v2, d2), Stats{}, nil},
			{write(v3, d1, a1), Stats{Unchanged: 1}, nil},
			{commit(v3, d1), Stats{Written: 1}, nil},
			{sync(v2, d2, b2), Stats{Stale: 1}, errDayHeld},
		}, a1},
		{"newer overwrites what the older wrote first", []step{
			{write(v2, d1, a5), Stats{Written: 1}, nil},
			{write(v3, d1, a1), Stats{Written: 1}, nil},
			{write(v2, d1, a5), Stats{Stale: 1}, nil},
			{commit(v3, d1), Stats{Written: 1}, nil},
			{commit(v2, d1), Stats{Stale: 1}, ErrStale},
		}, a1},
		{"a day only an uncommitted version wrote is cleared", []step{
			{write(v1, d1, a1), Stats{Written: 1}, nil},
			{commit(v1, d1), Stats{Written: 1}, nil},
			{write(v2, d1, a5), Stats{Written: 1}, nil},
			{write(v2, d2, b2), Stats{Written: 1}, nil},
			{write(v3, d1, a1), Stats{Written: 1}, nil},
			{commit(v3, d1), Stats{Written: 1, Deleted: 1}, nil},
			{commit(v2, d1, d2), Stats{Stale: 1}, ErrStale},
		}, a1},
		{"older starts a day after the newer committed", []step{
			{write(v3, d1, a1), Stats{Written: 1}, nil},
			{commit(v3, d1), Stats{Written: 1}, nil},
			{write(v2, d2, b2), Stats{Stale: 1}, nil},
			{commit(v2, d2), Stats{Stale: 1}, ErrStale},
		}, a1},
		{"commit with no writes clears everything", []step{
			{write(v1, d1, a1), Stats{Written: 1}, nil},
			{write(v1, d2, b2), Stats{Written: 1}, nil},
			{commit(v1, d1, d2), Stats{Written: 1}, nil},
			{commit(v2), Stats{Written: 1, Deleted: 2}, nil},
			{commit(v2), Stats{Unchanged: 1}, nil},
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := createdTable(t)
			for i, s := range tc.steps {
				st, err := s.do(tbl)
				if st != s.stats || !errors.Is(err, s.err) || (err != nil) != (s.err != nil) {
					t.Errorf("step %d: %+v, %v; want %+v, %v", i, st, err, s.stats, s.err)
				}
			}
			wantQuery(t, tbl, d1, d3, tableOf(tc.want))
		})
	}
}

func TestWriteDayInvalid(t *testing.T) {
	tbl := createdTable(t)
	ctx := context.Background()
	v := version("k1", "v1", 1)
	if _, err := tbl.WriteDay(ctx, v, d2, base); err == nil {
		t.Error("WriteDay accepted rows of other days")
	}
	if _, err := tbl.WriteDay(ctx, v, "2025-13-01", nil); err == nil {
		t.Error("WriteDay accepted a bad day")
	}
	if _, err := tbl.WriteDay(ctx, version("k#1", "v1", 1), d1, nil); err == nil {
		t.Error("WriteDay accepted a report key with '#'")
	}
	if _, err := tbl.Commit(ctx, v, "cur", "2025-01", []string{"01/02/2025"}); err == nil {
		t.Error("Commit accepted a bad day")
	}
}

// TestCommitRefusesShrink: the same version committed again with fewer
// days (a duplicate run that lost its shards on the way) is refused, and
// the days the version holds keep their figures; a commit with the same
// days or more still goes through.
func TestCommitRefusesShrink(t *testing.T) {
	ctx := context.Background()
	tbl := createdTable(t)
	r := report{version("k1", "v1", 100), base}
	if _, _, err := apply(t, tbl, r); err != nil {
		t.Fatal(err)
	}
	days := r.days()
	for _, tc := range []struct {
		name string
		days []string
	}{
		{"no days", nil},
		{"one day fewer", days[1:]},
		{"other days", []string{"2025-03-09"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := tbl.Commit(ctx, r.v, "cur", "2025-01", tc.days)
			if !errors.Is(err, ErrShrink) {
				t.Fatalf("Commit = %+v, %v; want ErrShrink", st, err)
			}
			if st != (Stats{}) {
				t.Errorf("a refused commit did %+v", st)
			}
			wantQuery(t, tbl, d1, d3, tableOf(base))
			if s, _ := tbl.State(ctx, "k1"); s == nil || !slices.Equal(s.Days, days) {
				t.Errorf("State = %+v, want days %v", s, days)
			}
		})
	}
	if st, err := tbl.Commit(ctx, r.v, "cur", "2025-01", days); err != nil || st != (Stats{Unchanged: 1}) {
		t.Errorf("the same days again: %+v, %v; want a replay", st, err)
	}
}
