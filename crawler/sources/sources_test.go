package sources_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/creatorscout/scout/crawler"
	_ "github.com/creatorscout/scout/crawler/sources"
)

const module = "github.com/creatorscout/scout/"

// TestEverySourceImported reads the packages under crawler/ and fails for
// one that calls crawler.Register but is not imported by sources.go.
func TestEverySourceImported(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "sources.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var imported []string
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		imported = append(imported, p)
	}
	dirs, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	var registering []string
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, _ := filepath.Glob(filepath.Join("..", d.Name(), "*.go"))
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "crawler.Register(") {
				registering = append(registering, module+"crawler/"+d.Name())
				break
			}
		}
	}
	if len(registering) == 0 {
		t.Fatal("found no package under crawler/ that registers a source")
	}
	for _, p := range registering {
		if !slices.Contains(imported, p) {
			t.Errorf("%s registers a source but sources.go does not import it", p)
		}
	}
	for _, p := range imported {
		if !slices.Contains(registering, p) {
			t.Errorf("sources.go imports %s, which registers no source", p)
		}
	}
	if got := len(crawler.Names()); got != len(registering) {
		t.Errorf("%d sources registered, want %d (one per package): %v", got, len(registering), crawler.Names())
	}
}
