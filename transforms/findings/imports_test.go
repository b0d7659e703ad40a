package findings

import (
	"os/exec"
	"strings"
	"testing"
)

// The package is domain code: it imports neither Beam, nor the AWS SDK,
// nor curpipe's io.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for dep := range strings.Lines(string(out)) {
		dep = strings.TrimSpace(dep)
		if strings.HasPrefix(dep, "github.com/apache/beam/") || strings.HasPrefix(dep, "github.com/aws/") ||
			strings.HasPrefix(dep, "github.com/curpipe/curpipe/io/") {
			t.Errorf("transforms/findings depends on %s", dep)
		}
	}
}
