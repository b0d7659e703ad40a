// The module's dependency rules, checked: stages find domain code and io
// below them, never the other way round.
package curpipe_test

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/curpipe/curpipe/"

// pkg is what go list says of a package.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs[strings.TrimPrefix(p.ImportPath, module)] = p
	}
	return pkgs
}

// TestLayout holds the rules the README's layout section states:
// domain packages import neither Beam nor the AWS SDK nor curpipe's io;
// io packages import neither Beam nor a stage; a stage imports no other
// stage (what crosses between them is element's); nothing imports a
// command.
func TestLayout(t *testing.T) {
	pkgs := listPackages(t)
	domain := []string{"transforms/cur", "transforms/curated", "transforms/alert", "transforms/anomaly", "transforms/decimal", "transforms/eventpattern", "transforms/findings", "transforms/forecast", "transforms/iampolicy", "transforms/inflate", "transforms/report", "transforms/costpage", "transforms/tabular", "transforms/totals"}
	stages := []string{"transforms/reports", "transforms/parse", "transforms/daily", "transforms/commit", "transforms/notify", "transforms/queue", "transforms/anomalies", "transforms/forecasts", "transforms/savings"}
	above := []string{"transforms/element", "pipeline", "runners"} // what io may not import either
	for _, s := range stages {
		p, ok := pkgs[s]
		if !ok {
			t.Errorf("stage package %s not found", s)
			continue
		}
		for _, dep := range p.Deps {
			if dep = strings.TrimPrefix(dep, module); dep != s && slices.Contains(stages, dep) {
				t.Errorf("the stage %s depends on the stage %s: stages share element types, not each other", s, dep)
			}
		}
	}
	for _, dep := range pkgs["transforms/element"].Deps {
		if dep = strings.TrimPrefix(dep, module); slices.Contains(stages, dep) {
			t.Errorf("transforms/element depends on the stage %s", dep)
		}
	}
	for _, d := range domain {
		p, ok := pkgs[d]
		if !ok {
			t.Errorf("domain package %s not found", d)
			continue
		}
		for _, dep := range p.Deps {
			switch {
			case strings.HasPrefix(dep, "github.com/apache/beam/"):
				t.Errorf("%s depends on Beam (%s)", d, dep)
			case strings.HasPrefix(dep, "github.com/aws/"):
				t.Errorf("%s depends on the AWS SDK (%s)", d, dep)
			case strings.HasPrefix(dep, module+"io/"):
				t.Errorf("%s depends on %s", d, strings.TrimPrefix(dep, module))
			}
		}
	}
	for name, p := range pkgs {
		for _, dep := range p.Deps {
			dep = strings.TrimPrefix(dep, module)
			if strings.HasPrefix(name, "io/") && strings.HasPrefix(dep, "github.com/apache/beam/") {
				t.Errorf("%s (io) depends on Beam (%s): io packages are plain clients", name, dep)
			}
			if strings.HasPrefix(name, "io/") {
				if slices.Contains(stages, dep) || slices.Contains(above, dep) {
					t.Errorf("%s (io) depends on %s, above it", name, dep)
				}
			}
			if strings.HasPrefix(dep, "cmd/") && commandOf(dep) != commandOf(name) {
				t.Errorf("%s depends on the command %s", name, dep)
			}
		}
	}
}

// commandOf returns the command a package belongs to ("cmd/curgen" for
// cmd/curgen/gen), or "".
func commandOf(path string) string {
	parts := strings.SplitN(path, "/", 3)
	if len(parts) < 2 || parts[0] != "cmd" {
		return ""
	}
	return parts[0] + "/" + parts[1]
}
