package model

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestRestartSummary(t *testing.T) {
	now := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	oom := &Termination{Reason: "OOMKilled", ExitCode: 137, FinishedAt: now.Add(-3 * time.Minute)}
	for _, c := range []struct {
		name  string
		in    []ContainerInstance
		short bool
		want  Cell
	}{
		{"never", []ContainerInstance{{}}, false, Cell{Text: "0"}},
		{"oom", []ContainerInstance{{RestartCount: 4, LastTermination: oom}}, false, Cell{"4 OOMKilled 3m", Over}},
		{"crash loop", []ContainerInstance{{RestartCount: 7, Waiting: "CrashLoopBackOff", LastTermination: &Termination{Reason: "Error", ExitCode: 1}}}, false, Cell{"7 CrashLoopBackOff (exit 1)", Over}},
		{"crash loop, short", []ContainerInstance{{RestartCount: 7, Waiting: "CrashLoopBackOff", LastTermination: &Termination{Reason: "Error", ExitCode: 1}}}, true, Cell{"7 CrashLoop (exit 1)", Over}},
		{"image pull", []ContainerInstance{{Waiting: "ImagePullBackOff"}}, false, Cell{"0 ImagePullBackOff", Near}},
		{"across replicas", []ContainerInstance{{RestartCount: 1}, {RestartCount: 2, LastTermination: &Termination{Reason: "Completed", FinishedAt: now.Add(-time.Hour)}}}, false, Cell{"3 Completed 1h", Near}},
	} {
		if got := (Container{Instances: c.in}).RestartSummary(now, c.short); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// A probe that killed the container is red wherever it shows, as an
// OOMKill is; failures alone are yellow.
func TestProbeSummary(t *testing.T) {
	killed := Container{ProbeFailures: []ProbeFailure{{Probe: Liveness, Count: 9, Kills: 3}, {Probe: Readiness, Count: 4}}}
	if got := killed.ProbeSummary(); got != (Cell{"L✗9 k3 R✗4", Over}) || killed.ProbeFailureCount() != 13 {
		t.Errorf("%+v, %d failures", got, killed.ProbeFailureCount())
	}
	failing := Container{ProbeFailures: []ProbeFailure{{Probe: Readiness, Count: 4}}}
	if got := failing.ProbeSummary(); got != (Cell{"R✗4", Near}) {
		t.Errorf("failing, not killed: %+v", got)
	}
	if got := (Container{}).ProbeSummary(); got != (Cell{Text: "-"}) {
		t.Errorf("no failures: %+v", got)
	}
}

// Only a version go_info confirmed stands plain: a version guessed from
// an image tag is as dim as a guess from env vars.
func TestGoSummary(t *testing.T) {
	for _, c := range []struct {
		g    GoInfo
		want Cell
	}{
		{GoInfo{Detection: GoConfirmed, Version: "1.25.3"}, Cell{Text: "1.25.3"}},
		{GoInfo{Detection: GoLikely, Version: "1.16"}, Cell{"1.16?", Idle}},
		{GoInfo{Detection: GoLikely}, Cell{"go?", Idle}},
		{GoInfo{Detection: GoUnknown}, Cell{"?", Idle}},
	} {
		if got := c.g.Summary(); got != c.want {
			t.Errorf("%+v: %+v, want %+v", c.g, got, c.want)
		}
	}
}

func TestUsageSummary(t *testing.T) {
	const mi = 1 << 20
	c := Container{
		Resources: Resources{Requests: ResourceList{CPU: 250, Memory: 300 * mi}, Limits: ResourceList{CPU: 1000, Memory: 384 * mi}},
		Instances: []ContainerInstance{{Usage: &Sample{CPU: 20, Memory: 379 * mi}}, {Usage: &Sample{CPU: 190, Memory: 100 * mi}}, {}},
	}
	cpu, mem := c.UsageNow()
	if got := cpu.Summary(FormatCPU); got != (Cell{Text: "190m/250m/1"}) {
		t.Errorf("cpu: the busiest replica's: %+v", got)
	}
	if got := mem.Summary(FormatBytes); got != (Cell{"379Mi/300Mi/384Mi", Near}) {
		t.Errorf("memory past 90%% of its limit: %+v", got)
	}
	for _, c := range []struct {
		u    Usage
		want Cell
	}{
		{Usage{Used: 384, Request: 300, Limit: 384, Known: true}, Cell{"384/300/384", Over}},
		{Usage{Used: 20, Request: 250, Limit: 1000, Known: true}, Cell{"20/250/1000", Idle}},
		{Usage{Used: 0, Request: 250, Known: true}, Cell{"0/250/0", Idle}},
		{Usage{Request: 250, Limit: 1000}, Cell{"?/250/1000", Idle}},
		{Usage{Used: 500, Known: true}, Cell{Text: "500/0/0"}},
	} {
		if got := c.u.Summary(func(v int64) string { return fmt.Sprint(v) }); got != c.want {
			t.Errorf("%+v: %+v, want %+v", c.u, got, c.want)
		}
	}
}

// A runtime with no memory limit says so ("GOMEMLIMIT none"), its bytes in
// Go's units (GOMEMLIMIT's MiB, not the Mi of Kubernetes' quantities); a number the
// page did not have (-1) is left out, which is another fact (unknown).
func TestRuntimeSummary(t *testing.T) {
	r := &GoRuntime{Goroutines: 40, Threads: -1, GOMAXPROCS: 2, GOGC: 100, GOMEMLIMIT: math.MaxInt64,
		HeapAlloc: -1, HeapInuse: 5 << 20, HeapLive: -1, HeapGoal: -1, NextGC: 6 << 20, Sys: -1,
		GCPauseMax: 1213277 * time.Nanosecond, GCCycles: 29, GCCPUFraction: 0.04}
	want := "heap in use 5MiB, next GC 6MiB, GOGC 100, GOMEMLIMIT none, GOMAXPROCS 2, GC CPU 4%, GC pause max 1.213ms, GC cycles 29, goroutines 40"
	if got := strings.Join(r.Summary(), ", "); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	r.GOMEMLIMIT, r.GOMAXPROCS, r.GCPauseMax, r.GCCycles, r.GCCPUFraction = 460<<20, -1, 0, 0, -1
	want = "heap in use 5MiB, next GC 6MiB, GOGC 100, GOMEMLIMIT 460MiB, goroutines 40"
	if got := strings.Join(r.Summary(), ", "); got != want {
		t.Errorf("a runtime with a limit that has not collected yet:\ngot  %s\nwant %s", got, want)
	}
	r.GOMEMLIMIT = -1
	if got := strings.Join(r.Summary(), ", "); strings.Contains(got, "GOMEMLIMIT") {
		t.Errorf("a page without go_gc_gomemlimit_bytes: %s", got)
	}
}

func TestLabelled(t *testing.T) {
	for _, c := range []struct{ label, value, want string }{
		{"peak", "379Mi", "peak 379Mi"},
		{"restarts", "1 restart", "1 restart"},
		{"restarts", "7", "restarts 7"},
		{"OOMKilled instances", "1", "OOMKilled instances 1"},
	} {
		if got := Labelled(c.label, c.value, " "); got != c.want {
			t.Errorf("Labelled(%q, %q) = %q, want %q", c.label, c.value, got, c.want)
		}
	}
}
