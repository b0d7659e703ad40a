package report

import (
	"context"
	"errors"
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
// ends up in exactly one report or in Skipped.
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
		}
	})
}
