package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/recsys/recsys/"

// allowed lists, per top-level package, the project packages and external
// modules its non-test code may import (DESIGN.md's package table). The
// standard library is always allowed; sub-packages share their parent's row
// and may import their own parent.
var allowed = map[string][]string{
	"schemas":  {"github.com/linkedin/goavro/v2"},
	"features": {module + "schemas", "github.com/redis/go-redis/v9", "github.com/alicebob/miniredis/v2"},
	"ingest": {module + "schemas", module + "features", "github.com/segmentio/kafka-go",
		"github.com/prometheus/client_golang", "golang.org/x/sync"},
	"trainer": {module + "schemas", module + "features", "gonum.org/v1/gonum", "gonum.org/v1/plot", "golang.org/x/sys/cpu",
		"github.com/segmentio/kafka-go", "github.com/prometheus/client_golang", "golang.org/x/sync"},
	"scorer": {module + "schemas", module + "features", "github.com/segmentio/kafka-go",
		"github.com/prometheus/client_golang", "golang.org/x/sync"},
	"cmd": {"*"}, // wires everything
}

func TestPackageGraphFollowsTheDesign(t *testing.T) {
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		top := strings.Split(filepath.ToSlash(rel), "/")[0]
		rules, ok := allowed[top]
		if !ok {
			t.Errorf("%s: top-level package %q is not in DESIGN.md's layout", rel, top)
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !importAllowed(top, p, rules) {
				t.Errorf("%s imports %s, which %s may not", rel, p, top)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func importAllowed(top, p string, rules []string) bool {
	if !strings.Contains(strings.Split(p, "/")[0], ".") {
		return true // standard library
	}
	if strings.HasPrefix(p, module+top+"/") || p == module+top {
		return true // itself and its sub-packages
	}
	for _, r := range rules {
		if r == "*" || p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}
