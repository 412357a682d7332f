package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// config view prints every key with its value in force and where it came
// from, as a config file that reads back to the same values.
func TestConfigView(t *testing.T) {
	path := writeConfig(t, teamConfig)
	t.Setenv("KGOTOP_SIZING_MIN", "2h")
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"config", "view", "--cpu-limits", "keep"}, &stdout, &stderr); code != exitOK || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"# config file: " + path + " (read)",
		"  memoryQoS: guaranteed # file, line 3\n",
		"  cpuLimits: keep # flag --cpu-limits\n",
		"  sizingMin: 2h0m0s # environment KGOTOP_SIZING_MIN\n",
		"  port: [9090, http-admin] # file, line 10\n",
		"  path: /metrics # default\n",
		"  theme: light # file, line 12\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("config view lacks %q:\n%s", want, out)
		}
	}
	for _, s := range (&options{}).settings() {
		if s.key != "" && !strings.Contains(out, " "+s.key[strings.LastIndex(s.key, ".")+1:]+": ") {
			t.Errorf("config view lacks %s:\n%s", s.key, out)
		}
	}

	// What it printed is a config file that sets what was in force.
	back := &configFile{path: filepath.Join(t.TempDir(), "view.yaml")}
	os.WriteFile(back.path, stdout.Bytes(), 0o600)
	if err := back.read(); err != nil {
		t.Fatalf("config view's output does not read back: %v", err)
	}
	for key, want := range map[string]string{"advisor.memoryQoS": "guaranteed", "advisor.cpuLimits": "keep", "advisor.sizingMin": "2h0m0s", "dashboard.theme": "light"} {
		if got := back.values[key].text; got != want {
			t.Errorf("read back %s = %q, want %q", key, got, want)
		}
	}
	if got := back.values["metrics.port"].list; strings.Join(got, ",") != "9090,http-admin" {
		t.Errorf("read back metrics.port = %v", got)
	}
}

// A broken file shows in config view too: the defaults, and why.
func TestConfigViewOfABrokenFile(t *testing.T) {
	writeConfig(t, "advisor:\n  cpuLimits: drop\n")
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"config", "view"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stdout.String(), `(ignored: config `) || !strings.Contains(stdout.String(), "  cpuLimits: keep # default\n") ||
		strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("stdout:\n%s\nstderr: %q", stdout.String(), stderr.String())
	}
}

// Every config key, its variable and its flag are in the README's table.
func TestReadmeDocumentsEveryKey(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-zA-Z.]+)` \\| `--([a-z-]+)` \\| `(KGOTOP_[A-Z_]+)` \\|")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = m[2] + " " + m[3]
	}
	keys := 0
	for _, s := range (&options{}).settings() {
		if s.key == "" {
			continue
		}
		keys++
		if got, want := documented[s.key], s.name+" "+s.env(); got != want {
			t.Errorf("README's config table: %s is %q, want a row | `%s` | `--%s` | `%s` |", s.key, got, s.key, s.name, s.env())
		}
	}
	if len(documented) != keys {
		t.Errorf("README documents %d keys, kgotop has %d", len(documented), keys)
	}
}

// Every setting is a flag of the command line, with its shorthand, and
// only the kubectl-standard flags are added to them.
func TestSettingsAreTheFlags(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	o := newOptions("kgotop", fs)
	kube := pflag.NewFlagSet("kube", pflag.ContinueOnError)
	o.kube.AddFlags(kube)
	n := 0
	for _, s := range o.settings() {
		f := fs.Lookup(s.name)
		if f == nil || f.Shorthand != s.short || f.Usage != s.usage {
			t.Errorf("setting %s is not its flag: %+v", s.name, f)
		}
		n++
	}
	kube.VisitAll(func(*pflag.Flag) { n++ })
	if got := strings.Count(fs.FlagUsages(), "\n"); got != n {
		t.Errorf("%d flags, want %d", got, n)
	}
}
