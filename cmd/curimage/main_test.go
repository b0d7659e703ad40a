package main

import (
	"archive/tar"
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestImage builds the image and reads it back as a registry or a
// container engine would: one layer, the entrypoint, a non-root user; the
// program in it static, carrying its CA roots, and running.
func TestImage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "curpipe.tar")
	if _, err := build(out, "curpipe:test", runtime.GOARCH); err != nil {
		t.Fatal(err)
	}
	img, err := tarball.ImageFromPath(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s", cf.OS, cf.Architecture)
	}
	if got := strings.Join(cf.Config.Entrypoint, " "); got != "/usr/local/bin/curpipe" {
		t.Errorf("entrypoint %q", got)
	}
	if u := cf.Config.User; u == "" || u == "0" || strings.HasPrefix(u, "0:") || strings.HasPrefix(u, "root") {
		t.Errorf("user %q, want a non-root one", u)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%d layers, %v; want one", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := map[string][]byte{}
	modes := map[string]int64{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		files[h.Name], modes[h.Name] = b, h.Mode
	}
	if !strings.Contains(string(files["etc/passwd"]), "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd:\n%s", files["etc/passwd"])
	}
	if modes["tmp/"] != 0o1777 {
		t.Errorf("/tmp mode %o, want 1777", modes["tmp/"])
	}
	program := files["usr/local/bin/curpipe"]
	f, err := elf.NewFile(bytes.NewReader(program))
	if err != nil {
		t.Fatalf("the program is not an ELF file: %v", err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the program asks for a dynamic loader: it is not static")
		}
	}
	bin := filepath.Join(t.TempDir(), "curpipe")
	if err := os.WriteFile(bin, program, 0o755); err != nil {
		t.Fatal(err)
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	roots := false
	for _, d := range info.Deps {
		roots = roots || d.Path == "golang.org/x/crypto/x509roots/fallback"
	}
	if !roots {
		t.Error("the program carries no CA roots of its own, and the image has none")
	}
	usage, err := exec.Command(bin, "help").CombinedOutput()
	if err != nil || !strings.Contains(string(usage), "curpipe stream --queue URL") {
		t.Errorf("curpipe help in the image: %v\n%s", err, usage)
	}
}
