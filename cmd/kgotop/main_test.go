package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExitCodesAndMessages(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken")
	os.WriteFile(broken, []byte("garbage: ["), 0o600)
	unreachable := filepath.Join(dir, "unreachable")
	os.WriteFile(unreachable, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
contexts: [{name: x, context: {cluster: c, namespace: shop}}]
current-context: x
`), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)

	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"version", []string{"--version"}, 0, "kgotop ", ""},
		{"help", []string{"--help"}, 0, "", "--report"},
		{"unknown flag", []string{"--bogus"}, 2, "", "unknown flag: --bogus"},
		{"stray argument", []string{"pods"}, 2, "", `unexpected argument "pods"`},
		{"bad output", []string{"--report", "-o", "yaml"}, 2, "", `unknown output format "yaml"`},
		{"-n with -A", []string{"-n", "x", "-A"}, 2, "", "exclude each other"},
		{"bad --fail-on", []string{"--report", "--fail-on", "severe"}, 2, "", "--fail-on: severity \"severe\""},
		{"no terminal, no report", []string{"--kubeconfig", unreachable}, 2, "", "use --report"},
		{"broken kubeconfig", []string{"--report", "--kubeconfig", broken}, 1, "", "reading kubeconfig"},
		{"empty kubeconfig", []string{"--report", "--kubeconfig", empty}, 1, "", "no cluster configured"},
		{"unreachable server", []string{"--report", "--kubeconfig", unreachable}, 1, "", "cannot reach the API server at https://127.0.0.1:1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), c.args, &stdout, &stderr)
			if code != c.code || !strings.Contains(stdout.String(), c.stdout) || !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d with %q / %q", code, stdout.String(), stderr.String(), c.code, c.stdout, c.stderr)
			}
			if strings.Contains(stderr.String(), "goroutine ") {
				t.Errorf("stack trace on stderr: %s", stderr.String())
			}
		})
	}
}

// Ctrl+C before anything is shown ends kgotop quietly, with the shell's
// code for an interrupt.
func TestInterruptIsQuiet(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"--demo", "--report", "--no-history"}, &stdout, &stderr); code != exitInterrupted || stderr.Len() > 0 {
		t.Errorf("exit %d, stderr %q; want %d and nothing said", code, stderr.String(), exitInterrupted)
	}
}
