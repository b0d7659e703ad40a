package report

import (
	"context"
	"slices"
	"testing"
)

const (
	rng  = "cur/koku/20240101-20240201/"  // a CUR 1.0 date-range folder
	rngK = "/cur/koku/20240101-20240201/" // the same, as a reportKey
	bp   = "exp/cx/data/BILLING_PERIOD=2024-01/"
	meta = "exp/cx/metadata/BILLING_PERIOD=2024-01/"
)

func TestResolveLayouts(t *testing.T) {
	tests := []struct {
		name  string
		root  string
		files []file
		want  []want
		skip  map[string]string
	}{{
		name: "cur1 create new version, one assembly",
		root: "s3://bkt/",
		files: []file{
			{key: rng + "koku-Manifest.json", min: 10, body: cur1("A", "koku", "20240101", rngK+"A/koku-1.csv.gz", rngK+"A/koku-2.csv.gz")},
			{key: rng + "A/koku-Manifest.json", min: 9, body: "unused"},
			{key: rng + "A/koku-1.csv.gz", min: 8},
			{key: rng + "A/koku-2.csv.gz", min: 8},
		},
		want: []want{{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Manifest, period: "2024-01",
			version: "A", manifest: rng + "koku-Manifest.json", compression: "GZIP",
			files: []string{rng + "A/koku-1.csv.gz", rng + "A/koku-2.csv.gz"}}},
	}, {
		name: "cur1 two assemblies, date-range manifest names the newer",
		root: "s3://bkt/",
		files: []file{
			{key: rng + "koku-Manifest.json", min: 20, body: cur1("B", "koku", "20240101", rngK+"B/koku-1.csv.gz")},
			{key: rng + "A/koku-Manifest.json", min: 5},
			{key: rng + "A/koku-1.csv.gz", min: 4},
			{key: rng + "B/koku-Manifest.json", min: 19},
			{key: rng + "B/koku-1.csv.gz", min: 18},
		},
		want: []want{{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Manifest, period: "2024-01",
			version: "B", manifest: rng + "koku-Manifest.json", compression: "GZIP", files: []string{rng + "B/koku-1.csv.gz"}}},
		skip: map[string]string{
			rng + "A/koku-Manifest.json": "older report version A",
			rng + "A/koku-1.csv.gz":      "older report version A",
		},
	}, {
		name: "cur1 the date-range manifest wins over a newer assembly",
		root: "s3://bkt/",
		files: []file{
			{key: rng + "koku-Manifest.json", min: 10, body: cur1("A", "koku", "20240101", rngK+"A/koku-1.csv.gz")},
			{key: rng + "A/koku-Manifest.json", min: 9},
			{key: rng + "A/koku-1.csv.gz", min: 8},
			{key: rng + "B/koku-Manifest.json", min: 30},
			{key: rng + "B/koku-1.csv.gz", min: 29},
			{key: rng + "C/koku-1.csv.gz", min: 40},
		},
		want: []want{{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Manifest, period: "2024-01",
			version: "A", manifest: rng + "koku-Manifest.json", compression: "GZIP", files: []string{rng + "A/koku-1.csv.gz"}}},
		skip: map[string]string{
			rng + "B/koku-Manifest.json": "report version B is not the current one (A)",
			rng + "B/koku-1.csv.gz":      "report version B is not the current one (A)",
			rng + "C/koku-1.csv.gz":      "incomplete report version C (no manifest)",
		},
	}, {
		name: "cur1 no date-range manifest: the newest assembly manifest",
		root: "s3://bkt/",
		files: []file{
			{key: rng + "A/koku-Manifest.json", min: 5, body: cur1("A", "koku", "20240101", rngK+"A/koku-1.csv.gz")},
			{key: rng + "A/koku-1.csv.gz", min: 4},
			{key: rng + "B/koku-Manifest.json", min: 20, body: cur1("B", "koku", "20240101", rngK+"B/koku-1.csv.gz")},
			{key: rng + "B/koku-1.csv.gz", min: 19},
		},
		want: []want{{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Manifest, period: "2024-01",
			version: "B", manifest: rng + "B/koku-Manifest.json", compression: "GZIP", files: []string{rng + "B/koku-1.csv.gz"}}},
		skip: map[string]string{
			rng + "A/koku-Manifest.json": "older report version A",
			rng + "A/koku-1.csv.gz":      "older report version A",
		},
	}, {
		name: "cur1 assembly manifests of equal time: the greater name",
		root: "s3://bkt/",
		files: []file{
			{key: rng + "B/koku-Manifest.json", min: 5, body: cur1("B", "koku", "20240101", rngK+"B/koku-1.csv.gz")},
			{key: rng + "B/koku-1.csv.gz", min: 4},
			{key: rng + "A/koku-Manifest.json", min: 5, body: cur1("A", "koku", "20240101", rngK+"A/koku-1.csv.gz")},
			{key: rng + "A/koku-1.csv.gz", min: 4},
		},
		want: []want{{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Manifest, period: "2024-01",
			version: "B", manifest: rng + "B/koku-Manifest.json", compression: "GZIP", files: []string{rng + "B/koku-1.csv.gz"}}},
		skip: map[string]string{
			rng + "A/koku-Manifest.json": "older report version A",
			rng + "A/koku-1.csv.gz":      "older report version A",
		},
	}, {
		name: "cur1 assemblies and no manifest at all: the newest data",
		root: "s3://bkt/",
		files: []file{
			{key: rng + "A/koku-1.csv.gz", min: 4},
			{key: rng + "B/koku-1.csv.gz", min: 19},
			{key: rng + "B/koku-2.csv.gz", min: 18},
		},
		want: []want{{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Manifest, period: "2024-01",
			version: "B", files: []string{rng + "B/koku-1.csv.gz", rng + "B/koku-2.csv.gz"}}},
		skip: map[string]string{rng + "A/koku-1.csv.gz": "older report version A"},
	}, {
		name: "cur1 overwrite: manifest and data in the date-range folder",
		root: "s3://bkt/",
		files: []file{
			{key: rng + "koku-Manifest.json", min: 10, etag: `"m1"`, body: cur1("A", "koku", "20240101", "cur/koku/20240101-20240201/koku-1.csv.gz")},
			{key: rng + "koku-1.csv.gz", min: 9},
			{key: rng + "koku-9.csv.gz", min: 1},
		},
		want: []want{{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Overwrite, period: "2024-01",
			version: "A", manifest: rng + "koku-Manifest.json", compression: "GZIP", files: []string{rng + "koku-1.csv.gz"}}},
		skip: map[string]string{rng + "koku-9.csv.gz": "not named by manifest s3://bkt/" + rng + "koku-Manifest.json"},
	}, {
		name: "cur1 overwrite, manifest without assemblyId: its ETag",
		root: "s3://bkt/",
		files: []file{
			{key: rng + "koku-Manifest.json", min: 10, etag: `"m-etag"`, body: cur1("", "koku", "20240101", rngK+"koku-1.csv.gz")},
			{key: rng + "koku-1.csv.gz", min: 9},
		},
		want: []want{{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Overwrite, period: "2024-01",
			version: "m-etag", manifest: rng + "koku-Manifest.json", compression: "GZIP", files: []string{rng + "koku-1.csv.gz"}}},
	}, {
		name: "cur1 overwrite without manifest: all data, digest version",
		root: "/data/",
		files: []file{
			{key: rng + "koku-1.csv.gz", min: 9},
			{key: rng + "koku-2.csv.gz", min: 9},
		},
		want: []want{{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Overwrite, period: "2024-01",
			files: []string{rng + "koku-1.csv.gz", rng + "koku-2.csv.gz"}}},
	}, {
		name: "cur2 manifest lists the files; strays and setup files skipped",
		root: "s3://bkt/",
		files: []file{
			{key: bp + "cx-00001.snappy.parquet", min: 1},
			{key: bp + "cx-00002.snappy.parquet", min: 1},
			{key: bp + "cx-00003.snappy.parquet", min: 0},
			{key: meta + "cx-Manifest.json", min: 2, body: cur2("exec-1", "cx", "2024-01",
				"s3://bkt/"+bp+"cx-00001.snappy.parquet", "s3://bkt/"+bp+"cx-00002.snappy.parquet")},
			{key: meta + "cx-create-table.sql", min: 2},
		},
		want: []want{{id: bp[:len(bp)-1], name: "cx", kind: KindCUR2, period: "2024-01", version: "exec-1",
			manifest: meta + "cx-Manifest.json", files: []string{bp + "cx-00001.snappy.parquet", bp + "cx-00002.snappy.parquet"}}},
		skip: map[string]string{
			bp + "cx-00003.snappy.parquet": "not named by manifest",
			meta + "cx-create-table.sql":   "Athena/Glue setup .sql",
		},
	}, {
		name: "cur2 newer execution replaces the older",
		root: "s3://bkt/",
		files: []file{
			{key: bp + "e1/cx-00001.csv.gz", min: 1},
			{key: meta + "e1/cx-Manifest.json", min: 2, body: cur2("e1", "cx", "2024-01", "s3://bkt/"+bp+"e1/cx-00001.csv.gz")},
			{key: bp + "e2/cx-00001.csv.gz", min: 10},
			{key: meta + "e2/cx-Manifest.json", min: 11, body: cur2("e2", "cx", "2024-01", "s3://bkt/"+bp+"e2/cx-00001.csv.gz")},
		},
		want: []want{{id: bp[:len(bp)-1], name: "cx", kind: KindCUR2, period: "2024-01", version: "e2",
			manifest: meta + "e2/cx-Manifest.json", files: []string{bp + "e2/cx-00001.csv.gz"}}},
		skip: map[string]string{
			bp + "e1/cx-00001.csv.gz":    "not named by manifest",
			meta + "e1/cx-Manifest.json": "older manifest",
		},
	}, {
		name: "cur2 before its manifest: all data of the period",
		root: "s3://bkt/",
		files: []file{
			{key: bp + "cx-00001.csv.gz", min: 1, etag: "e1"},
			{key: bp + "cx-00002.csv.gz", min: 2, etag: "e2"},
		},
		want: []want{{id: bp[:len(bp)-1], name: "cx", kind: KindCUR2, period: "2024-01",
			files: []string{bp + "cx-00001.csv.gz", bp + "cx-00002.csv.gz"}}},
	}, {
		name: "cur2 local copy under another prefix resolves by suffix",
		root: "/home/u/copy/",
		files: []file{
			{key: "cx/data/BILLING_PERIOD=2024-03/cx-00001.csv.gz", min: 1},
			{key: "cx/metadata/BILLING_PERIOD=2024-03/cx-Manifest.json", min: 2,
				body: cur2("x", "cx", "2024-03", "s3://bkt/deep/prefix/cx/data/BILLING_PERIOD=2024-03/cx-00001.csv.gz")},
		},
		want: []want{{id: "cx/data/BILLING_PERIOD=2024-03", name: "cx", kind: KindCUR2, period: "2024-03", version: "x",
			manifest: "cx/metadata/BILLING_PERIOD=2024-03/cx-Manifest.json", files: []string{"cx/data/BILLING_PERIOD=2024-03/cx-00001.csv.gz"}}},
	}, {
		name: "athena parquet: one report per month folder, setup files skipped",
		root: "s3://bkt/",
		files: []file{
			{key: "cur/ath/ath/year=2023/month=1/ath-00001.snappy.parquet", min: 1},
			{key: "cur/ath/ath/year=2023/month=1/ath-00002.snappy.parquet", min: 1},
			{key: "cur/ath/ath/year=2023/month=12/ath-00001.snappy.parquet", min: 1},
			{key: "cur/ath/ath/crawler-cfn.yml"},
			{key: "cur/ath/ath/ath-create-table.sql"},
			{key: "cur/ath/ath/cost_and_usage_data_status/cost_and_usage_data_status.parquet"},
		},
		want: []want{
			{id: "cur/ath/ath/year=2023/month=1", name: "ath", kind: KindAthenaParquet, period: "2023-01",
				files: []string{"cur/ath/ath/year=2023/month=1/ath-00001.snappy.parquet", "cur/ath/ath/year=2023/month=1/ath-00002.snappy.parquet"}},
			{id: "cur/ath/ath/year=2023/month=12", name: "ath", kind: KindAthenaParquet, period: "2023-12",
				files: []string{"cur/ath/ath/year=2023/month=12/ath-00001.snappy.parquet"}},
		},
		skip: map[string]string{
			"cur/ath/ath/crawler-cfn.yml":                                               "Athena/Glue setup .yml",
			"cur/ath/ath/ath-create-table.sql":                                          "Athena/Glue setup .sql",
			"cur/ath/ath/cost_and_usage_data_status/cost_and_usage_data_status.parquet": "status marker",
		},
	}, {
		name: "a manifest naming athena files wins over the folder",
		root: "s3://bkt/",
		files: []file{
			{key: "cur/ath/20230101-20230201/ath-Manifest.json", min: 5,
				body: cur1("A", "ath", "20230101", "/cur/ath/ath/year=2023/month=1/ath-00001.snappy.parquet")},
			{key: "cur/ath/ath/year=2023/month=1/ath-00001.snappy.parquet", min: 1},
			{key: "cur/ath/ath/year=2023/month=1/ath-00002.snappy.parquet", min: 1},
		},
		want: []want{{id: "cur/ath/20230101-20230201", name: "ath", kind: KindCUR1Overwrite, period: "2023-01", version: "A",
			manifest: "cur/ath/20230101-20230201/ath-Manifest.json", compression: "GZIP",
			files: []string{"cur/ath/ath/year=2023/month=1/ath-00001.snappy.parquet"}}},
		skip: map[string]string{"cur/ath/ath/year=2023/month=1/ath-00002.snappy.parquet": "not named by the manifest of report s3://bkt/cur/ath/20230101-20230201"},
	}, {
		name: "plain drops: each data object its own report",
		root: "/drop/",
		files: []file{
			{key: "a.csv"}, {key: "b.csv.gz"}, {key: "c.zip"}, {key: "d.csv.zip"}, {key: "e.parquet"}, {key: "sub/f.gz"},
		},
		want: []want{
			{id: "a.csv", name: "a.csv", kind: KindPlain, files: []string{"a.csv"}},
			{id: "b.csv.gz", name: "b.csv.gz", kind: KindPlain, files: []string{"b.csv.gz"}},
			{id: "c.zip", name: "c.zip", kind: KindPlain, files: []string{"c.zip"}},
			{id: "d.csv.zip", name: "d.csv.zip", kind: KindPlain, files: []string{"d.csv.zip"}},
			{id: "e.parquet", name: "e.parquet", kind: KindPlain, files: []string{"e.parquet"}},
			{id: "sub/f.gz", name: "f.gz", kind: KindPlain, files: []string{"sub/f.gz"}},
		},
	}, {
		name:  "plain object in S3: its ETag is the version",
		root:  "s3://bkt/",
		files: []file{{key: "bills/x.csv", etag: `"abc123"`}},
		want:  []want{{id: "bills/x.csv", name: "x.csv", kind: KindPlain, version: "abc123", files: []string{"bills/x.csv"}}},
	}, {
		name: "junk is skipped, never a report",
		root: "/drop/",
		files: []file{
			{key: "notes.txt"}, {key: "README.md"}, {key: "q.sql"}, {key: "c.yml"}, {key: "c.yaml"},
			{key: "other.json"}, {key: "folder/"}, {key: ".DS_Store"}, {key: "LICENSE"},
		},
		skip: map[string]string{
			"notes.txt": "(.txt)", "README.md": "(.md)", "q.sql": ".sql", "c.yml": ".yml", "c.yaml": ".yaml",
			"other.json": "JSON that is not a manifest", "folder/": "folder marker", ".DS_Store": "(.ds_store)",
			"LICENSE": "no extension",
		},
	}, {
		name: "a missing reportKey fails that report only",
		root: "s3://bkt/",
		files: []file{
			{key: rng + "koku-Manifest.json", min: 10, body: cur1("A", "koku", "20240101", rngK+"A/koku-1.csv.gz", rngK+"A/koku-2.csv.gz")},
			{key: rng + "A/koku-1.csv.gz", min: 8},
			{key: "elsewhere/x.csv", etag: "x"},
		},
		want: []want{
			{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Manifest, period: "2024-01", version: "A",
				manifest: rng + "koku-Manifest.json", compression: "GZIP", files: []string{rng + "A/koku-1.csv.gz"},
				err: "names 1 object(s) not in the listing: " + rngK + "A/koku-2.csv.gz"},
			{id: "elsewhere/x.csv", name: "x.csv", kind: KindPlain, version: "x", files: []string{"elsewhere/x.csv"}},
		},
	}, {
		name: "a manifest naming objects outside its report's folder fails that report",
		root: "s3://bkt/",
		files: []file{
			{key: rng + "koku-Manifest.json", min: 10, body: cur1("A", "koku", "20240101", rngK+"A/koku-1.csv.gz",
				"/secret/payroll.csv.gz", "s3://other/cur/koku/../../secret/x.csv.gz", rngK+"A/../A/koku-1.csv.gz")},
			{key: rng + "A/koku-1.csv.gz", min: 8},
			{key: "secret/payroll.csv.gz", etag: "s"},
		},
		want: []want{
			{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Manifest, period: "2024-01", version: "A",
				manifest: rng + "koku-Manifest.json", compression: "GZIP", files: []string{rng + "A/koku-1.csv.gz"},
				err: "names 3 object(s) outside its report's folder s3://bkt/cur/koku: /secret/payroll.csv.gz, " +
					"s3://other/cur/koku/../../secret/x.csv.gz, " + rngK + "A/../A/koku-1.csv.gz"},
			{id: "secret/payroll.csv.gz", name: "payroll.csv.gz", kind: KindPlain, version: "s", files: []string{"secret/payroll.csv.gz"}},
		},
	}, {
		name: "a broken manifest fails its report; its data is not guessed at",
		root: "s3://bkt/",
		files: []file{
			{key: rng + "koku-Manifest.json", min: 10, body: "{not json"},
			{key: rng + "A/koku-Manifest.json", min: 9},
			{key: rng + "A/koku-1.csv.gz", min: 8},
			{key: "cur/koku/20240201-20240301/koku-1.csv.gz", min: 8, etag: "x"},
		},
		want: []want{
			{id: "cur/koku/20240101-20240201", name: "koku", kind: KindCUR1Manifest, period: "2024-01", version: "-",
				manifest: rng + "koku-Manifest.json", err: "manifest s3://bkt/" + rng + "koku-Manifest.json: parse manifest"},
			{id: "cur/koku/20240201-20240301", name: "koku", kind: KindCUR1Overwrite, period: "2024-02",
				files: []string{"cur/koku/20240201-20240301/koku-1.csv.gz"}},
		},
		skip: map[string]string{
			rng + "A/koku-Manifest.json": "not resolved: report s3://bkt/cur/koku/20240101-20240201 failed",
			rng + "A/koku-1.csv.gz":      "not resolved: report s3://bkt/cur/koku/20240101-20240201 failed",
		},
	}, {
		name: "an unreadable manifest fails its report",
		root: "s3://bkt/",
		files: []file{
			{key: meta + "cx-Manifest.json", min: 2, body: "!error"},
			{key: bp + "cx-00001.csv.gz", min: 1},
		},
		want: []want{{id: bp[:len(bp)-1], name: "cx", kind: KindCUR2, period: "2024-01", version: "-",
			manifest: meta + "cx-Manifest.json", err: "read manifest s3://bkt/" + meta + "cx-Manifest.json: boom"}},
		skip: map[string]string{bp + "cx-00001.csv.gz": "not resolved"},
	}, {
		name: "a manifest outside any layout names files in its folder",
		root: "/dl/",
		files: []file{
			{key: "koku-Manifest.json", min: 3, body: cur1("A", "koku", "20240101", rngK+"A/koku-1.csv.gz")},
			{key: "koku-1.csv.gz", min: 2},
			{key: "extra.csv", min: 2},
		},
		want: []want{{id: "koku-Manifest.json", name: "koku", kind: KindCUR1Manifest, period: "2024-01", version: "A",
			manifest: "koku-Manifest.json", compression: "GZIP", files: []string{"koku-1.csv.gz"}}},
		skip: map[string]string{"extra.csv": "not named by manifest /dl/koku-Manifest.json"},
	}, {
		name: "two manifests naming one object: the second fails",
		root: "/dl/",
		files: []file{
			{key: "a-Manifest.json", body: cur1("A", "a", "20240101", "x.csv")},
			{key: "b-Manifest.json", body: cur1("B", "b", "20240101", "x.csv")},
			{key: "x.csv"},
		},
		want: []want{
			{id: "a-Manifest.json", name: "a", kind: KindCUR1Overwrite, period: "2024-01", version: "A",
				manifest: "a-Manifest.json", compression: "GZIP", files: []string{"x.csv"}},
			{id: "b-Manifest.json", name: "b", kind: KindCUR1Overwrite, period: "2024-01", version: "B",
				manifest: "b-Manifest.json", compression: "GZIP", err: "belong to another report"},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objs, st := listing(tc.root, tc.files...)
			got, skipped, err := Resolve(context.Background(), objs, st.read)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			check(t, tc.root, objs, got, skipped, tc.want, tc.skip)
		})
	}
}

// TestRoots: the folders an event's object sends curpipe to list, by the
// layout its path shows, the same layouts Resolve knows (BILLING_PERIOD
// in any case, as Resolve reads it).
func TestRoots(t *testing.T) {
	for _, tc := range []struct {
		u     string
		roots []string
		waits bool
	}{
		{"s3://b/cur/koku/20240101-20240201/A/koku-1.csv.gz", []string{"s3://b/cur/koku/20240101-20240201/"}, true},
		{"s3://b/cur/koku/20240101-20240201/koku-Manifest.json", []string{"s3://b/cur/koku/20240101-20240201/"}, false},
		{"s3://b/exp/cx/data/BILLING_PERIOD=2024-01/x.parquet",
			[]string{"s3://b/exp/cx/data/BILLING_PERIOD=2024-01/", "s3://b/exp/cx/metadata/BILLING_PERIOD=2024-01/"}, true},
		{"s3://b/exp/cx/metadata/billing_period=2024-01/cx-Manifest.json",
			[]string{"s3://b/exp/cx/data/billing_period=2024-01/", "s3://b/exp/cx/metadata/billing_period=2024-01/"}, false},
		{"s3://b/cur/r/r/year=2024/month=1/r-00001.snappy.parquet", []string{"s3://b/cur/r/r/year=2024/month=1/"}, false},
		{"s3://b/cur/r/r/years=2024/month=1/r.parquet", []string{"s3://b/cur/r/r/years=2024/month=1/r.parquet"}, false},
		{"s3://b/drop/bill.csv", []string{"s3://b/drop/bill.csv"}, false},
	} {
		roots, waits := Roots(tc.u)
		if !slices.Equal(roots, tc.roots) || waits != tc.waits {
			t.Errorf("Roots(%s) = %q, %t; want %q, %t", tc.u, roots, waits, tc.roots, tc.waits)
		}
	}
}

func TestExportOf(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"s3://b/cur/curgen/20240301-20240401", "s3://b/cur/curgen"},
		{"/tmp/in/cur/curgen/20241101-20241201", "/tmp/in/cur/curgen"},
		{"s3://b/exports/focus/data/BILLING_PERIOD=2024-03", "s3://b/exports/focus/data"},
		{"s3://b/athena/cur/year=2024/month=3", "s3://b/athena/cur"},
		{"s3://b/plain/2024-03.csv", "s3://b/plain/2024-03.csv"},
		{"s3://b/cur/r/20240301-20240401/extra", "s3://b/cur/r/extra"},
	} {
		if got := ExportOf(tc.id); got != tc.want {
			t.Errorf("ExportOf(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
	a := Report{ID: "s3://b/cur/r/20240301-20240401"}
	b := Report{ID: "s3://b/cur/r/20240401-20240501"}
	if a.ExportKey() != b.ExportKey() || a.Key() == b.Key() {
		t.Errorf("two periods of one export: keys %s %s, export keys %s %s", a.Key(), b.Key(), a.ExportKey(), b.ExportKey())
	}
}
