package ingest_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestIngestImportsOnlyWhatTheDesignAllows keeps the stage a sibling: no
// trainer, scorer or cmd, and no external library it does not own.
func TestIngestImportsOnlyWhatTheDesignAllows(t *testing.T) {
	t.Parallel()
	allowed := []string{
		"github.com/recsys/recsys/schemas", "github.com/recsys/recsys/features", "github.com/recsys/recsys/ingest/",
		"github.com/segmentio/kafka-go", "github.com/prometheus/client_golang/", "golang.org/x/sync/errgroup",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
	imports:
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !strings.Contains(strings.Split(path, "/")[0], ".") {
				continue // standard library
			}
			for _, a := range allowed {
				if path == a || strings.HasPrefix(path, a) {
					continue imports
				}
			}
			t.Errorf("%s imports %s", name, path)
		}
	}
}
