package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// GOMEMLIMIT against the live heap the runtime reports.
func TestGOMEMLIMITUnderTheLiveHeap(t *testing.T) {
	week := usage(84*time.Hour, 5*time.Minute, 1, 500, steady(300, 200*mi))
	rt := func(gomemlimit, live int64) model.GoInfo {
		return model.GoInfo{Detection: model.GoConfirmed, Version: "1.24.3",
			Runtime: &model.GoRuntime{GOGC: 100, GOMEMLIMIT: gomemlimit, HeapLive: live, GCCPUFraction: 0.31}}
	}
	cases := []struct {
		name    string
		c       model.Container
		absent  bool
		change  string
		current string
		code    string
	}{
		{name: "env GOMEMLIMIT under twice the live heap", change: "app: env[GOMEMLIMIT]=460MiB", current: "150MiB",
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Usage: week, Go: rt(150*mi, 100*mi),
				Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "150MiB"}}}},
		{name: "env GOMEMLIMIT with room", absent: true,
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Usage: week, Go: rt(400*mi, 100*mi),
				Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "400MiB"}}}},
		{name: "set in code under twice the live heap", current: "150MiB (set in code)", code: "debug.SetMemoryLimit(482344960)",
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Usage: week, Go: rt(150*mi, 100*mi)}},
		{name: "no live heap on the page: no judgement", absent: true,
			c: model.Container{Resources: res(500, 256*mi, 0, 512*mi), Usage: week, Go: rt(150*mi, -1),
				Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "150MiB"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := find(AdviseWorkload(deployment(withProbes(tc.c)), Options{}), KindGOMEMLIMIT)
			if tc.absent {
				if a != nil {
					t.Fatalf("unexpected: %s", a.Reason)
				}
				return
			}
			if a == nil {
				t.Fatal("no GOMEMLIMIT advice")
			}
			if a.Severity != Warning || !strings.Contains(a.Reason, "live heap of 100MiB") || a.Current.Display != tc.current {
				t.Errorf("%s %q current %q", a.Severity, a.Reason, a.Current.Display)
			}
			var change string
			if a.Patchable() {
				change = a.Changes[0].String()
			}
			if change != tc.change || !strings.Contains(a.Code, tc.code) {
				t.Errorf("change %q code %q, want %q / %q", change, a.Code, tc.change, tc.code)
			}
		})
	}
}

// Finding 9 of the second review: a GOMEMLIMIT is as sure as what it leaves
// outside. With the runtime never read, the memory outside it is not
// measured (10% of the limit is assumed): medium, saying what to check; the
// same when it was measured on seconds of history (a live-only run).
func TestGOMEMLIMITConfidenceRestsOnTheNonGoMemory(t *testing.T) {
	for _, tc := range []struct {
		name    string
		span    time.Duration
		scraped bool
		level   Level
		note    string
	}{
		{name: "the runtime never read", span: 48 * time.Hour, level: Medium, note: "10% of the limit assumed"},
		{name: "the non-Go memory measured over two days", span: 48 * time.Hour, scraped: true, level: High},
		{name: "measured on seconds of history", span: 30 * time.Second, scraped: true, level: Medium, note: "measured on 30s of history"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := withProbes(model.Container{Resources: res(500, 512*mi, 0, 512*mi), Usage: usage(tc.span, 15*time.Second, 1, 500, steady(300, 400*mi)),
				Go: model.GoInfo{Detection: model.GoLikely}})
			if tc.scraped {
				c.Go = goRuntime("1.26.2", func(r *model.GoRuntime) { r.Sys, r.HeapReleased = 380*mi, 10*mi })
				c.Instances = []model.ContainerInstance{{Pod: "pod-a", Usage: &model.Sample{Time: t0.Add(tc.span), Memory: 400 * mi}}}
			}
			a := find(AdviseWorkload(deployment(c), Options{}), KindGOMEMLIMIT)
			switch {
			case a == nil:
				t.Fatal("no GOMEMLIMIT advice")
			case a.Confidence.Level != tc.level || !strings.Contains(a.Confidence.Note, tc.note):
				t.Errorf("confidence %s (%q), want %s with %q", a.Confidence.Level, a.Confidence.Note, tc.level, tc.note)
			}
		})
	}
}
