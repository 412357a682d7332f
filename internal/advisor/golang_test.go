package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

func TestGoRules(t *testing.T) {
	goInfo := func(version string, rt *model.GoRuntime) model.GoInfo {
		return model.GoInfo{Detection: model.GoConfirmed, Version: version, Runtime: rt}
	}
	rt := func(f func(*model.GoRuntime)) *model.GoRuntime {
		r := &model.GoRuntime{GOGC: 100, GOMEMLIMIT: -1, HeapLive: -1, GCCPUFraction: -1}
		if f != nil {
			f(r)
		}
		return r
	}
	week := usage(84*time.Hour, 5*time.Minute, 1, 500, steady(300, 200*mi))
	cases := []struct {
		name     string
		c        model.Container
		kind     Kind
		absent   bool
		sev      Severity
		env      string // expected "NAME=value" or "-NAME" change
		reason   string
		requires bool
	}{
		{name: "no GOMEMLIMIT under a limit", kind: KindGOMEMLIMIT, sev: Info, env: "GOMEMLIMIT=460MiB",
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Go: goInfo("1.24.1", nil), Usage: week}},
		{name: "GOMEMLIMIT follows a raised limit", kind: KindGOMEMLIMIT, sev: Warning, env: "GOMEMLIMIT=320MiB", requires: true,
			c: model.Container{Resources: res(500, 256*mi, 0, 256*mi), Go: goInfo("1.24.1", nil),
				Instances: []model.ContainerInstance{oomInstance("pod-a")}, Usage: week}},
		{name: "GOMEMLIMIT from the downward API is the whole limit", kind: KindGOMEMLIMIT, sev: Warning, env: "GOMEMLIMIT=460MiB",
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Go: goInfo("1.24.1", nil), Usage: week,
				Env: []model.EnvVar{{Name: "GOMEMLIMIT", From: &model.EnvSource{Kind: model.EnvResourceField, Resource: "limits.memory"}}}}},
		{name: "GOMEMLIMIT from the downward API in Mi is read as bytes", kind: KindGOMEMLIMIT, sev: Critical, env: "GOMEMLIMIT=460MiB",
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Go: goInfo("1.24.1", nil), Usage: week,
				Env: []model.EnvVar{{Name: "GOMEMLIMIT", From: &model.EnvSource{Kind: model.EnvResourceField, Resource: "limits.memory", Divisor: "1Mi"}}}}},
		{name: "GOMEMLIMIT from a ConfigMap is not ours to read", kind: KindGOMEMLIMIT, absent: true,
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Go: goInfo("1.24.1", nil), Usage: week,
				Env: []model.EnvVar{{Name: "GOMEMLIMIT", From: &model.EnvSource{Kind: model.EnvConfigMapKey, Name: "go", Key: "limit"}}}}},
		{name: "GOMEMLIMIT=0 runs the GC all the time", kind: KindGOMEMLIMIT, sev: Critical, env: "GOMEMLIMIT=460MiB",
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Go: goInfo("1.24.1", nil), Usage: week,
				Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "0"}}}},
		{name: "GOMEMLIMIT above the limit", kind: KindGOMEMLIMIT, sev: Warning, env: "GOMEMLIMIT=460MiB",
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Go: goInfo("1.24.1", nil), Usage: week,
				Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "1GiB"}}}},
		{name: "GOMEMLIMIT malformed", kind: KindGOMEMLIMIT, sev: Critical, env: "GOMEMLIMIT=460MiB",
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Go: goInfo("1.24.1", nil), Usage: week,
				Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "512Mi"}}}},
		{name: "GOMEMLIMIT fine", kind: KindGOMEMLIMIT, absent: true,
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Go: goInfo("1.24.1", nil), Usage: week,
				Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "450MiB"}}}},
		{name: "GOMEMLIMIT set in code", kind: KindGOMEMLIMIT, absent: true,
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Usage: week,
				Go: goInfo("1.24.1", rt(func(r *model.GoRuntime) { r.GOMEMLIMIT = 400 * mi }))}},
		{name: "GOMEMLIMIT on Go 1.16 does nothing", kind: KindGOMEMLIMIT, sev: Info, reason: "arrived in Go 1.19",
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Go: goInfo("1.16", nil), Usage: week,
				Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "460MiB"}}}},
		{name: "GOMEMLIMIT not for old Go", kind: KindGOMEMLIMIT, absent: true,
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Go: goInfo("1.16", nil), Usage: week}},
		{name: "not Go: no Go advice", kind: KindGOMEMLIMIT, absent: true,
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Usage: week}},

		{name: "GOGC off without a memory limit", kind: KindGOGC, sev: Critical, env: "-GOGC",
			c: model.Container{Go: goInfo("1.24", nil), Env: []model.EnvVar{{Name: "GOGC", Value: "off"}}}},
		{name: "GOGC off with GOMEMLIMIT close to the limit", kind: KindGOGC, sev: Warning, env: "-GOGC",
			c: model.Container{Resources: res(500, 256*mi, 0, 240*mi), Go: goInfo("1.24", nil), Usage: week,
				Env: []model.EnvVar{{Name: "GOGC", Value: "off"}, {Name: "GOMEMLIMIT", Value: "200MiB"}}}},
		{name: "GOGC=-1 is off too", kind: KindGOGC, sev: Critical, env: "-GOGC",
			c: model.Container{Go: goInfo("1.24", nil), Env: []model.EnvVar{{Name: "GOGC", Value: "-1"}}}},
		{name: "GOGC=OFF is not off: Go runs 100", kind: KindGOGC, sev: Warning, env: "-GOGC", reason: "runs 100",
			c: model.Container{Go: goInfo("1.24", nil), Env: []model.EnvVar{{Name: "GOGC", Value: "OFF"}}}},
		{name: "GOGC=0 collects all the time", kind: KindGOGC, sev: Warning, env: "-GOGC", reason: "near-constantly",
			c: model.Container{Go: goInfo("1.24", nil), Env: []model.EnvVar{{Name: "GOGC", Value: "0"}}}},
		{name: "GOGC off with GOMEMLIMIT and room", kind: KindGOGC, absent: true,
			c: model.Container{Resources: res(500, 256*mi, 0, 1024*mi), Go: goInfo("1.24", nil), Usage: week,
				Env: []model.EnvVar{{Name: "GOGC", Value: "off"}, {Name: "GOMEMLIMIT", Value: "900MiB"}}}},
		{name: "env GOGC the runtime does not run", kind: KindGOGC, sev: Info, reason: "runtime runs 100",
			c: model.Container{Go: goInfo("1.24", rt(nil)), Env: []model.EnvVar{{Name: "GOGC", Value: "50"}}}},
		{name: "env GOGC the runtime runs", kind: KindGOGC, absent: true,
			c: model.Container{Go: goInfo("1.24", rt(func(r *model.GoRuntime) { r.GOGC = 50 })), Env: []model.EnvVar{{Name: "GOGC", Value: "50"}}}},
		{name: "GOGC garbage", kind: KindGOGC, sev: Warning, env: "-GOGC",
			c: model.Container{Go: goInfo("1.24", nil), Env: []model.EnvVar{{Name: "GOGC", Value: "fifty"}}}},
		{name: "GC eats CPU with memory room", kind: KindGOGC, sev: Info, env: "GOGC=200",
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Usage: week,
				Go: goInfo("1.24", rt(func(r *model.GoRuntime) { r.GCCPUFraction = 0.4 }))}},
		{name: "GC eats CPU near the limit", kind: KindGOGC, sev: Warning, reason: "raise the limit",
			c: model.Container{Resources: res(500, 256*mi, 0, 300*mi), Usage: week,
				Go: goInfo("1.24", rt(func(r *model.GoRuntime) { r.GCCPUFraction = 0.4 }))}},

		{name: "Go 1.24 with a CPU limit: its cores rounded up", kind: KindGOMAXPROCS, sev: Warning, env: "GOMAXPROCS=3",
			c: model.Container{Resources: res(500, 0, 2500, 0), Go: goInfo("1.24.3", nil)}},
		{name: "Go 1.25 needs nothing", kind: KindGOMAXPROCS, absent: true,
			c: model.Container{Resources: res(500, 0, 2500, 0), Go: goInfo("go1.25.0", nil)}},
		{name: "Go 2.0 needs nothing", kind: KindGOMAXPROCS, absent: true,
			c: model.Container{Resources: res(500, 0, 2500, 0), Go: goInfo("2.0", nil)}},
		{name: "sub-core limit gives two, as Go 1.25 picks", kind: KindGOMAXPROCS, sev: Warning, env: "GOMAXPROCS=2",
			c: model.Container{Resources: res(100, 0, 500, 0), Go: goInfo("1.21", nil)}},
		{name: "unknown version only informs, with no patch", kind: KindGOMAXPROCS, sev: Info, reason: "only stops the runtime",
			c: model.Container{Resources: res(500, 0, 2000, 0), Go: model.GoInfo{Detection: model.GoLikely},
				Past: &model.PastEvents{Source: "Prometheus", Throttling: &model.Throttling{P95: 0.3, Share: 0.1, Periods: 1e5}}}},
		{name: "unknown version and no sign of throttling: said once for all, not here", kind: KindGOMAXPROCS, absent: true,
			c: model.Container{Resources: res(500, 0, 2000, 0), Go: model.GoInfo{Detection: model.GoLikely}}},
		{name: "unknown version, measured not throttled", kind: KindGOMAXPROCS, absent: true,
			c: model.Container{Resources: res(500, 0, 2000, 0), Go: model.GoInfo{Detection: model.GoLikely},
				Past: &model.PastEvents{Source: "Prometheus", Throttling: &model.Throttling{P95: 0.01, Periods: 1e5}}}},
		{name: "unknown version, runtime above the limit", kind: KindGOMAXPROCS, sev: Warning, env: "GOMAXPROCS=2",
			c: model.Container{Resources: res(500, 0, 2000, 0), Go: model.GoInfo{Detection: model.GoConfirmed,
				Runtime: rt(func(r *model.GoRuntime) { r.GOMAXPROCS = 16 })}}},
		{name: "unknown version, runtime within the limit", kind: KindGOMAXPROCS, absent: true,
			c: model.Container{Resources: res(500, 0, 2000, 0), Go: model.GoInfo{Detection: model.GoConfirmed,
				Runtime: rt(func(r *model.GoRuntime) { r.GOMAXPROCS = 2 })}}},
		{name: "env above the limit on old Go", kind: KindGOMAXPROCS, sev: Warning, env: "GOMAXPROCS=2",
			c: model.Container{Resources: res(500, 0, 2000, 0), Go: goInfo("1.24", nil), Env: []model.EnvVar{{Name: "GOMAXPROCS", Value: "8"}}}},
		{name: "env above the limit on Go 1.25: set it right (dropping it needs a go 1.25 go.mod)", kind: KindGOMAXPROCS, sev: Warning, env: "GOMAXPROCS=2",
			c: model.Container{Resources: res(500, 0, 2000, 0), Go: goInfo("1.25", nil), Env: []model.EnvVar{{Name: "GOMAXPROCS", Value: "8"}}}},
		{name: "env within the limit on Go 1.25 pins the runtime: said, not patched (it depends on the go.mod)", kind: KindGOMAXPROCS, sev: Info, reason: "follow the limit",
			c: model.Container{Resources: res(500, 0, 2000, 0), Go: goInfo("1.25.3", nil), Env: []model.EnvVar{{Name: "GOMAXPROCS", Value: "2"}}}},
		{name: "env within the limit on old Go is a choice", kind: KindGOMAXPROCS, absent: true,
			c: model.Container{Resources: res(500, 0, 2000, 0), Go: goInfo("1.23", nil), Env: []model.EnvVar{{Name: "GOMAXPROCS", Value: "1"}}}},
		{name: "Go 1.25 whose runtime ignores the limit (go.mod < 1.25)", kind: KindGOMAXPROCS, sev: Warning, env: "GOMAXPROCS=2", reason: "go.mod",
			c: model.Container{Resources: res(500, 0, 1500, 0), Go: goInfo("1.25.1", rt(func(r *model.GoRuntime) { r.GOMAXPROCS = 16 }))}},
		{name: "Go 1.25 whose runtime follows the limit", kind: KindGOMAXPROCS, absent: true,
			c: model.Container{Resources: res(500, 0, 1500, 0), Go: goInfo("1.25.1", rt(func(r *model.GoRuntime) { r.GOMAXPROCS = 2 }))}},
		{name: "env from the limit", kind: KindGOMAXPROCS, absent: true,
			c: model.Container{Resources: res(500, 0, 2000, 0), Go: goInfo("1.20", nil), Env: []model.EnvVar{{Name: "GOMAXPROCS", From: &model.EnvSource{Kind: model.EnvResourceField, Resource: "limits.cpu"}}}}},
		{name: "no CPU limit, nothing", kind: KindGOMAXPROCS, absent: true,
			c: model.Container{Resources: res(500, 0, 0, 0), Go: goInfo("1.20", nil)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := deployment(withProbes(tc.c))
			got := AdviseWorkload(w, Options{Now: t0.Add(7 * 24 * time.Hour)})
			checkInvariants(t, w, got)
			a := find(got, tc.kind)
			if tc.absent {
				if a != nil {
					t.Fatalf("unexpected %s: %s", tc.kind, a.Reason)
				}
				return
			}
			if a == nil {
				t.Fatalf("no %s advice; got %v", tc.kind, kinds(got))
			}
			if a.Severity != tc.sev {
				t.Errorf("severity %s, want %s (%s)", a.Severity, tc.sev, a.Reason)
			}
			if !strings.Contains(a.Reason, tc.reason) {
				t.Errorf("reason %q lacks %q", a.Reason, tc.reason)
			}
			if tc.env != "" {
				if len(a.Changes) != 1 || a.Changes[0].Env == nil {
					t.Fatalf("changes %+v, want env %s", a.Changes, tc.env)
				}
				e := a.Changes[0].Env
				got := e.Name + "=" + e.Value
				if e.Remove {
					got = "-" + e.Name
				}
				if got != tc.env {
					t.Errorf("change %s, want %s", got, tc.env)
				}
			}
			if (len(a.Requires) > 0) != tc.requires {
				t.Errorf("requires %v, want %v", a.Requires, tc.requires)
			}
		})
	}
}

func TestParseGoBytes(t *testing.T) {
	for in, want := range map[string]int64{"435MiB": 435 * mi, "1GiB": 1 << 30, "1024": 1024, "10B": 10, "2KiB": 2048, "1TiB": 1 << 40,
		"0": 0, "+5MiB": 5 * mi} {
		if got, err := parseGoBytes(in); err != nil || got != want {
			t.Errorf("parseGoBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	// What the runtime throws on at start (runtime.parseByteCount).
	for _, in := range []string{"512Mi", "1.5GiB", "-1", "MiB", " 1GiB", "1GiB ", "1gib", "OFF", "99999999999TiB", "1PiB", "iB", "1iB"} {
		if _, err := parseGoBytes(in); err == nil || err == errOff {
			t.Errorf("parseGoBytes(%q) accepted", in)
		}
	}
	for _, in := range []string{"off", ""} {
		if _, err := parseGoBytes(in); err != errOff {
			t.Errorf("%q: %v, want no limit", in, err)
		}
	}
	for b, want := range map[int64]string{435 * mi: "435MiB", 2 << 30: "2GiB", 1000: "1000B"} {
		if got := formatGoBytes(b); got != want {
			t.Errorf("formatGoBytes(%d) = %q, want %q", b, got, want)
		}
	}
}

func TestFormatQuantities(t *testing.T) {
	for m, want := range map[int64]string{250: "250m", 1000: "1", 1500: "1500m", 10: "10m"} {
		if got := formatCPU(m); got != want {
			t.Errorf("formatCPU(%d) = %q, want %q", m, got, want)
		}
	}
	for b, want := range map[int64]string{484 * mi: "484Mi", 2 << 30: "2Gi", 500_000_000: "500M", 1 << 40: "1Ti", 1536: "1536", 4096: "4Ki"} {
		if got := formatMemory(b); got != want {
			t.Errorf("formatMemory(%d) = %q, want %q", b, got, want)
		}
	}
}
