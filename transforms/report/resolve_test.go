package report

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const kokuAsm = "16e57707-f9e3-49be-8be6-b84e684b5194"

// TestResolveKokuSample lays out the real project-koku delivery (its manifest
// from testdata, the data object by name) as a local folder and as a bucket.
func TestResolveKokuSample(t *testing.T) {
	body, err := os.ReadFile("testdata/koku-local-Manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	const dir = "koku-local/20180801-20180901/"
	for _, root := range []string{"/samples/koku-local-bucket/", "s3://koku-bucket/", "s3://other/copied/under/a/prefix/"} {
		t.Run(root, func(t *testing.T) {
			objs, st := listing(root,
				file{key: dir + "koku-local-Manifest.json", min: 2, body: string(body)},
				file{key: dir + kokuAsm + "/koku-local-Manifest.json", min: 1, body: string(body)},
				file{key: dir + kokuAsm + "/koku-local-1.csv.gz", size: 985116},
			)
			got, skipped, err := Resolve(context.Background(), objs, st.read)
			if err != nil {
				t.Fatal(err)
			}
			check(t, root, objs, got, skipped, []want{{
				id: "koku-local/20180801-20180901", name: "koku-local", kind: KindCUR1Manifest, period: "2018-08",
				version: kokuAsm, manifest: dir + "koku-local-Manifest.json", compression: "GZIP",
				files: []string{dir + kokuAsm + "/koku-local-1.csv.gz"},
			}}, nil)
			if want := []string{root + dir + "koku-local-Manifest.json"}; !reflect.DeepEqual(st.reads, want) {
				t.Errorf("read %q, want only %q", st.reads, want)
			}
			if !got[0].VersionTime.Equal(t0.Add(1 * 60e9)) {
				t.Errorf("VersionTime %v, want the assembly manifest's time", got[0].VersionTime)
			}
		})
	}
}

// TestResolveListedBelowReport lists the date-range folder itself: the
// layout is read from the URL, so nothing changes.
func TestResolveListedBelowReport(t *testing.T) {
	root := "s3://bkt/" + rng
	objs, st := listing(root,
		file{key: "koku-Manifest.json", min: 10, body: cur1("A", "koku", "20240101", rngK+"A/koku-1.csv.gz")},
		file{key: "A/koku-1.csv.gz", min: 8},
		file{key: "OLD/koku-1.csv.gz", min: 1},
	)
	got, skipped, err := Resolve(context.Background(), objs, st.read)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "s3://bkt/cur/koku/20240101-20240201" || got[0].Version != "A" ||
		!reflect.DeepEqual(got[0].Files, []string{root + "A/koku-1.csv.gz"}) {
		t.Fatalf("got %s", dump(got))
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "incomplete report version OLD") {
		t.Errorf("skipped %+v", skipped)
	}
}

// TestResolveDeterministic: input order never changes the output.
func TestResolveDeterministic(t *testing.T) {
	objs, st := listing("s3://bkt/",
		file{key: rng + "A/koku-Manifest.json", min: 5, body: cur1("A", "koku", "20240101", rngK+"A/koku-1.csv.gz")},
		file{key: rng + "A/koku-1.csv.gz", min: 4},
		file{key: rng + "B/koku-Manifest.json", min: 5, body: cur1("B", "koku", "20240101", rngK+"B/koku-1.csv.gz")},
		file{key: rng + "B/koku-1.csv.gz", min: 4},
		file{key: bp + "cx-00001.csv.gz"}, file{key: bp + "cx-00002.csv.gz"},
		file{key: "cur/ath/ath/year=2023/month=1/a.parquet"}, file{key: "drop/x.csv"}, file{key: "drop/y.sql"},
	)
	want, wantSkip, _ := Resolve(context.Background(), objs, st.read)
	rnd := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		rnd.Shuffle(len(objs), func(i, j int) { objs[i], objs[j] = objs[j], objs[i] })
		got, skip, _ := Resolve(context.Background(), append(objs, objs[0]), st.read) // a repeated object too
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(skip, wantSkip) {
			t.Fatalf("shuffle %d changed the output:\n%s\nwant\n%s", i, dump(got), dump(want))
		}
	}
}

// TestResolveVersionDigest: a digest version moves with any change to the
// set and stays put otherwise.
func TestResolveVersionDigest(t *testing.T) {
	base := []file{
		{key: "cur/ath/ath/year=2023/month=1/a.parquet", min: 1},
		{key: "cur/ath/ath/year=2023/month=1/b.parquet", min: 1},
	}
	version := func(files ...file) string {
		t.Helper()
		objs, st := listing("/lake/", files...)
		got, _, _ := Resolve(context.Background(), objs, st.read)
		if len(got) != 1 {
			t.Fatalf("got %s", dump(got))
		}
		return got[0].Version
	}
	v := version(base...)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(v) {
		t.Errorf("digest %q", v)
	}
	if again := version(base[1], base[0]); again != v {
		t.Errorf("same set, version %q then %q", v, again)
	}
	rewritten := []file{base[0], {key: base[1].key, min: 2}}
	added := append([]file{{key: "cur/ath/ath/year=2023/month=1/c.parquet", min: 1}}, base...)
	for name, files := range map[string][]file{"rewritten": rewritten, "added": added, "removed": base[:1]} {
		if got := version(files...); got == v {
			t.Errorf("%s: version unchanged", name)
		}
	}
}

func TestResolveContextAndReader(t *testing.T) {
	objs, st := listing("s3://bkt/",
		file{key: rng + "koku-Manifest.json", body: cur1("A", "koku", "20240101", rngK+"A/koku-1.csv.gz")},
		file{key: rng + "A/koku-1.csv.gz"},
	)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cancelled := func(ctx context.Context, url string) ([]byte, error) { return nil, ctx.Err() }
	if _, _, err := Resolve(ctx, objs, cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err %v, want context.Canceled", err)
	}
	got, _, err := Resolve(context.Background(), objs, nil)
	if err != nil || len(got) != 1 || !strings.Contains(got[0].Err, "no manifest reader") {
		t.Errorf("nil reader: %v %s", err, dump(got))
	}
	if _, _, err := Resolve(context.Background(), nil, st.read); err != nil {
		t.Errorf("empty listing: %v", err)
	}
}

func TestReportKeys(t *testing.T) {
	r := Report{ID: "s3://bkt/cur/koku/20240101-20240201", Version: "A"}
	hex12 := regexp.MustCompile(`^[0-9a-f]{12}$`)
	if !hex12.MatchString(r.Key()) || !hex12.MatchString(r.VersionKey()) {
		t.Fatalf("Key %q VersionKey %q", r.Key(), r.VersionKey())
	}
	// sha256("A") starts 559aead08264.
	if r.VersionKey() != "559aead08264" {
		t.Errorf("VersionKey %q", r.VersionKey())
	}
	if r.Key() == (Report{ID: r.ID + "x"}).Key() {
		t.Error("different IDs, same Key")
	}
}

// FuzzResolve: any listing resolves without a panic, and every data object
// ends up in exactly one report or in Skipped; under limits, no report
// holds more files than they allow.
func FuzzResolve(f *testing.F) {
	f.Add(rng+"koku-Manifest.json\n"+rng+"A/koku-1.csv.gz\n"+rng+"B/koku-1.csv.gz", cur1("A", "koku", "20240101", rngK+"A/koku-1.csv.gz"))
	f.Add(meta+"cx-Manifest.json\n"+bp+"a.csv\n"+bp+"b.csv", cur2("e", "cx", "2024-01", "s3://bkt/"+bp+"a.csv", "s3://bkt/"+bp+"a.csv"))
	f.Add("a/year=2023/month=1/x.parquet\n/x//y/\n\nq-Manifest.json\nz.csv", `{"reportKeys":["z.csv","/"]}`)
	f.Fuzz(func(t *testing.T, keys, body string) {
		var files []file
		for i, k := range strings.Split(keys, "\n") {
			files = append(files, file{key: k, min: i % 3, body: body})
		}
		for _, root := range []string{"s3://bkt/", "/data/", ""} {
			objs, st := listing(root, files...)
			got, skipped, err := Resolve(context.Background(), objs, st.read)
			if err != nil {
				t.Fatal(err)
			}
			checkAccounted(t, objs, got, skipped)
			// Within limits a report holds no more files than they allow,
			// or fails naming the limit.
			lim := Limits{ManifestBytes: int64(len(body)/2 + 1), Files: 2}
			got, _, err = ResolveWithin(context.Background(), objs, st.read, lim)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range got {
				if len(r.Files) > lim.Files {
					t.Fatalf("report %s holds %d files, over the limit of %d (%q)", r.ID, len(r.Files), lim.Files, r.Err)
				}
			}
		}
	})
}

// TestResolveLimits: a manifest too large or naming too many files, and a
// report of too many files, fail that report alone, naming the flag; a
// report within the limits beside them resolves.
func TestResolveLimits(t *testing.T) {
	lim := Limits{ManifestBytes: 1000, Files: 2}
	dr := "cur/r/20240101-20240201/"
	keys := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("%sasm/r-%d.csv.gz", dr, i))
		}
		return out
	}
	files := func(m string, n int) []file {
		fs := []file{{key: dr + "r-Manifest.json", min: 2, body: m, size: int64(len(m))}}
		for _, k := range keys(n) {
			fs = append(fs, file{key: k, min: 1})
		}
		return fs
	}
	good := file{key: "drops/ok.csv", min: 1}
	tests := []struct {
		name  string
		files []file
		flag  string
	}{
		{"within the limits", files(cur1("asm", "r", "20240101", keys(2)...), 2), ""},
		{"a manifest too large", files(cur1("asm", "r", "20240101", keys(2)...)+strings.Repeat(" ", 1000), 2), "--max-manifest-bytes"},
		{"a manifest of too many files", files(cur1("asm", "r", "20240101", keys(3)...), 3), "--max-files-per-report"},
		{"a folder of too many files", []file{{key: "cur/a/a/year=2024/month=1/1.parquet", min: 1},
			{key: "cur/a/a/year=2024/month=1/2.parquet", min: 1}, {key: "cur/a/a/year=2024/month=1/3.parquet", min: 1}}, "--max-files-per-report"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objs, st := listing("s3://bkt/", append(tc.files, good)...)
			got, _, err := ResolveWithin(context.Background(), objs, st.read, lim)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("got %s", dump(got))
			}
			for _, r := range got {
				switch {
				case r.ID == "s3://bkt/drops/ok.csv":
					if r.Err != "" {
						t.Errorf("the good report failed: %s", r.Err)
					}
				case tc.flag == "" && r.Err != "":
					t.Errorf("within the limits: %s", r.Err)
				case tc.flag != "" && !strings.Contains(r.Err, tc.flag):
					t.Errorf("report %s: Err %q, want it to name %s", r.ID, r.Err, tc.flag)
				case tc.flag != "" && len(r.Files) > lim.Files:
					t.Errorf("a failed report carries %d files", len(r.Files))
				}
			}
		})
	}
}
