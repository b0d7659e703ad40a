package report

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseManifestKoku(t *testing.T) {
	b, err := os.ReadFile("testdata/koku-local-Manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != FormatCUR1 || m.AssemblyID != kokuAsm || m.Version() != kokuAsm || m.Account != "6568388779672" ||
		m.ReportName != "koku-local" || m.Name() != "koku-local" || m.Compression != "GZIP" || m.ContentType != "text/csv" ||
		m.Charset != "UTF-8" || m.Bucket != "" ||
		m.ReportID != "8dcb1b6e1f5bcac6b9ff0f486d68ed5935bb18971c2f970a77ef560236c75256" {
		t.Errorf("manifest %+v", m)
	}
	want := Period{Start: time.Date(2018, 8, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2018, 9, 1, 0, 0, 0, 0, time.UTC)}
	if m.BillingPeriod != want || m.BillingPeriod.Month() != "2018-08" {
		t.Errorf("period %+v", m.BillingPeriod)
	}
	keys := []string{"/koku-local/20180801-20180901/" + kokuAsm + "/koku-local-1.csv.gz"}
	if !reflect.DeepEqual(m.ReportKeys, keys) || !reflect.DeepEqual(m.Keys(), keys) {
		t.Errorf("keys %q", m.ReportKeys)
	}
	if len(m.Columns) != 57 || m.Columns[0] != (Column{Category: "identity", Name: "LineItemId"}) {
		t.Errorf("%d columns, first %+v", len(m.Columns), m.Columns[0])
	}
}

func TestParseManifest(t *testing.T) {
	utc := func(y int, mo time.Month, d, h int) time.Time { return time.Date(y, mo, d, h, 0, 0, 0, time.UTC) }
	jan := Period{Start: utc(2024, 1, 1, 0), End: utc(2024, 2, 1, 0)}
	tests := []struct {
		name string
		in   string
		want Manifest
		err  error // nil: no error; errAny: some error
	}{{
		name: "cur2 data export",
		in: `{"executionId":"e-1","exportArn":"arn:aws:bcm-data-exports:us-east-1:123456789012:export/my-cur2-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
			"billingPeriod":{"start":"2024-01-01T00:00:00.000Z","end":"2024-02-01T00:00:00.000Z"},
			"columns":[{"name":"line_item_unblended_cost","type":"decimal"}],
			"dataFiles":["s3://b/p/my-cur2/data/BILLING_PERIOD=2024-01/my-cur2-00001.csv.gz"],
			"additionalOutputFiles":[{"name":"x"}],"queryStatement":"SELECT ..."}`,
		want: Manifest{Format: FormatCUR2, ExecutionID: "e-1", BillingPeriod: jan,
			ExportARN: "arn:aws:bcm-data-exports:us-east-1:123456789012:export/my-cur2-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
			Columns:   []Column{{Name: "line_item_unblended_cost", Type: "decimal"}},
			DataFiles: []string{"s3://b/p/my-cur2/data/BILLING_PERIOD=2024-01/my-cur2-00001.csv.gz"}},
	}, {
		name: "cur1 with compact period, numeric account, BOM",
		in:   "\ufeff" + `{"assemblyId":"a","account":123456789012,"reportKeys":["/r/x.csv.gz"],"billingPeriod":{"start":"20240101T000000.000Z","end":"20240201T000000.000Z"}}`,
		want: Manifest{Format: FormatCUR1, AssemblyID: "a", Account: "123456789012", ReportKeys: []string{"/r/x.csv.gz"}, BillingPeriod: jan},
	}, {
		name: "period without fraction, and a space-separated one",
		in:   `{"reportKeys":[],"billingPeriod":{"start":"20240101T000000Z","end":"2024-02-01 00:00:00"}}`,
		want: Manifest{Format: FormatCUR1, ReportKeys: []string{}, BillingPeriod: jan},
	}, {
		name: "period as a bare month",
		in:   `{"executionId":"e","billingPeriod":"2024-01"}`,
		want: Manifest{Format: FormatCUR2, ExecutionID: "e", BillingPeriod: jan},
	}, {
		name: "period with an offset is kept in UTC",
		in:   `{"assemblyId":"a","billingPeriod":{"start":"2024-01-01T02:00:00+02:00"}}`,
		want: Manifest{Format: FormatCUR1, AssemblyID: "a", BillingPeriod: Period{Start: utc(2024, 1, 1, 0)}},
	}, {
		name: "no period",
		in:   `{"assemblyId":"a"}`,
		want: Manifest{Format: FormatCUR1, AssemblyID: "a"},
	}, {
		name: "not JSON", in: `{"assemblyId":`, err: errAny,
	}, {
		name: "JSON but no manifest", in: `{"hello":"world"}`, err: ErrNotManifest,
	}, {
		name: "a JSON array", in: `[1,2]`, err: errAny,
	}, {
		name: "bad period", in: `{"assemblyId":"a","billingPeriod":{"start":"last tuesday"}}`, err: ErrBadPeriod,
	}, {
		name: "period of the wrong type", in: `{"assemblyId":"a","billingPeriod":42}`, err: errAny,
	}, {
		name: "empty report key", in: `{"assemblyId":"a","reportKeys":["x", " "]}`, err: ErrEmptyKey,
	}, {
		name: "empty data file", in: `{"executionId":"e","dataFiles":[""]}`, err: ErrEmptyKey,
	}, {
		name: "keys of the wrong type", in: `{"assemblyId":"a","reportKeys":"x"}`, err: errAny,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseManifest([]byte(tc.in))
			switch {
			case tc.err == nil && err != nil:
				t.Fatalf("error %v", err)
			case tc.err != nil && err == nil:
				t.Fatalf("no error, got %+v", got)
			case tc.err != nil && tc.err != errAny && !errors.Is(err, tc.err):
				t.Fatalf("error %v, want %v", err, tc.err)
			case tc.err != nil && !strings.HasPrefix(err.Error(), "parse manifest: "):
				t.Errorf("error %q lacks context", err)
			case tc.err == nil && !reflect.DeepEqual(got, tc.want):
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

var errAny = errors.New("any error")

func TestManifestName(t *testing.T) {
	for _, tc := range []struct {
		m    Manifest
		want string
	}{
		{Manifest{ReportName: "r", ExportName: "e"}, "r"},
		{Manifest{ExportName: "e", ExportARN: "arn:aws:bcm-data-exports:us-east-1:1:export/x"}, "e"},
		{Manifest{ExportARN: "arn:aws:bcm-data-exports:us-east-1:123456789012:export/my-cur2-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"}, "my-cur2"},
		{Manifest{ExportARN: "arn:aws:bcm-data-exports:us-east-1:123456789012:export/plain"}, "plain"},
		{Manifest{ExportARN: "not an arn"}, ""},
	} {
		if got := tc.m.Name(); got != tc.want {
			t.Errorf("%+v: Name %q, want %q", tc.m, got, tc.want)
		}
	}
}

// FuzzParseManifest: any input gives a manifest or an error, never a panic;
// a manifest always has a format and keys Resolve can look up.
func FuzzParseManifest(f *testing.F) {
	if b, err := os.ReadFile("testdata/koku-local-Manifest.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(cur2("e", "x", "2024-01", "s3://b/x/data/BILLING_PERIOD=2024-01/x-1.csv.gz")))
	f.Add([]byte(`{"assemblyId":"a","billingPeriod":"2024-13"}`))
	f.Add([]byte(`{"executionId":null,"dataFiles":[],"account":1e400}`))
	f.Add([]byte("\ufeff[]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		if m.Format != FormatCUR1 && m.Format != FormatCUR2 {
			t.Fatalf("format %q", m.Format)
		}
		for _, k := range m.Keys() {
			_ = normalizeKey(k)
		}
		_ = m.BillingPeriod.Month()
		_ = m.Name()
	})
}
