package advisor

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// The tests here carry the numbers of the second SRE review of issue 12
// (review/issue12-review2.md) that concern the past read from Prometheus
// and the CPU limit, one per finding.

// pricing as the sandbox shows it: Go 1.23 running GOMAXPROCS 8 under a
// 1-core limit, usage pressed on the limit, and Prometheus' CFS counters
// measuring 58% of periods throttled at the P95.
func throttledPricing(t *testing.T) (model.Workload, []Advice) {
	t.Helper()
	c := model.Container{Resources: res(500, 256*mi, 1000, 512*mi),
		Usage: usage(30*time.Hour, time.Minute, 2, 500, func(i int, _ time.Time) (int64, int64) { return 850 + int64(i%3)*70, 220 * mi }),
		Go:    goRuntime("1.23.4", func(r *model.GoRuntime) { r.GOMAXPROCS = 8 }),
		Past: &model.PastEvents{Source: "Prometheus (monitoring/prometheus-operated)", Range: 8 * 24 * time.Hour,
			Throttling: &model.Throttling{Share: 0.34, P95: 0.58, Periods: 1e6}}}
	w := deployment(withProbes(c))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	return w, got
}

// Finding 6: measured throttling with a GOMAXPROCS fix in the same patch
// keeps the CPU limit's 2x step, a warning in the patch, with GOMAXPROCS
// sized to it (2 under 1 core and under 2); only the request waits.
func TestReviewMeasuredThrottlingKeepsTheLimitStepBesideGOMAXPROCS(t *testing.T) {
	w, got := throttledPricing(t)
	lim, procs, req := find(got, KindCPULimit), find(got, KindGOMAXPROCS), find(got, KindCPURequest)
	if lim == nil || lim.Severity != Warning || !lim.Patchable() || lim.Suggested.Amount != 2000 {
		t.Fatalf("CPU limit: %+v", lim)
	}
	if limitProcs(1000) != limitProcs(2000) {
		t.Fatalf("GOMAXPROCS under 1 and 2 cores: %d and %d", limitProcs(1000), limitProcs(2000))
	}
	if procs == nil || !procs.Patchable() || procs.Suggested.Amount != 2 {
		t.Fatalf("GOMAXPROCS: %+v", procs)
	}
	if req == nil || req.Patchable() || !strings.Contains(strings.Join(req.Notes, "\n"), "a lower bound: measure again after both") {
		t.Errorf("CPU request: %+v", req)
	}
	p, err := BuildPatch(w, Patchable(got))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"limits":{"cpu":"2"}`, `"name":"GOMAXPROCS","value":"2"`} {
		if !strings.Contains(string(p.Data), want) {
			t.Errorf("patch %s lacks %s", p.Data, want)
		}
	}
	if strings.Contains(string(p.Data), `"requests":{"cpu"`) {
		t.Errorf("patch %s sizes the CPU request", p.Data)
	}
}

// Finding 14: the automaxprocs note says what it would pick under a
// sub-core limit, beside what Go 1.25 picks.
func TestReviewAutomaxprocsNoteSaysWhatItPicks(t *testing.T) {
	for _, tc := range []struct {
		limit int64
		want  string
	}{
		{500, "go.uber.org/automaxprocs would pick 1 (the limit rounded down to whole cores, at least 1)"},
		{2000, "go.uber.org/automaxprocs picks the same 2"},
	} {
		c := model.Container{Resources: res(200, 128*mi, tc.limit, 256*mi), Usage: usage(8*time.Hour, time.Minute, 1, 200, steady(100, 100*mi)),
			Go: goRuntime("1.23.4", func(r *model.GoRuntime) { r.GOMAXPROCS = 8 })}
		a := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindGOMAXPROCS)
		if a == nil || !strings.Contains(strings.Join(a.Notes, "\n"), tc.want) {
			t.Errorf("limit %dm: %+v, want a note with %q", tc.limit, a, tc.want)
		}
		// Review 3, finding 13: what Go 1.25 picks is said once.
		if n := strings.Count(strings.Join(a.Notes, "\n"), "what Go 1.25 picks"); n != 1 {
			t.Errorf("limit %dm: %q says what Go 1.25 picks %d times", tc.limit, a.Notes, n)
		}
	}
}

// Finding 14: a CPU request the advice calls a lower bound is not "high".
func TestReviewALowerBoundIsNotHighConfidence(t *testing.T) {
	c := model.Container{Resources: res(500, 256*mi, 1000, 512*mi),
		Usage: usage(30*time.Hour, time.Minute, 2, 500, steady(990, 220*mi)), Go: goRuntime("1.26.1", nil)}
	req := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindCPURequest)
	if req == nil || !strings.Contains(req.Reason, "a lower bound") {
		t.Fatalf("CPU request: %+v", req)
	}
	if req.Confidence.Level == High || !strings.Contains(req.Confidence.Note, "high that it is at least this") {
		t.Errorf("confidence %+v", req.Confidence)
	}
}

// Finding 13: a peak at the limit from a saved Prometheus past is not
// contradicted by "windows at >= 95% of the limit 0 of 2": the two live
// windows say nothing of it.
func TestReviewLiveWindowsDoNotSpeakForASavedPeak(t *testing.T) {
	h := usage(2*time.Minute, time.Minute, 1, 500, steady(300, 200*mi))
	past := model.NewHistory(model.DefaultHistoryConfig)
	for i := range 2000 {
		at := t0.Add(-8*24*time.Hour + time.Duration(i)*5*time.Minute)
		past.Add("old", model.Sample{Time: at, Window: time.Minute, CPU: 700 + int64(i%3)*149, Memory: 200 * mi}, 500)
	}
	h.Backfill(model.PastUsage{Past: model.Past{Source: "Prometheus (monitoring/prometheus-operated)", First: past.First, Last: past.Last,
		Watched: past.Last.Sub(past.First), Samples: past.Samples}, CPU: past.CPU, Memory: past.Memory, Windows: 8, CPUPeak: past.CPUPeak})
	c := model.Container{Resources: res(500, 256*mi, 1000, 512*mi), Usage: h, Go: goRuntime("1.26.1", nil)}
	lim := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindCPULimit)
	if lim == nil {
		t.Fatal("no CPU limit advice")
	}
	for _, e := range lim.Evidence {
		if strings.HasPrefix(e.Label, "windows at") {
			t.Errorf("evidence %s %s beside a peak of %s from the saved past", e.Label, e.Value, formatCPU(h.CPUPeak.Value))
		}
	}
}

// storeRuntime is the Go runtime as collect folds it from Prometheus: no
// pod, the store named, what the store lacks unknown.
func storeRuntime(version string, f func(*model.GoRuntime)) model.GoInfo {
	rt := model.NewStoreRuntime("Prometheus (monitoring/prometheus-operated)", t0.Add(8*time.Hour))
	rt.Version, rt.GOGC, rt.GOMEMLIMIT = version, 100, math.MaxInt64
	if f != nil {
		f(rt)
	}
	var g model.GoInfo
	g.FromStore(rt)
	return g
}

// Finding 8: the runtime read from Prometheus drives the Go advice as a
// page does, and the advice says where it came from: orders' pool waits
// (4 a second, 0.6 s a second, over the last 10m the store scraped) raise
// the pool and hold the CPU request behind it; pricing's Go 1.23 at
// GOMAXPROCS 8 gets GOMAXPROCS 2.
func TestReviewTheGoRuntimeFromPrometheusDrivesTheGoAdvice(t *testing.T) {
	end := t0.Add(8 * time.Hour)
	orders := storeRuntime("go1.26.2", func(rt *model.GoRuntime) {
		rt.GOMAXPROCS = 2
		rt.DB = []model.DBStats{{Name: "orders", MaxOpen: 5, Open: 5, InUse: 5, Idle: 0, WaitCount: 1036800, WaitDuration: 155520 * time.Second,
			MaxIdleClosed: 86400, First: &model.DBCounters{At: end.Add(-10 * time.Minute), WaitCount: 1036800 - 2400,
				WaitDuration: (155520 - 360) * time.Second, MaxIdleClosed: 86400 - 200}}}
	})
	c := model.Container{Resources: res(250, 256*mi, 0, 512*mi), Usage: usage(8*time.Hour, time.Minute, 2, 250, steady(300, 280*mi)), Go: orders,
		Env: []model.EnvVar{{Name: "DB_MAX_OPEN_CONNS", Value: "5"}}}
	got := AdviseWorkload(deployment(withProbes(c)), Options{})
	wait := find(got, KindDBPoolWait)
	if wait == nil || !strings.Contains(wait.Reason, "over the last 10m Prometheus (monitoring/prometheus-operated) scraped") {
		t.Fatalf("pool wait advice: %+v", wait)
	}
	if !hasEvidence(wait, "Go runtime", "from Prometheus (monitoring/prometheus-operated)") {
		t.Errorf("pool evidence %+v", wait.Evidence)
	}
	if req := find(got, KindCPURequest); req == nil || req.Patchable() {
		t.Errorf("the CPU request is not held behind the pool raise: %+v", req)
	}

	pricing := storeRuntime("go1.23.4", func(rt *model.GoRuntime) { rt.GOMAXPROCS = 8 })
	c = model.Container{Resources: res(500, 256*mi, 1000, 512*mi), Usage: usage(8*time.Hour, time.Minute, 2, 500, steady(400, 220*mi)), Go: pricing}
	procs := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindGOMAXPROCS)
	if procs == nil || !procs.Patchable() || procs.Suggested.Amount != 2 || !hasEvidence(procs, "Go runtime", "from Prometheus (monitoring/prometheus-operated)") {
		t.Errorf("GOMAXPROCS: %+v", procs)
	}
}

// The memory outside the runtime the store measured sizes GOMEMLIMIT.
func TestReviewGOMEMLIMITKeepsWhatPrometheusMeasuredOutsideTheRuntime(t *testing.T) {
	g := storeRuntime("go1.26.0", func(rt *model.GoRuntime) { rt.GOMAXPROCS, rt.OutsideGo = 2, 100*mi })
	c := model.Container{Resources: res(350, 700*mi, 0, 1024*mi), Usage: usage(8*time.Hour, time.Minute, 2, 350, steady(350, 680*mi)), Go: g}
	a := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindGOMEMLIMIT)
	if a == nil || a.Suggested.Amount != gomemlimitFor(1024*mi, 100*mi) || !strings.Contains(evidenceText(a), "from Prometheus") {
		t.Fatalf("GOMEMLIMIT %+v", a)
	}
}

// Finding 8: with the Go version unknown and nothing showing throttling,
// nine containers get no GOMAXPROCS line each (UnknownGoVersions lists
// them for one line); where usage reaches the limit, the one line says
// it "can be" throttled, never "is".
func TestReviewAnUnknownGoVersionIsSaidOnceAndOnlyOnEvidence(t *testing.T) {
	w := model.Workload{Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: "api"}, Desired: 1}
	for i := range 9 {
		c := withProbes(model.Container{Name: fmt.Sprintf("c%d", i), Image: "registry.example/api:1", Resources: res(200, 128*mi, 1000, 256*mi),
			Env: []model.EnvVar{{Name: "GOGC", Value: "100"}}, Usage: usage(8*time.Hour, time.Minute, 1, 200, steady(150, 100*mi))})
		c.Go = model.DetectGo(c)
		w.Containers = append(w.Containers, c)
	}
	got := AdviseWorkload(w, Options{})
	if n := len(filter(got, KindGOMAXPROCS)); n != 0 {
		t.Errorf("%d GOMAXPROCS lines on no evidence", n)
	}
	if n := len(UnknownGoVersions(w, Options{})); n != 9 {
		t.Errorf("UnknownGoVersions lists %d of 9", n)
	}
	w.Containers[0].Usage = usage(8*time.Hour, time.Minute, 1, 200, steady(990, 100*mi))
	got = AdviseWorkload(w, Options{})
	procs := filter(got, KindGOMAXPROCS)
	if len(procs) != 1 || !strings.Contains(procs[0].Reason, "can be throttled") || strings.Contains(procs[0].Reason, "is throttled") ||
		!strings.Contains(procs[0].Reason, "usage reaches 990m") {
		t.Errorf("GOMAXPROCS with usage at the limit: %v", procs)
	}
	if n := len(UnknownGoVersions(w, Options{})); n != 8 {
		t.Errorf("UnknownGoVersions lists %d, want the 8 without evidence", n)
	}
}

func hasEvidence(a *Advice, label, value string) bool {
	for _, e := range a.Evidence {
		if e.Label == label && e.Value == value {
			return true
		}
	}
	return false
}

func evidenceText(a *Advice) string {
	var s []string
	for _, e := range a.Evidence {
		s = append(s, e.Label+" "+e.Value)
	}
	return strings.Join(s, "; ")
}

func filter(as []Advice, kind Kind) []Advice {
	var out []Advice
	for _, a := range as {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

// ingest as the sandbox shows it: Go 1.26 read from Prometheus, no
// GOMEMLIMIT, a 256Mi limit it was OOMKilled at 9 times in the past, two
// minutes watched live, and the trend growth says of its working set.
func pastIngest(growth *model.Growth) model.Container {
	c := model.Container{Resources: res(100, 200*mi, 500, 256*mi), Usage: usage(2*time.Minute, 15*time.Second, 1, 100, steady(80, 150*mi)),
		Go: storeRuntime("go1.26.2", func(rt *model.GoRuntime) { rt.GOMAXPROCS = 2 }),
		Past: &model.PastEvents{Source: "Prometheus (monitoring/prometheus-operated)", Range: 8 * 24 * time.Hour, OOMKills: 9, MemoryPeak: 256 * mi,
			Restarts: 9, LastReasons: map[string]int64{"OOMKilled": 2}, Growth: growth}}
	c.Instances = []model.ContainerInstance{{Pod: "ingest-a", Ready: true}}
	return c
}

// Finding 5: a leak the Prometheus past shows is seen before kgotop
// watched a run itself: the growth advice speaks, the limit raise says it
// buys time, and GOMEMLIMIT stays out of the patch.
func TestReviewALeakIsSeenInThePrometheusPast(t *testing.T) {
	leaking := &model.Growth{PerHour: 40 * float64(mi), Tail: 39 * float64(mi), Climbing: 0.67, Over: 24 * time.Hour}
	w := deployment(withProbes(pastIngest(leaking)))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	l := find(got, KindMemoryLeak)
	if l == nil || !strings.Contains(l.Reason, "the median of its hourly slopes over the last 24h, 67% of them climbing, from Prometheus") {
		t.Fatalf("leak advice: %+v\n%s", l, describeAll(got))
	}
	if lim := find(got, KindMemoryLimit); lim == nil || !strings.Contains(strings.Join(lim.Notes, "\n"), "a higher limit buys time, not a fix") {
		t.Errorf("limit: %+v", lim)
	}
	if g := find(got, KindGOMEMLIMIT); g == nil || g.Patchable() || !strings.Contains(strings.Join(g.Notes, "\n"), "fix the growth first") {
		t.Errorf("GOMEMLIMIT: %+v", g)
	}
}

// Finding 5: until the growth is judged either way, an OOMKilled
// container's GOMEMLIMIT stays out of its patch; a flat trend judges it.
func TestReviewGOMEMLIMITWaitsUntilGrowthIsJudged(t *testing.T) {
	g := find(AdviseWorkload(deployment(withProbes(pastIngest(nil))), Options{}), KindGOMEMLIMIT)
	if g == nil || g.Patchable() || !strings.Contains(strings.Join(g.Notes, "\n"), "not in the patch: growth unknown: watch 30m") {
		t.Errorf("growth unknown: %+v", g)
	}
	flat := &model.Growth{PerHour: 0.2 * float64(mi), Tail: -1 * float64(mi), Climbing: 0.5, Over: 24 * time.Hour}
	got := AdviseWorkload(deployment(withProbes(pastIngest(flat))), Options{})
	if g := find(got, KindGOMEMLIMIT); g == nil || !g.Patchable() {
		t.Errorf("a flat trend: %+v", g)
	}
	if l := find(got, KindMemoryLeak); l != nil {
		t.Errorf("a flat trend reads as a leak: %s", l.Reason)
	}
	// Never OOMKilled: nothing to wait for.
	c := pastIngest(nil)
	c.Past.OOMKills, c.Past.LastReasons = 0, nil
	c.Usage = usage(2*time.Minute, 15*time.Second, 1, 100, steady(80, 200*mi))
	if g := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindGOMEMLIMIT); g == nil || !g.Patchable() {
		t.Errorf("never OOMKilled: %+v", g)
	}
}
