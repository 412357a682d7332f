package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// TestMain keeps the tests away from the user's config file and
// environment, and lets the test binary be kgotop itself when a test runs it
// under kgotop's names (completion_test.go): KGOTOP_TEST_MAIN=1.
func TestMain(m *testing.M) {
	if os.Getenv("KGOTOP_TEST_MAIN") == "1" {
		main()
	}
	dir, err := os.MkdirTemp("", "kgotop-cmd-test")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "KGOTOP_") {
			os.Unsetenv(k)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// parseFlags parses args as the root command would, without running it,
// and returns its options (nil after --help).
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	var got *options
	c := newCLI("kgotop", io.Discard, stderr, func(o *options) error { got = o; return nil })
	c.root.SetArgs(append([]string{}, args...))
	if err := c.root.Execute(); err != nil {
		return nil, err
	}
	return got, nil
}
