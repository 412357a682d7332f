package advisor

import (
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

// Without a measure of throttling, the guess from usage at the limit still
// waits for the GOMAXPROCS fix, as issue 12 asked.
func TestReviewGuessedThrottlingStillWaitsForGOMAXPROCS(t *testing.T) {
	w, _ := throttledPricing(t)
	w.Containers[0].Past = nil
	got := AdviseWorkload(w, Options{})
	if lim := find(got, KindCPULimit); lim == nil || lim.Patchable() || lim.Severity != Info {
		t.Errorf("CPU limit: %+v", lim)
	}
}

// Finding 14: the automaxprocs note says what it would pick under a
// sub-core limit, beside what Go 1.25 picks.
func TestReviewAutomaxprocsNoteSaysWhatItPicks(t *testing.T) {
	for _, tc := range []struct {
		limit int64
		want  string
	}{
		{500, "go.uber.org/automaxprocs would pick 1 (the limit rounded down to whole cores, at least 1); 2 is what Go 1.25 picks"},
		{2000, "go.uber.org/automaxprocs picks the same 2"},
	} {
		c := model.Container{Resources: res(200, 128*mi, tc.limit, 256*mi), Usage: usage(8*time.Hour, time.Minute, 1, 200, steady(100, 100*mi)),
			Go: goRuntime("1.23.4", func(r *model.GoRuntime) { r.GOMAXPROCS = 8 })}
		a := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindGOMAXPROCS)
		if a == nil || !strings.Contains(strings.Join(a.Notes, "\n"), tc.want) {
			t.Errorf("limit %dm: %+v, want a note with %q", tc.limit, a, tc.want)
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
