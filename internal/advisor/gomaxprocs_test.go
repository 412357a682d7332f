package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

func TestGOMAXPROCSAgainstWhatTheRuntimePicks(t *testing.T) {
	runtime := func(version string, procs int64) model.GoInfo {
		return model.GoInfo{Detection: model.GoConfirmed, Version: version,
			Runtime: &model.GoRuntime{Version: "go" + version, GOMAXPROCS: procs, GOGC: 100, GCCPUFraction: -1, HeapLive: -1}}
	}
	env := func(kv ...string) []model.EnvVar {
		var out []model.EnvVar
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, model.EnvVar{Name: kv[i], Value: kv[i+1]})
		}
		return out
	}
	cases := []struct {
		name   string
		c      model.Container
		sev    Severity // "" = no advice
		words  []string
		change bool
	}{
		{name: "a deliberate GOMAXPROCS=1 under a sub-core limit stays (Go 1.25 would pick 2)",
			c: model.Container{Resources: res(250, 0, 500, 0), Go: runtime("1.25.3", 1), Env: env("GOMAXPROCS", "1")}},
		{name: "GOMAXPROCS=1 set in code under a sub-core limit stays",
			c: model.Container{Resources: res(250, 0, 500, 0), Go: runtime("1.26.1", 1)}},
		{name: "Go 1.25 running 16 threads under 1500m: go.mod below 1.25 is the likely cause", sev: Warning, change: true,
			words: []string{"GOMAXPROCS=16 under a 1500m CPU limit, where it would pick 2", "go.mod says go 1.24 or older"},
			c:     model.Container{Resources: res(500, 0, 1500, 0), Go: runtime("1.25.1", 16)}},
		{name: "a GODEBUG that turns it off is named", sev: Warning, change: true, words: []string{"GODEBUG=containermaxprocs=0 turns it off"},
			c: model.Container{Resources: res(500, 0, 1500, 0), Go: runtime("1.26.1", 16), Env: env("GODEBUG", "containermaxprocs=0")}},
		{name: "Go 1.26 pinned below what it picks: code set it", sev: Info, words: []string{"automaxprocs"},
			c: model.Container{Resources: res(500, 0, 3000, 0), Go: runtime("1.26.1", 2)}},
		{name: "Go 1.26 following its limit", c: model.Container{Resources: res(500, 0, 3000, 0), Go: runtime("1.26.1", 3)}},
		{name: "no CPU limit, 64 threads for a 500m request", sev: Info, words: []string{"GOMAXPROCS=64", "500m CPU request", "near the request (2)"},
			c: model.Container{Resources: res(500, 0, 0, 0), Go: runtime("1.26.1", 64)}},
		{name: "no CPU limit, 4 threads for 2 cores", c: model.Container{Resources: res(2000, 0, 0, 0), Go: runtime("1.26.1", 4)}},
		{name: "no CPU limit and no request", c: model.Container{Go: runtime("1.26.1", 64)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := deployment(withProbes(tc.c))
			got := AdviseWorkload(w, Options{Now: t0})
			checkInvariants(t, w, got)
			a := find(got, KindGOMAXPROCS)
			if tc.sev == "" {
				if a != nil {
					t.Fatalf("unexpected: %s", a.Reason)
				}
				return
			}
			if a == nil || a.Severity != tc.sev || a.Patchable() != tc.change {
				t.Fatalf("got %+v, want %s, patchable %v", a, tc.sev, tc.change)
			}
			for _, w := range tc.words {
				if !strings.Contains(a.Reason, w) {
					t.Errorf("%q lacks %q", a.Reason, w)
				}
			}
		})
	}
}

// Go 1.25 and later follow the limit the pods run under: a raise the advice
// suggests is not a mismatch with the runtime's number today.
func TestGOMAXPROCSComparesWithTheRunningLimit(t *testing.T) {
	week := usage(84*time.Hour, 5*time.Minute, 1, 500, steady(1990, 200*mi)) // pinned at a 2-core limit
	c := model.Container{Resources: res(500, 256*mi, 2000, 512*mi), Usage: week,
		Go: model.GoInfo{Detection: model.GoConfirmed, Version: "1.26.1", Runtime: &model.GoRuntime{GOMAXPROCS: 2, GOGC: 100, GCCPUFraction: -1, HeapLive: -1}}}
	if a := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindGOMAXPROCS); a != nil {
		t.Errorf("a runtime following its 2-core limit got: %s", a.Reason)
	}
}
