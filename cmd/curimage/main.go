// Command curimage builds curpipe's container image without a container
// engine: a static curpipe (no cgo, its CA roots built in) as the only
// program of an image with no base, running as a non-root user, written
// as a tarball that `crane push` sends to a registry and `docker load`
// reads.
//
//	go run ./cmd/curimage -o curpipe.tar [-tag curpipe:dev] [-arch amd64]
//
// The image holds /usr/local/bin/curpipe, /etc/passwd and /etc/group
// naming the user nonroot (65532), its home and /tmp. Its entrypoint is
// curpipe; give the command (stream, run, ...) as the container's
// arguments.
package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// The user the container runs as: not root, and the uid distroless and
// Chainguard images use for theirs, so that volume permissions carry over.
const (
	uid  = 65532
	user = "nonroot"
)

func main() {
	out := flag.String("o", "curpipe.tar", "the image tarball to write")
	tag := flag.String("tag", "curpipe:dev", "the image's name and tag inside the tarball")
	arch := flag.String("arch", runtime.GOARCH, "the CPU architecture to build for (amd64, arm64)")
	push := flag.String("push", "", "also push the image to this reference (REGISTRY/REPOSITORY:TAG); an ECR registry is logged in to with the AWS credentials")
	flag.Parse()
	img, err := build(*out, *tag, *arch)
	if err == nil && *push != "" {
		err = pushImage(context.Background(), img, *push)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "curimage:", err)
		os.Exit(1)
	}
}

// build compiles curpipe for linux/arch, writes its image to out and
// returns it.
func build(out, tag, arch string) (v1.Image, error) {
	ref, err := name.NewTag(tag)
	if err != nil {
		return nil, fmt.Errorf("tag %q: %w", tag, err)
	}
	dir, err := os.MkdirTemp("", "curimage-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "curpipe")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "github.com/curpipe/curpipe/cmd/curpipe")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("build curpipe for linux/%s: %w", arch, err)
	}
	img, err := image(bin, arch)
	if err != nil {
		return nil, err
	}
	if err := tarball.WriteToFile(out, ref, img); err != nil {
		return nil, fmt.Errorf("write %s: %w", out, err)
	}
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	fmt.Printf("%s: %s (%s)\n", out, ref, d)
	return img, nil
}

// image makes the image of the curpipe binary at bin.
func image(bin, arch string) (v1.Image, error) {
	program, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	files, err := layerTar(program)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(files)), nil
	})
	if err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Config = v1.Config{
		Entrypoint: []string{"/usr/local/bin/curpipe"},
		User:       fmt.Sprintf("%d:%d", uid, uid),
		WorkingDir: "/home/" + user,
		Env:        []string{"HOME=/home/" + user, "TMPDIR=/tmp"},
		Labels:     map[string]string{"org.opencontainers.image.source": "https://github.com/curpipe/curpipe"},
	}
	return mutate.ConfigFile(img, cf)
}

// layerTar is the image's one layer: the program, the user's entries and
// the folders it writes in. Times are fixed so that the same program gives
// the same layer.
func layerTar(program []byte) ([]byte, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	epoch := time.Unix(0, 0)
	entries := []struct {
		name string
		mode int64
		uid  int
		body []byte
		dir  bool
	}{
		{name: "etc/", mode: 0o755, dir: true},
		{name: "etc/passwd", mode: 0o644, body: []byte(fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:%s:/home/%s:/sbin/nologin\n", user, uid, uid, user, user))},
		{name: "etc/group", mode: 0o644, body: []byte(fmt.Sprintf("root:x:0:\n%s:x:%d:\n", user, uid))},
		{name: "home/", mode: 0o755, dir: true},
		{name: "home/" + user + "/", mode: 0o700, uid: uid, dir: true},
		{name: "tmp/", mode: 0o1777, dir: true},
		{name: "usr/", mode: 0o755, dir: true},
		{name: "usr/local/", mode: 0o755, dir: true},
		{name: "usr/local/bin/", mode: 0o755, dir: true},
		{name: "usr/local/bin/curpipe", mode: 0o755, body: program},
	}
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.uid, ModTime: epoch, Typeflag: tar.TypeReg, Size: int64(len(e.body))}
		if e.dir {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if b.Len() == 0 {
		return nil, errors.New("empty layer")
	}
	return b.Bytes(), nil
}
