package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestProgramName(t *testing.T) {
	for _, c := range []struct {
		argv0    string
		name     string
		complete bool
	}{
		{"/usr/local/bin/kgotop", "kgotop", false},
		{"./kgotop.exe", "kgotop", false},
		{"/home/u/.krew/bin/kubectl-gotop", "kubectl gotop", false},
		{"kubectl-gotop.exe", "kubectl gotop", false},
		{"/home/u/.krew/bin/kubectl_complete-gotop", "kubectl gotop", true},
		{"/tmp/go-build1/b001/exe/main", "kgotop", false},
	} {
		if name, complete := programName(c.argv0); name != c.name || complete != c.complete {
			t.Errorf("programName(%q) = %q, %v; want %q, %v", c.argv0, name, complete, c.name, c.complete)
		}
	}
}

// Called as kubectl-gotop, help and errors say `kubectl gotop`.
func TestAsKubectlPlugin(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, nil, 0o600)
	cases := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"--version"}, exitOK, "kubectl gotop dev\n", ""},
		{[]string{"--help"}, exitOK, "", "kubectl gotop: a live dashboard"},
		{[]string{"--help"}, exitOK, "", "\n  kubectl gotop --report [-o text|json|markdown] [--window 2m]  print a report and exit\n"},
		{[]string{"--bogus"}, exitUsage, "", "kubectl gotop: unknown flag: --bogus\n"},
		{[]string{"pods"}, exitUsage, "", `kubectl gotop: unexpected argument "pods" (kubectl gotop takes flags`},
		{[]string{"--report", "--kubeconfig", empty}, exitRuntime, "", "(or try `kubectl gotop --demo`)"},
		{[]string{"config", "--help"}, exitOK, "", "It takes kubectl gotop's flags too (see kubectl gotop --help)"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := runAs(t.Context(), "kubectl gotop", c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stdout.String(), c.stdout) || !strings.Contains(stderr.String(), c.stderr) ||
			strings.Contains(stderr.String(), "kgotop:") || strings.Contains(stderr.String(), "kgotop ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d, %q, %q", c.args, code, stdout.String(), stderr.String(), c.code, c.stdout, c.stderr)
		}
	}
}

// kubectl finds kubectl-gotop on the PATH and runs it.
func TestKubectlRunsThePlugin(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("no kubectl on PATH")
	}
	cmd := exec.Command(kubectl, "gotop", "--version")
	cmd.Env = kgotopOnPath(t, filepath.Join(t.TempDir(), "none"))
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "kubectl gotop dev\n" {
		t.Errorf("kubectl gotop --version: %v, %q", err, out)
	}
}

func TestVersion(t *testing.T) {
	installed := &debug.BuildInfo{Main: debug.Module{Path: "github.com/kgotop/kgotop", Version: "v1.2.3"}}
	for _, c := range []struct {
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"v2.0.0", installed, "v2.0.0"}, // a release build says its tag
		{"", installed, "v1.2.3"},       // go install module@v1.2.3
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		{"", nil, "dev"},
	} {
		if got := versionOf(c.stamped, c.bi); got != c.want {
			t.Errorf("versionOf(%q, %v) = %q, want %q", c.stamped, c.bi, got, c.want)
		}
	}
}
