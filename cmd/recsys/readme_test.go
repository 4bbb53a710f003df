package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// configRows renders `recsys run`'s flags as the README's configuration table.
func configRows() []string {
	f := newFlagSet("run", func(string) string { return "" }, io.Discard)
	var c config
	c.define(f)
	var rows []string
	f.VisitAll(func(fl *flag.Flag) {
		usage, _, _ := strings.Cut(fl.Usage, " (env ")
		def := fl.DefValue
		if _, d, ok := strings.Cut(fl.Usage, "(default "); ok { // list flags print their default in the usage
			def = strings.Trim(strings.TrimSuffix(d, ")"), `"`)
		}
		rows = append(rows, fmt.Sprintf("| `--%s` | `%s` | `%s` | %s |", fl.Name, envName(fl.Name), def, usage))
	})
	return rows
}

func TestREADMEConfigurationTableMatchesTheFlags(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range configRows() {
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md lacks the row (regenerate with RECSYS_PRINT_CONFIG=1 go test -run README ./cmd/recsys):\n%s", row)
		}
	}
	if os.Getenv("RECSYS_PRINT_CONFIG") != "" {
		fmt.Println(strings.Join(configRows(), "\n"))
	}
}

func TestREADMEStartsWithTheTwoCommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(strings.SplitN(string(readme), "\n", 12), "\n")
	for _, cmd := range []string{"go run ./cmd/recsys demo", "go test -race -timeout 20m ./..."} {
		if !strings.Contains(head, cmd) {
			t.Errorf("README's first lines lack %q", cmd)
		}
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil || !strings.Contains(string(ci), "\ngo test -race -timeout 20m ./...\n") {
		t.Errorf(".ci/run does not run the README's test command")
	}
}
