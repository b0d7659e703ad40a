package reports

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/curpipe/curpipe/io/localfs"
	"github.com/curpipe/curpipe/transforms/element"
)

// TestResolveObject resolves the objects an S3 event can name, in a CUR
// 1.0 delivery laid out as AWS writes it.
func TestResolveObject(t *testing.T) {
	root := t.TempDir()
	period := filepath.Join(root, "cur", "daily", "20240101-20240201")
	manifest := `{"assemblyId":"aaa","reportName":"daily","billingPeriod":{"start":"20240101T000000.000Z","end":"20240201T000000.000Z"},"reportKeys":["cur/daily/20240101-20240201/aaa/daily-1.csv.gz"]}`
	files := map[string]string{
		filepath.Join(period, "aaa", "daily-1.csv.gz"):      "data",
		filepath.Join(period, "aaa", "daily-Manifest.json"): manifest,
		filepath.Join(period, "daily-Manifest.json"):        manifest,
		filepath.Join(root, "drops", "plain.csv"):           "a,b\n",
		filepath.Join(root, "drops", "notes.txt"):           "hello",
	}
	for p, body := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := &resolveEventFn{}
	ctx := context.Background()
	resolve := func(p string) element.Report {
		t.Helper()
		r, err := f.resolveObject(ctx, p)
		if err != nil {
			t.Fatalf("resolve %s: %v", p, err)
		}
		return r
	}
	rangeManifest := resolve(filepath.Join(period, "daily-Manifest.json"))
	assemblyManifest := resolve(filepath.Join(period, "aaa", "daily-Manifest.json"))
	for name, r := range map[string]element.Report{"date-range manifest": rangeManifest, "assembly manifest": assemblyManifest} {
		if r.Skip != "" || r.Err != "" || r.Version != "aaa" || len(r.Files) != 1 {
			t.Errorf("%s: %+v, want version aaa with its file", name, r)
		}
	}
	if rangeManifest.Ref != assemblyManifest.Ref {
		t.Errorf("the two manifests resolve to %s and %s, want one report version", rangeManifest.Ref, assemblyManifest.Ref)
	}
	if r := resolve(filepath.Join(period, "aaa", "daily-1.csv.gz")); !strings.Contains(r.Skip, "processed when its manifest arrives") {
		t.Errorf("data file: %+v, want it to wait for its manifest", r)
	}
	if r := resolve(filepath.Join(root, "drops", "plain.csv")); r.Kind != "plain" || r.Skip != "" || r.Err != "" {
		t.Errorf("plain file: %+v, want a report of its own", r)
	}
	if r := resolve(filepath.Join(root, "drops", "notes.txt")); !strings.Contains(r.Skip, "not a billing file") {
		t.Errorf("notes.txt: %+v, want skipped as not billing", r)
	}
	if r := resolve(filepath.Join(root, "drops", "gone.csv")); !strings.Contains(r.Err, "does not exist") {
		t.Errorf("missing object: %+v, want it to fail", r)
	}
}
