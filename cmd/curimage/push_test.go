package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestPush pushes an image to a registry served in the test, reads it
// back by its tag and finds the same digest and config.
func TestPush(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	bin := filepath.Join(t.TempDir(), "curpipe")
	if err := os.WriteFile(bin, []byte("#!/bin/false\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	img, err := image(bin, "amd64")
	if err != nil {
		t.Fatal(err)
	}
	ref := strings.TrimPrefix(srv.URL, "http://") + "/curpipe:v1"
	if err := pushImage(context.Background(), img, ref, name.Insecure); err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	got, err := remote.Image(tag)
	if err != nil {
		t.Fatalf("pull %s: %v", ref, err)
	}
	want, _ := img.Digest()
	if d, err := got.Digest(); err != nil || d != want {
		t.Errorf("pulled digest %v, %v; pushed %v", d, err, want)
	}
	cf, err := got.ConfigFile()
	if err != nil || cf.Config.User != "65532:65532" {
		t.Errorf("pulled config user %q, %v", cf.Config.User, err)
	}
	if err := pushImage(context.Background(), img, "not a reference"); err == nil {
		t.Error("push to a bad reference: no error")
	}
}
