package advisor

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// The memory rule raises a limit for a live heap that would crowd
// GOMEMLIMIT; the GOMEMLIMIT rule, run on that limit, must find it enough,
// whatever the rounding.
func TestLimitForLiveHoldsTheHeap(t *testing.T) {
	for _, nonGo := range []int64{0, 300 * mi} {
		for _, live := range []int64{1, mi - 1, mi, 100 * mi, 300_000_000, 9 * mi, 1<<30 + 7, 10 << 30} {
			l := limitForLive(live, nonGo)
			if l%mi != 0 || liveShare*float64(gomemlimitFor(l, nonGo)) < float64(live) {
				t.Errorf("live %d, non-Go %d: limit %d gives GOMEMLIMIT %d", live, nonGo, l, gomemlimitFor(l, nonGo))
			}
			if below := l - mi; below > 0 && liveShare*float64(gomemlimitFor(below, nonGo)) >= float64(live) {
				t.Errorf("live %d, non-Go %d: limit %d is not the least (%d holds it)", live, nonGo, l, below)
			}
		}
	}
	// The case that showed it: a live heap of 300,000,000 B.
	week := usage(84*time.Hour, 5*time.Minute, 1, 500, steady(300, 500*mi))
	c := model.Container{Resources: res(500, 600*mi, 0, 600*mi), Usage: week,
		Go: model.GoInfo{Detection: model.GoConfirmed, Version: "1.25.3", Runtime: &model.GoRuntime{HeapLive: 500_000_000, GOGC: 100, GCCPUFraction: -1}}}
	got := AdviseWorkload(deployment(withProbes(c)), Options{})
	lim, gml := find(got, KindMemoryLimit), find(got, KindGOMEMLIMIT)
	if lim == nil || gml == nil {
		t.Fatalf("want a raised limit and a GOMEMLIMIT; got %v", kinds(got))
	}
	if liveShare*float64(gml.Suggested.Amount) < 500_000_000 {
		t.Errorf("GOMEMLIMIT %s for limit %s leaves the live heap over 80%% of it", gml.Suggested.Display, lim.Suggested.Display)
	}
	// Applied, the next run finds nothing to add.
	c.Resources.Limits.Memory = lim.Suggested.Amount
	if r := find(got, KindMemoryRequest); r != nil {
		c.Resources.Requests.Memory = r.Suggested.Amount
	}
	c.Env = []model.EnvVar{{Name: "GOMEMLIMIT", Value: gml.Changes[0].Env.Value}}
	again := AdviseWorkload(deployment(withProbes(c)), Options{})
	for _, k := range []Kind{KindMemoryLimit, KindGOMEMLIMIT, KindMemoryRequest} {
		if a := find(again, k); a != nil {
			t.Errorf("after applying, %s again: %s", k, a.Reason)
		}
	}
}

func TestProbeChangesClaimTheirFields(t *testing.T) {
	w := deployment(model.Container{Name: "app", Probes: model.Probes{Startup: &model.Probe{Handler: model.ProbeHandler{TCPSocket: &model.TCPSocketAction{Port: model.PortRef{Number: 8080}}}, PeriodSeconds: 5, FailureThreshold: 6}}})
	probe := func(id string, set map[string]any) Advice {
		return Advice{ID: id, Target: Target{Kind: w.Ref.Kind, Namespace: w.Ref.Namespace, Name: w.Ref.Name, Container: "app"},
			Reason: id, Changes: []Change{{Container: "app", Probe: &ProbeChange{Probe: model.Startup, Set: set}}}}
	}
	length := probe("startup", map[string]any{"periodSeconds": 5, "failureThreshold": 60})
	timeout := probe("timeout", map[string]any{"timeoutSeconds": 3})
	p, err := BuildPatch(w, []Advice{length, timeout})
	if err != nil {
		t.Fatalf("two rules tuning one probe: %v", err)
	}
	if !strings.Contains(string(p.Data), `"timeoutSeconds":3`) || !strings.Contains(string(p.Data), `"failureThreshold":60`) {
		t.Errorf("patch %s lacks a field", p.Data)
	}
	if _, err := BuildPatch(w, []Advice{length, probe("other", map[string]any{"failureThreshold": 30})}); err == nil {
		t.Error("two values for startupProbe.failureThreshold made a patch")
	}
}

// Item 5: a container Guaranteed today (requests = limits) stays so when
// resized, unless the person picks Burstable, and is then told what it costs.
func TestGuaranteedStaysGuaranteed(t *testing.T) {
	week := usage(84*time.Hour, 5*time.Minute, 1, 1500, steady(50, 50*mi))
	c := model.Container{Resources: res(1500, 1<<30, 1500, 1<<30), Usage: week}
	w := deployment(withProbes(c))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	for _, pair := range [][2]Kind{{KindCPURequest, KindCPULimit}, {KindMemoryRequest, KindMemoryLimit}} {
		req, lim := find(got, pair[0]), find(got, pair[1])
		if req == nil || lim == nil || req.Suggested.Amount != lim.Suggested.Amount {
			t.Fatalf("%s and %s do not move together: %+v / %+v", pair[0], pair[1], req, lim)
		}
		if len(req.Requires) != 1 || req.Requires[0] != lim.ID || len(lim.Requires) != 1 || lim.Requires[0] != req.ID {
			t.Errorf("%s and %s should require each other: %v / %v", pair[0], pair[1], req.Requires, lim.Requires)
		}
	}
	// 50Mi steady: request = limit = max(P90 x 1.15, peak x 1.15), floored at 100Mi.
	if m := find(got, KindMemoryLimit); m.Suggested.Amount != 100*mi {
		t.Errorf("memory %s, want 100Mi", m.Suggested.Display)
	}
	// A patch of the request alone would make the pods Burstable: refused as a pair.
	if p, err := BuildPatch(w, []Advice{*find(got, KindCPURequest)}); !errors.Is(err, ErrNoChanges) || len(p.Warnings) != 1 {
		t.Errorf("the CPU request without its limit: %v %q", err, p.Warnings)
	}

	got = AdviseWorkload(w, Options{MemoryQoS: MemoryBurstable})
	a := find(got, KindCPURequest)
	if a == nil || find(got, KindCPULimit) != nil || !strings.Contains(strings.Join(a.Notes, " "), "Burstable") {
		t.Fatalf("--memory-qos burstable: the request alone, with a note: %+v", a)
	}
	c.Resources.Limits.CPU = 2000 // Burstable already: no note
	a = find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindCPURequest)
	if a == nil || strings.Contains(strings.Join(a.Notes, " "), "Guaranteed") {
		t.Fatalf("a Burstable pod is told about Guaranteed: %+v", a)
	}
}

func TestHPAShiftIsNoSurerThanTheRequestItRestsOn(t *testing.T) {
	hour := usage(4*time.Hour, time.Minute, 1, 1000, steady(100, 100*mi)) // medium: under a day
	w := deployment(withProbes(model.Container{Resources: res(1000, 0, 0, 0), Usage: hour}))
	w.HPA = &model.HPA{Name: "api", MinReplicas: 2, MaxReplicas: 10, CurrentReplicas: 4,
		Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 60, CurrentUtilization: 10}}}
	got := AdviseWorkload(w, Options{})
	req, shift := find(got, KindCPURequest), find(got, KindHPAShift)
	if req == nil || shift == nil {
		t.Fatalf("got %v", kinds(got))
	}
	if req.Confidence.Level != Medium || shift.Confidence != req.Confidence {
		t.Errorf("request confidence %+v, shift %+v", req.Confidence, shift.Confidence)
	}
}

// A crash-looping container gets no sizing, so nothing may rest on it.
func TestCrashLoopLeavesNoDanglingRequires(t *testing.T) {
	week := usage(84*time.Hour, 5*time.Minute, 1, 500, steady(990, 100*mi)) // throttled at its limit
	c := model.Container{Resources: res(500, 128*mi, 1000, 256*mi), Usage: week,
		Go:        model.GoInfo{Detection: model.GoConfirmed, Version: "1.23.4"},
		Instances: []model.ContainerInstance{{Pod: "pod-a", Waiting: "CrashLoopBackOff", RestartCount: 9}}}
	w := deployment(withProbes(c))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	if a := find(got, KindGOMAXPROCS); a == nil || a.Suggested.Display != "2" || len(a.Requires) != 0 {
		t.Errorf("GOMAXPROCS should follow the limit in force (1 core: 2) and require nothing: %+v", a)
	}
}

// Leaving out advice that others are sized to leaves them out too, and a
// patch never makes a container the API server or the runtime would refuse.
func TestPatchLeavesOutWhatRestsOnLeftOutAdvice(t *testing.T) {
	week := usage(84*time.Hour, 5*time.Minute, 1, 100, steady(50, 250*mi))
	c := model.Container{Resources: res(100, 200*mi, 0, 256*mi), Usage: week,
		Go:        model.GoInfo{Detection: model.GoConfirmed, Version: "1.25.3"},
		Instances: []model.ContainerInstance{oomInstance("pod-a")}}
	w := deployment(withProbes(c))
	all := Patchable(AdviseWorkload(w, Options{}))
	lim, gml, req := find(all, KindMemoryLimit), find(all, KindGOMEMLIMIT), find(all, KindMemoryRequest)
	if lim == nil || gml == nil || req == nil {
		t.Fatalf("want limit, GOMEMLIMIT and request advice; got %v", kinds(all))
	}
	var without []Advice
	for _, a := range all {
		if a.Kind != KindMemoryLimit {
			without = append(without, a)
		}
	}
	p, err := BuildPatch(w, without)
	if err != nil && !errors.Is(err, ErrNoChanges) {
		t.Fatalf("without the limit: %v", err)
	}
	for _, id := range p.Advice {
		if id == gml.ID || id == req.ID && req.Suggested.Amount > 256*mi {
			t.Errorf("%s is in a patch without the limit it is sized to", id)
		}
	}
	if !strings.Contains(strings.Join(p.Warnings, "\n"), "GOMEMLIMIT left out: it needs the memory limit change") {
		t.Errorf("warnings %q", p.Warnings)
	}

	// Advice with no Requires that still breaks the container is refused.
	bad := *gml
	bad.Requires = nil
	if _, err := BuildPatch(w, []Advice{bad}); !errors.Is(err, ErrInconsistent) {
		t.Errorf("GOMEMLIMIT %s over a 256Mi limit: %v", bad.Suggested.Display, err)
	}
	// What was wrong before the patch is not the patch's fault.
	w.Containers[0].Env = []model.EnvVar{{Name: "GOMEMLIMIT", Value: "1GiB"}}
	cpu := Advice{ID: "cpu", Target: lim.Target, Kind: KindCPURequest, Reason: "x",
		Changes: []Change{setResource("app", Requests, CPU, 200)}}
	if _, err := BuildPatch(w, []Advice{cpu}); err != nil {
		t.Errorf("a CPU change on a container whose GOMEMLIMIT was already too high: %v", err)
	}
}

// Between back-offs the kubelet reports a crash-looping container Running
// for a moment; its advice must not drop from critical and back each time,
// and says it restarts in a loop (the kubelet does not say CrashLoopBackOff
// of a running, maybe ready, container: second review, finding 14).
func TestACrashLoopStaysCriticalBetweenBackOffs(t *testing.T) {
	now := t0.Add(time.Hour)
	in := model.ContainerInstance{Pod: "pod-a", RestartCount: 40, StartedAt: now.Add(-2 * time.Second),
		LastTermination: &model.Termination{Reason: "Error", ExitCode: 1, StartedAt: now.Add(-3*time.Minute - 2*time.Second), FinishedAt: now.Add(-3 * time.Minute)}}
	w := deployment(withProbes(model.Container{Instances: []model.ContainerInstance{in}}))
	a := find(AdviseWorkload(w, Options{Now: now}), KindRestarts)
	if a == nil || a.Severity != Critical || !strings.Contains(a.Reason, "restarting in a loop (40 restarts") || strings.Contains(a.Reason, "CrashLoopBackOff") {
		t.Fatalf("running 2s after its 40th failure: %+v", a)
	}
	if !TimeSensitive(w, now) {
		t.Error("advice that changes once the run lasts is not time-sensitive")
	}
	later := now.Add(crashWindow)
	if a := find(AdviseWorkload(w, Options{Now: later}), KindRestarts); a == nil || a.Severity != Warning {
		t.Errorf("up for %s: %+v, want a warning", crashWindow, a)
	}
	if TimeSensitive(w, later) {
		t.Error("a run past the crash window keeps the advice time-sensitive")
	}
	// Restart counts never reset: a pod that restarted 40 times last month and
	// failed once now, after a week up, is restarting, not crash-looping.
	in.LastTermination.StartedAt = now.Add(-7 * 24 * time.Hour)
	w = deployment(withProbes(model.Container{Instances: []model.ContainerInstance{in}}))
	if a := find(AdviseWorkload(w, Options{Now: now}), KindRestarts); a == nil || a.Severity == Critical {
		t.Errorf("one failure after a week up: %+v", a)
	}
}

// A lowered limit and the GOMEMLIMIT sized to it go together: either left
// out leaves the other out.
func TestALoweredLimitGoesWithItsGOMEMLIMIT(t *testing.T) {
	week := usage(7*24*time.Hour, 5*time.Minute, 1, 500, steady(100, 200*mi))
	c := model.Container{Resources: res(500, 256*mi, 0, 1<<30), Usage: week,
		Go:  model.GoInfo{Detection: model.GoConfirmed, Version: "1.25.3"},
		Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "900MiB"}}}
	w := deployment(withProbes(c))
	all := Patchable(AdviseWorkload(w, Options{}))
	lim, gml := find(all, KindMemoryLimit), find(all, KindGOMEMLIMIT)
	if lim == nil || gml == nil || lim.Suggested.Amount >= 1<<30 {
		t.Fatalf("want a lowered limit and its GOMEMLIMIT; got %v", kinds(all))
	}
	p, err := BuildPatch(w, []Advice{*lim})
	if !errors.Is(err, ErrNoChanges) || len(p.Warnings) != 1 {
		t.Errorf("the lowered limit alone: %v, warnings %q", err, p.Warnings)
	}
	if _, err := BuildPatch(w, []Advice{*lim, *gml}); err != nil {
		t.Errorf("the two together: %v", err)
	}
	// With no GOMEMLIMIT in the env, nothing sits above the new limit: the
	// limit goes alone.
	w.Containers[0].Env = nil
	all = Patchable(AdviseWorkload(w, Options{}))
	if lim = find(all, KindMemoryLimit); lim == nil || len(lim.Requires) != 0 {
		t.Fatalf("lowered limit with no GOMEMLIMIT set: %+v", lim)
	}
	if _, err := BuildPatch(w, []Advice{*lim}); err != nil {
		t.Errorf("the lowered limit alone: %v", err)
	}
}

// A template with limits and no requests gives pods requests equal to the
// limits: a patch that moves a limit pins the request, so it does not move
// with it (an HPA's threshold, the node's reservation).
func TestALimitChangePinsARequestTheTemplateLeavesOut(t *testing.T) {
	c := model.Container{Name: "app", Resources: model.Resources{
		Requests: model.ResourceList{CPU: 1000, Memory: 512 * mi},
		Limits:   model.ResourceList{CPU: 1000, Memory: 512 * mi},
		Implied:  model.ResourceFlags{CPU: true, Memory: true},
	}}
	w := deployment(c)
	at := Target{Kind: w.Ref.Kind, Namespace: w.Ref.Namespace, Name: w.Ref.Name, Container: "app"}
	raise := Advice{ID: "cpu", Target: at, Kind: KindCPULimit, Reason: "x", Changes: []Change{setResource("app", Limits, CPU, 1500)}}
	lower := Advice{ID: "mem", Target: at, Kind: KindMemoryLimit, Reason: "x", Changes: []Change{setResource("app", Limits, Memory, 300*mi)}}
	p, err := BuildPatch(w, []Advice{raise, lower})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"requests":{"cpu":"1","memory":"300Mi"}`, `"limits":{"cpu":"1500m","memory":"300Mi"}`} {
		if !strings.Contains(string(p.Data), want) {
			t.Errorf("patch %s lacks %s", p.Data, want)
		}
	}
	if len(p.Warnings) != 2 {
		t.Errorf("warnings %q, want one per pinned request", p.Warnings)
	}
	// A request the advice sets itself is not pinned over.
	req := Advice{ID: "req", Target: at, Kind: KindCPURequest, Reason: "x", Changes: []Change{setResource("app", Requests, CPU, 200)}}
	if p, err = BuildPatch(w, []Advice{raise, req}); err != nil || !strings.Contains(string(p.Data), `"requests":{"cpu":"200m"}`) {
		t.Errorf("with its own request: %s, %v", p.Data, err)
	}
}

// Item 3: a GOMAXPROCS fix changes how much CPU the runtime uses, so the
// CPU is not sized in the same patch: the CPU advice stays to read, with why,
// and GOMAXPROCS is sized to the limit the container has. Usage close to
// the limit (P99 900m + 15% passes 1 core) but never at it is sizing.
func TestAGOMAXPROCSFixDefersCPUSizing(t *testing.T) {
	week := usage(84*time.Hour, 5*time.Minute, 1, 500, steady(900, 200*mi)) // close to its 1-core limit
	c := model.Container{Resources: res(500, 256*mi, 1000, 512*mi), Usage: week,
		Go: model.GoInfo{Detection: model.GoConfirmed, Version: "1.23.4", Runtime: &model.GoRuntime{GOMAXPROCS: 8, GOGC: 100, GCCPUFraction: -1, HeapLive: -1}}}
	w := deployment(withProbes(c))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	procs := find(got, KindGOMAXPROCS)
	if procs == nil || procs.Suggested.Display != "2" || len(procs.Requires) != 0 || !procs.Patchable() {
		t.Fatalf("GOMAXPROCS to the 1-core limit in force: %+v", procs)
	}
	for _, k := range []Kind{KindCPULimit, KindCPURequest} {
		a := find(got, k)
		if a == nil || a.Patchable() || a.Severity != Info || !strings.Contains(strings.Join(a.Notes, " "), "GOMAXPROCS change") {
			t.Errorf("%s should stay, out of the patch, saying why: %+v", k, a)
		} else if !strings.HasPrefix(a.KeptOut, "the GOMAXPROCS change") {
			t.Errorf("%s kept out says %q, want why in KeptOut for the dashboard", k, a.KeptOut)
		}
	}
	// Usage at the limit in every window is throttling shown: the limit's
	// step is relief and stays in the patch (review 3, finding 1); the
	// request still waits.
	c.Usage = usage(84*time.Hour, 5*time.Minute, 1, 500, steady(990, 200*mi))
	got = AdviseWorkload(deployment(withProbes(c)), Options{})
	if lim := find(got, KindCPULimit); lim == nil || !lim.Patchable() || lim.Severity != Warning || lim.Suggested.Amount != 2000 {
		t.Errorf("the CPU limit at the limit in every window: %+v", lim)
	}
	if req := find(got, KindCPURequest); req == nil || req.Patchable() {
		t.Errorf("the CPU request beside GOMAXPROCS: %+v", req)
	}
	// With GOMAXPROCS already right, the CPU is sized: usage sits at the
	// limit, so the limit doubles.
	c.Env = []model.EnvVar{{Name: "GOMAXPROCS", Value: "2"}}
	c.Go.Runtime.GOMAXPROCS = 2
	got = AdviseWorkload(deployment(withProbes(c)), Options{})
	if lim := find(got, KindCPULimit); lim == nil || !lim.Patchable() || lim.Suggested.Amount != 2000 {
		t.Errorf("the CPU limit once GOMAXPROCS is fixed: %+v", lim)
	}
}

// A crash-looping container keeps only the memory advice an OOMKill (or a
// crowded heap) calls for: its usage says nothing of the program's needs.
func TestCrashLoopSizesNoMemoryFromHistory(t *testing.T) {
	week := usage(84*time.Hour, 5*time.Minute, 1, 300, steady(200, 300*mi))
	c := model.Container{Resources: res(300, 512*mi, 1000, 1<<30), Usage: week,
		Instances: []model.ContainerInstance{{Pod: "pod-a", Waiting: "CrashLoopBackOff", RestartCount: 9,
			LastTermination: &model.Termination{Reason: "Error", ExitCode: 2}}}}
	got := AdviseWorkload(deployment(withProbes(c)), Options{})
	for _, k := range []Kind{KindMemoryLimit, KindMemoryRequest, KindCPURequest} {
		if a := find(got, k); a != nil {
			t.Errorf("crash loop: %s %s", k, a.Reason)
		}
	}
	c.Instances[0].LastTermination.Reason = "OOMKilled"
	if a := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindMemoryLimit); a == nil || a.Severity != Critical {
		t.Errorf("an OOMKill loop keeps its limit raise: %+v", a)
	}
}
