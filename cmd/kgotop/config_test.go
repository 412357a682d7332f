package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/advisor"
)

// writeConfig writes $XDG_CONFIG_HOME/kgotop/config.yaml in a folder of the test's own.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	path := filepath.Join(dir, "kgotop", "config.yaml")
	if yaml == "" {
		return path
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const teamConfig = `# a team's defaults
advisor:
  memoryQoS: guaranteed
  cpuLimits: remove
  sizingMin: 6h
  safetyMargin: 0.25
  cpuFloor: 20m
  memoryFloor: 128Mi
metrics:
  port: [9090, http-admin]
dashboard:
  theme: light
`

// Precedence is default < config file < environment < flag, setting by setting.
func TestConfigPrecedence(t *testing.T) {
	cases := []struct {
		name string
		file string
		env  map[string]string
		args []string
		want func(o *options) []any // what the settings came to
		from map[string]string      // setting -> kind of source
	}{
		{
			name: "defaults alone",
			want: func(o *options) []any {
				return []any{o.advisor.MemoryQoS, o.advisor.CPULimits, o.advisor.SizingMin, o.advisor.CPUFloor, o.theme}
			},
			from: map[string]string{"memory-qos": "default", "cpu-limits": "default", "theme": "default"},
		},
		{
			name: "the file over the defaults",
			file: teamConfig,
			want: func(o *options) []any {
				return []any{o.advisor.MemoryQoS, o.advisor.CPULimits, o.advisor.SizingMin, o.advisor.CPUFloor, o.advisor.MemoryFloor,
					o.advisor.SafetyMargin, strings.Join(o.metricsPorts, ","), o.theme, o.metricsPath}
			},
			from: map[string]string{"memory-qos": "file", "metrics-port": "file", "theme": "file", "metrics-path": "default"},
		},
		{
			name: "the environment over the file",
			file: teamConfig,
			env:  map[string]string{"KGOTOP_CPU_LIMITS": "keep", "KGOTOP_METRICS_PORT": "2112,admin", "KGOTOP_PATCH_LOW_CONFIDENCE": "true"},
			want: func(o *options) []any {
				return []any{o.advisor.MemoryQoS, o.advisor.CPULimits, strings.Join(o.metricsPorts, ","), o.advisor.PatchLowConfidence}
			},
			from: map[string]string{"memory-qos": "file", "cpu-limits": "environment", "metrics-port": "environment", "patch-low-confidence": "environment"},
		},
		{
			name: "a flag over the environment and the file",
			file: teamConfig,
			env:  map[string]string{"KGOTOP_CPU_LIMITS": "keep", "KGOTOP_SIZING_MIN": "1h"},
			args: []string{"--cpu-limits", "remove", "--memory-qos", "burstable", "--metrics-port", "8080"},
			want: func(o *options) []any {
				return []any{o.advisor.MemoryQoS, o.advisor.CPULimits, o.advisor.SizingMin, strings.Join(o.metricsPorts, ",")}
			},
			from: map[string]string{"memory-qos": "flag", "cpu-limits": "flag", "sizing-min": "environment", "metrics-port": "flag", "theme": "file"},
		},
		{
			name: "a flag-only setting ignores the environment",
			env:  map[string]string{"KGOTOP_WIDTH": "80", "KGOTOP_SEED": "7"},
			want: func(o *options) []any { return []any{o.width, o.seed} },
			from: map[string]string{"width": "default", "seed": "default"},
		},
	}
	wants := [][]any{
		{advisor.MemoryAuto, advisor.CPULimitsKeep, 3 * time.Hour, int64(10), "default"},
		{advisor.MemoryGuaranteed, advisor.CPULimitsRemove, 6 * time.Hour, int64(20), int64(128 << 20), 0.25, "9090,http-admin", "light", "/metrics"},
		{advisor.MemoryGuaranteed, advisor.CPULimitsKeep, "2112,admin", true},
		{advisor.MemoryBurstable, advisor.CPULimitsRemove, time.Hour, "8080"},
		{0, uint64(1)},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			writeConfig(t, c.file)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var stderr bytes.Buffer
			o, err := parseFlags(append([]string{"--report"}, c.args...), &stderr)
			if err != nil || stderr.Len() > 0 {
				t.Fatalf("err %v, stderr %q", err, stderr.String())
			}
			if got := c.want(o); !slices.Equal(got, wants[i]) {
				t.Errorf("settings %v, want %v", got, wants[i])
			}
			for name, kind := range c.from {
				if got := o.sources[name].kind; got != kind {
					t.Errorf("--%s came from %q, want %q", name, got, kind)
				}
			}
		})
	}
}

// A broken file is one line naming the file, the line and the key; none of
// it applies, the defaults do, and kgotop runs on.
func TestBrokenConfig(t *testing.T) {
	cases := []struct{ name, file, says string }{
		{"not YAML", "advisor:\n  memoryQoS: guaranteed\n cpuLimits: keep\n", "config.yaml: yaml: line 2: did not find expected key"},
		{"an unknown key", "advisor:\n  cpuLimits: remove\n  memoryQos: guaranteed\n", "config.yaml:3: unknown key advisor.memoryQos (did you mean advisor.memoryQoS?)"},
		{"a key of no setting", "prometheus:\n  url: http://x\n", "config.yaml:2: unknown key prometheus.url (`kgotop config view` lists the keys)"},
		{"a bad choice", "advisor:\n  cpuLimits: remove\n  memoryQoS: besteffort\n", `config.yaml:3: advisor.memoryQoS: memory QoS "besteffort": want auto, burstable or guaranteed`},
		{"a bad duration", "advisor:\n  sizingMin: three hours\n", `config.yaml:2: advisor.sizingMin: time: invalid duration "three hours"`},
		{"a value its check refuses", "advisor:\n  sizingMin: 0s\n", "config.yaml:2: advisor.sizingMin: must be positive, got 0s"},
		{"a bad quantity", "advisor:\n  memoryFloor: lots\n", `config.yaml:2: advisor.memoryFloor: want a positive quantity (10m of CPU, 100Mi of memory), got "lots"`},
		{"a list for one value", "metrics:\n  path: [/a, /b]\n", "config.yaml:2: metrics.path: takes one value, not a list"},
		{"a mapping for one value", "dashboard:\n  theme:\n    name: light\n", "config.yaml:3: unknown key dashboard.theme.name"},
		{"a list at the top", "- theme\n", "config.yaml:1: want a mapping of keys to values"},
		{"a bad port in a list", "advisor:\n  cpuLimits: remove\nmetrics:\n  port: [9090, 0]\n", `config.yaml:4: metrics.port: "0" is neither a port number`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			writeConfig(t, c.file)
			var stderr bytes.Buffer
			o, err := parseFlags([]string{"--report"}, &stderr)
			if err != nil {
				t.Fatalf("a broken file stopped kgotop: %v", err)
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "kgotop: config ") || !strings.Contains(msg, c.says) ||
				!strings.HasSuffix(msg, "the file is ignored and the defaults apply\n") {
				t.Errorf("stderr %q, want one line saying %q", msg, c.says)
			}
			if o.advisor.CPULimits != advisor.CPULimitsKeep || o.advisor.MemoryQoS != advisor.MemoryAuto || o.sources["cpu-limits"] != fromDefault {
				t.Errorf("the broken file's valid lines applied: %+v", o.advisor)
			}
		})
	}
}

func TestConfigOtherwhere(t *testing.T) {
	writeConfig(t, "advisor:\n  cpuLimits: remove\n") // the default path, overridden below
	team := filepath.Join(t.TempDir(), "team.yaml")
	os.WriteFile(team, []byte("advisor:\n  memoryQoS: guaranteed\n"), 0o600)

	o, err := parseFlags([]string{"--report", "--config", team}, &bytes.Buffer{})
	if err != nil || o.advisor.MemoryQoS != advisor.MemoryGuaranteed || o.advisor.CPULimits != advisor.CPULimitsKeep {
		t.Errorf("--config: %v, %+v", err, o)
	}
	t.Setenv("KGOTOP_CONFIG", team)
	if o, err := parseFlags([]string{"--report"}, &bytes.Buffer{}); err != nil || o.advisor.MemoryQoS != advisor.MemoryGuaranteed {
		t.Errorf("KGOTOP_CONFIG: %v", err)
	}
	// A file named on purpose must be there.
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"--report", "--config", team + ".missing"}, &stdout, &stderr); code != exitUsage ||
		!strings.Contains(stderr.String(), "team.yaml.missing does not exist") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// A bad environment variable is bad usage, named like a flag.
func TestBadEnvironment(t *testing.T) {
	t.Setenv("KGOTOP_MEMORY_QOS", "besteffort")
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"--demo", "--report"}, &stdout, &stderr); code != exitUsage ||
		stderr.String() != "kgotop: KGOTOP_MEMORY_QOS: memory QoS \"besteffort\": want auto, burstable or guaranteed\n" {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}
