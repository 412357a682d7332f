package advisor

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// The tests here carry the numbers of issue 12 ("advice an expert would
// apply as printed"), one per item.

func goRuntime(version string, f func(*model.GoRuntime)) model.GoInfo {
	rt := &model.GoRuntime{Pod: "pod-a", Version: version, GOGC: 100, GOMEMLIMIT: -1, HeapLive: -1, HeapGoal: -1, NextGC: -1,
		Sys: -1, MemTotal: -1, HeapReleased: -1, GOMAXPROCS: 2, GCCPUFraction: -1}
	if f != nil {
		f(rt)
	}
	return model.GoInfo{Detection: model.GoConfirmed, Version: version, Runtime: rt}
}

func changeOf(a *Advice) string {
	if a == nil || !a.Patchable() {
		return ""
	}
	var s []string
	for _, ch := range a.Changes {
		s = append(s, ch.String())
	}
	return strings.Join(s, ", ")
}

// Item 1: the heap goal follows the GOGC the runtime runs, and a GOMEMLIMIT
// below it is a normal mode; only a live heap near it is trouble.
func TestItem1HeapGoalFollowsGOGC(t *testing.T) {
	week := usage(week, 5*time.Minute, 1, 500, steady(300, 700*mi))
	base := model.Container{Resources: res(500, 800*mi, 0, 1<<30), Usage: week,
		Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "900MiB"}, {Name: "GOGC", Value: "50"}}}
	// GOGC 50, live heap 480Mi, GOMEMLIMIT 900MiB, limit 1Gi: the goal is 720Mi, nothing is wrong.
	c := base
	c.Go = goRuntime("1.25.3", func(r *model.GoRuntime) { r.GOGC, r.HeapLive = 50, 480*mi })
	w := deployment(withProbes(c))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	for _, k := range []Kind{KindMemoryLimit, KindGOMEMLIMIT} {
		if a := find(got, k); a != nil {
			t.Errorf("GOGC 50, live 480Mi: unexpected %s: %s", k, a.Reason)
		}
	}
	// A live heap at 84% of GOMEMLIMIT is: the GC runs several times as
	// often as GOGC asks (380MiB of growth allowed, 140MiB left: 2.7x).
	c.Go = goRuntime("1.25.3", func(r *model.GoRuntime) { r.GOGC, r.HeapLive = 50, 760*mi })
	got = AdviseWorkload(deployment(withProbes(c)), Options{})
	g := find(got, KindGOMEMLIMIT)
	if g == nil || g.Severity != Warning || !strings.Contains(g.Reason, "84% of GOMEMLIMIT 900MiB: the GC runs about 2.7 times as often as GOGC 50 asks") {
		t.Fatalf("live heap 760Mi under GOMEMLIMIT 900MiB: %+v", g)
	}
	var goal string
	for _, e := range g.Evidence {
		if strings.HasPrefix(e.Label, "heap goal") {
			goal = e.Label + " " + e.Value
		}
	}
	if goal != "heap goal (live heap x (1 + GOGC 50/100)) 1.1GiB" {
		t.Errorf("goal evidence %q", goal)
	}
	// go_gc_heap_goal_bytes, when scraped, is the goal.
	c.Go = goRuntime("1.25.3", func(r *model.GoRuntime) { r.GOGC, r.HeapLive, r.HeapGoal = 50, 480*mi, 700*mi })
	if l := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindMemoryLimit); l != nil {
		t.Errorf("with the scraped goal: %s", l.Reason)
	}
}

// Item 2: GOMEMLIMIT leaves room for the memory that is not the Go
// runtime's, and an env GOMEMLIMIT follows a raised limit in the same patch.
func TestItem2GOMEMLIMITLeavesRoomForNonGoMemory(t *testing.T) {
	// Working set 900Mi with the Go runtime at 400Mi under a 1Gi limit.
	week := usage(week, 5*time.Minute, 1, 500, steady(300, 900*mi))
	c := model.Container{Resources: res(500, 1<<30, 0, 1<<30), Usage: week,
		Go:        goRuntime("1.25.3", func(r *model.GoRuntime) { r.Sys, r.HeapReleased = 420*mi, 20*mi }),
		Instances: []model.ContainerInstance{{Pod: "pod-a", Usage: &model.Sample{Time: t0.Add(week.Span()), Memory: 900 * mi}}}}
	w := deployment(withProbes(c))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	lim, g := find(got, KindMemoryLimit), find(got, KindGOMEMLIMIT)
	if lim == nil || g == nil {
		t.Fatalf("want a limit and a GOMEMLIMIT; got %v", kinds(got))
	}
	// 1178Mi - (500Mi outside the runtime + 5% of the limit) = 619MiB, not 1060MiB.
	if g.Suggested.Display != "619MiB" || lim.Suggested.Display != "1178Mi" {
		t.Errorf("limit %s, GOMEMLIMIT %s; want 1178Mi and 619MiB", lim.Suggested.Display, g.Suggested.Display)
	}
	if ev := evidence(g, "outside the Go runtime"); ev != "500MiB = working set 900Mi - 400MiB the runtime maps (go_memstats_sys_bytes less heap released)" {
		t.Errorf("evidence says %q", ev)
	}
	// Without the runtime's total, 10% of the limit is kept, and it says so.
	c.Go.Runtime.HeapReleased = -1
	g = find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindGOMEMLIMIT)
	if g == nil || g.Suggested.Display != "1060MiB" || !strings.Contains(evidence(g, "kept outside GOMEMLIMIT"), "10% of the limit") {
		t.Errorf("without go_memstats_heap_released_bytes: %+v", g)
	}

	// A StatefulSet with GOMEMLIMIT=230MiB OOMKilled at 256Mi, peak 250Mi:
	// the limit goes to the VPA's step over the peak, 350Mi, and GOMEMLIMIT
	// with it, to 315MiB, in the same patch.
	s := model.Container{Resources: res(100, 200*mi, 0, 256*mi), Usage: usage(week.Span(), 5*time.Minute, 1, 100, steady(50, 250*mi)),
		Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "230MiB"}}, Go: goRuntime("1.25.3", nil),
		Instances: []model.ContainerInstance{oomInstance("pod-a")}}
	sw := deployment(withProbes(s))
	sw.Ref.Kind = model.KindStatefulSet
	got = AdviseWorkload(sw, Options{})
	checkInvariants(t, sw, got)
	p, err := BuildPatch(sw, Patchable(got))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"limits":{"memory":"350Mi"}`, `{"name":"GOMEMLIMIT","value":"315MiB"}`} {
		if !strings.Contains(string(p.Data), want) {
			t.Errorf("patch %s lacks %s", p.Data, want)
		}
	}
}

func evidence(a *Advice, label string) string {
	for _, e := range a.Evidence {
		if e.Label == label {
			return e.Value
		}
	}
	return ""
}

// Item 3: usage pinned at the CPU limit is censored: a real step (or the
// limit's removal) and "measure again", never 15% more a rollout.
func TestItem3CPUAtTheLimitIsCensored(t *testing.T) {
	pinned := func(lim int64) model.Container {
		h := usage(week, 5*time.Minute, 2, 500, spiky(lim*97/100, lim, 200*mi, 200*mi))
		return model.Container{Resources: res(500, 256*mi, lim, 512*mi), Usage: h}
	}
	c := pinned(1000)
	w := deployment(withProbes(c))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	l := find(got, KindCPULimit)
	if l == nil || l.Suggested.Amount != 2000 || !strings.Contains(l.Reason, "likely throttled") ||
		!strings.Contains(l.Reason, "in 100% of the samples over the 7d of history") /* the ring holds its last 39h55m only */ || !strings.Contains(l.Reason, "measure again") || l.Held {
		t.Fatalf("CPU limit at its limit: %+v", l)
	}
	if r := find(got, KindCPURequest); r == nil || !strings.Contains(r.Reason, "a lower bound") {
		t.Errorf("a request sized from censored usage: %+v", r)
	}
	// Applied, and usage sits at the new limit again: one more real step,
	// not the 1000m -> 1150m -> 1323m -> 1522m -> 1751m walk.
	next := pinned(2000)
	next.Resources.Requests.CPU = find(got, KindCPURequest).Suggested.Amount
	if l := find(AdviseWorkload(deployment(withProbes(next)), Options{}), KindCPULimit); l == nil || l.Suggested.Amount != 4000 {
		t.Errorf("pinned at 2 cores: %+v", l)
	}
	// On the same data, applied: nothing more.
	c.Resources.Limits.CPU = 2000
	if l := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindCPULimit); l != nil {
		t.Errorf("after the step, on the same data: %s", l.Reason)
	}
	// --cpu-limits remove takes the limit away.
	got = AdviseWorkload(w, Options{CPULimits: CPULimitsRemove})
	if l := find(got, KindCPULimit); l == nil || changeOf(l) != "app: resources.limits.cpu removed" {
		t.Errorf("--cpu-limits remove: %+v", l)
	}
	p, err := BuildPatch(w, Patchable(got))
	if err != nil || !strings.Contains(string(p.Data), `"limits":{"cpu":null}`) {
		t.Errorf("removal patch %s: %v", p.Data, err)
	}
}

// Item 4: the GC CPU limiter caps GC at half of GOMAXPROCS x wall time, the
// whole quota under a small limit; and GOMEMLIMIT stays out of the patch of
// a container whose memory climbs like a leak.
func TestItem4GCLimiterAndLeaks(t *testing.T) {
	c := model.Container{Resources: res(250, 256*mi, 500, 512*mi), Usage: usage(week, 5*time.Minute, 1, 250, steady(100, 200*mi)),
		Go: goRuntime("1.25.3", nil), Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "100KiB"}}}
	g := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindGOMEMLIMIT)
	if g == nil || !strings.Contains(g.Reason, "half of GOMAXPROCS x wall time: with GOMAXPROCS 2, that is a core, the whole 500m limit") {
		t.Errorf("GOMEMLIMIT=100KiB: %+v", g)
	}
	h := ring(480, func(i int) int64 { return 120*mi + int64(i)*mi/4 })
	leaky := model.Container{Resources: res(100, 200*mi, 0, 256*mi), Usage: h, Go: goRuntime("1.25.3", nil),
		Instances: []model.ContainerInstance{oomInstance("pod-a")}}
	got := AdviseWorkload(deployment(withProbes(leaky)), Options{PatchLowConfidence: true})
	if g := find(got, KindGOMEMLIMIT); g == nil || g.Patchable() || !strings.Contains(strings.Join(g.Notes, " "), "not in the patch") {
		t.Errorf("GOMEMLIMIT for a leaking container: %+v", g)
	}
}

// Item 5: memory request and limit move together.
func TestItem5RequestAndLimitMoveTogether(t *testing.T) {
	cases := []struct {
		name                 string
		req, lim, used       int64
		oom                  bool
		opts                 Options
		wantReq, wantLim     int64
		wantGOMEMLIMIT, note string
	}{
		// A limit that comes down with the request goes no lower than the
		// upper bound (4 x 104Mi on 8 hours) under a day of history (second
		// review, finding 12), and the request to half of it.
		{name: "a request cut 4Gi -> 207Mi takes the 8Gi limit down to the upper bound", req: 4 << 30, lim: 8 << 30, used: 90 * mi,
			wantReq: 207 * mi, wantLim: 414 * mi},
		// Not min(2 x 137Mi, upper 548Mi) = 274Mi on 8 hours: the upper
		// bound, and the request to half of it; GOMEMLIMIT 548 - 10%.
		{name: "1Gi -> 274Mi takes the 2Gi limit to 548Mi and GOMEMLIMIT 1800MiB down", req: 1 << 30, lim: 2 << 30, used: 119 * mi,
			wantReq: 274 * mi, wantLim: 548 * mi, wantGOMEMLIMIT: "493MiB"},
		// The VPA's step over max(request, peak) is 200Mi, under the 256Mi
		// limit the kill shows the memory reached: a real step over it,
		// +15%, 295Mi; the request follows within 2x, to 148Mi.
		{name: "an OOM bump takes the request up within 2x", req: 100 * mi, lim: 256 * mi, used: 100 * mi, oom: true,
			wantReq: 148 * mi, wantLim: 295 * mi},
		// The request joins the limit, which 8 hours do not cut under the
		// upper bound.
		{name: "--memory-qos guaranteed: request = limit", req: 256 * mi, lim: 512 * mi, used: 200 * mi, opts: Options{MemoryQoS: MemoryGuaranteed},
			wantReq: 512 * mi},
		{name: "a limit inside [peak + 15%, 2x request] stays", req: 256 * mi, lim: 512 * mi, used: 200 * mi},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Eight hours, as in the demo: medium confidence.
			c := model.Container{Resources: res(100, tc.req, 0, tc.lim), Usage: usage(8*time.Hour, time.Minute, 1, 100, steady(50, tc.used)),
				Go: goRuntime("1.25.3", nil)}
			if tc.wantGOMEMLIMIT != "" {
				c.Env = []model.EnvVar{{Name: "GOMEMLIMIT", Value: "1800MiB"}}
			}
			if tc.oom {
				c.Instances = []model.ContainerInstance{oomInstance("pod-a")}
			}
			w := deployment(withProbes(c))
			got := AdviseWorkload(w, tc.opts)
			checkInvariants(t, w, got)
			for _, k := range []struct {
				kind Kind
				want int64
			}{{KindMemoryRequest, tc.wantReq}, {KindMemoryLimit, tc.wantLim}} {
				a := find(got, k.kind)
				switch {
				case k.want == 0 && a != nil:
					t.Errorf("unexpected %s: %s", k.kind, a.Reason)
				case k.want != 0 && (a == nil || a.Suggested.Amount != k.want):
					t.Errorf("%s: %+v, want %s", k.kind, a, formatMemory(k.want))
				}
			}
			if tc.wantGOMEMLIMIT != "" {
				if g := find(got, KindGOMEMLIMIT); g == nil || changeOf(g) != "app: env[GOMEMLIMIT]="+tc.wantGOMEMLIMIT || g.Severity != Info {
					t.Errorf("GOMEMLIMIT: %+v", g)
				}
			}
		})
	}
}

// Item 6: below krr's minimum a sizing change shows what it would be and
// stays out of the patch unless asked; emergencies need no minimum; a
// current value inside the bounds is no warning.
func TestItem6ShortHistoryIsShownNotPatched(t *testing.T) {
	twelve := usage(12*time.Minute, 15*time.Second, 1, 2000, steady(100, 200*mi))
	c := model.Container{Resources: res(2000, 2<<30, 0, 0), Usage: twelve}
	w := deployment(withProbes(c))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	for _, k := range []Kind{KindCPURequest, KindMemoryRequest} {
		a := find(got, k)
		if a == nil || !a.Held || !a.Patchable() || a.Confidence.Level != Low || a.Range == nil || a.Severity != Info {
			t.Errorf("%s on 12 minutes: %+v", k, a)
		}
		// Review finding 10: below the sizing minimum the range widens no
		// further than at it (about 15x the P95, not 120x).
		if a != nil && a.Range != nil && a.Range.Upper.Amount > 16*a.Suggested.Amount {
			t.Errorf("%s on 12 minutes: range %s-%s for %s", k, a.Range.Lower.Display, a.Range.Upper.Display, a.Suggested.Display)
		}
	}
	if p := Patchable(got); len(p) != 0 {
		t.Errorf("apply all on 12 minutes: %v", kinds(p))
	}
	if p := PatchableWithHeld(got); len(p) != 2 {
		t.Errorf("asked for: %v", kinds(p))
	}
	if p := Patchable(AdviseWorkload(w, Options{PatchLowConfidence: true})); len(p) != 2 {
		t.Errorf("--patch-low-confidence: %v", kinds(p))
	}
	// An OOMKill and usage at the CPU limit need no minimum.
	c = model.Container{Resources: res(500, 200*mi, 500, 256*mi), Usage: usage(12*time.Minute, 15*time.Second, 1, 500, steady(500, 250*mi)),
		Instances: []model.ContainerInstance{oomInstance("pod-a")}}
	got = AdviseWorkload(deployment(withProbes(c)), Options{})
	for _, k := range []Kind{KindMemoryLimit, KindCPULimit} {
		if a := find(got, k); a == nil || a.Held || !a.Patchable() {
			t.Errorf("emergency %s on 12 minutes: %+v", k, a)
		}
	}
	// A request inside [lower, upper] only informs; a big cut on a day of
	// history is a warning, on a week critical.
	for _, tc := range []struct {
		span time.Duration
		req  int64
		sev  Severity
	}{{week, 100, Info}, {20 * time.Hour, 2000, Warning}, {6 * time.Hour, 2000, Warning}, {week, 2000, Critical}} {
		c := model.Container{Resources: res(tc.req, 0, 0, 0), Usage: usage(tc.span, time.Minute, 1, tc.req, spiky(95, 110, 0, 0))}
		if a := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindCPURequest); a == nil || a.Severity != tc.sev {
			t.Errorf("request %dm over %s: %+v, want %s", tc.req, tc.span, a, tc.sev)
		}
	}
}

// Item 11: a BestEffort container gets requests from what it uses now.
func TestItem11BestEffortGetsRequestsAtOnce(t *testing.T) {
	now := usage(30*time.Second, 15*time.Second, 1, 0, steady(80, 150*mi))
	w := deployment(withProbes(model.Container{Usage: now}))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	for _, k := range []Kind{KindCPURequest, KindMemoryRequest} {
		a := find(got, k)
		if a == nil || a.Held || !a.Patchable() || a.Confidence.Level != Low || a.Severity != Warning || !strings.Contains(a.Reason, "evicted first") {
			t.Errorf("%s for a BestEffort container: %+v", k, a)
		}
		// Review finding 10: the note agrees with the patch, and no range
		// is drawn from 30 seconds.
		if a != nil && (a.Range != nil || a.Confidence.Note != "a first request from what it uses now (30s): any request beats none; kgotop refines it after 3h") {
			t.Errorf("%s: range %+v, note %q", k, a.Range, a.Confidence.Note)
		}
	}
	if a := find(got, KindMemoryLimit); a != nil {
		t.Errorf("a limit on 30 seconds: %s", a.Reason)
	}
}

// Item 16: severities that agree with each other.
func TestItem16SeverityConsistency(t *testing.T) {
	// A GOMEMLIMIT that only follows an Info limit cut is Info.
	c := model.Container{Resources: res(500, 1<<30, 0, 1<<30), Usage: usage(week, 5*time.Minute, 1, 500, steady(100, 200*mi)),
		Go: goRuntime("1.25.3", nil), Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "900MiB"}}}
	got := AdviseWorkload(deployment(withProbes(c)), Options{})
	if l, g := find(got, KindMemoryLimit), find(got, KindGOMEMLIMIT); l == nil || g == nil || l.Severity != Info || g.Severity != Info {
		t.Errorf("limit %+v\nGOMEMLIMIT %+v", l, g)
	}
	// Dropping an env GOGC that does nothing is Info, and no patch alone.
	b := model.Container{Go: goRuntime("1.25.3", nil), Env: []model.EnvVar{{Name: "GOGC", Value: "50"}}}
	w := deployment(withProbes(b))
	got = AdviseWorkload(w, Options{})
	gogc := find(got, KindGOGC)
	if gogc == nil || gogc.Severity != Info || !gogc.Alongside {
		t.Fatalf("env GOGC the runtime does not run: %+v", gogc)
	}
	if p, err := BuildPatch(w, []Advice{*gogc}); !errors.Is(err, ErrNoChanges) || len(p.Warnings) != 1 {
		t.Errorf("alone: %v %q", err, p.Warnings)
	}
	other := Advice{ID: "x", Target: gogc.Target, Kind: KindCPURequest, Reason: "x", Changes: []Change{setResource("app", Requests, CPU, 100)}}
	if p, err := BuildPatch(w, []Advice{*gogc, other}); err != nil || !strings.Contains(string(p.Data), `"$patch":"delete","name":"GOGC"`) {
		t.Errorf("with another change: %s %v", p.Data, err)
	}
	// A CPU request 2% under the P90 is not a warning.
	c = model.Container{Resources: res(100, 0, 0, 0), Usage: usage(week, 5*time.Minute, 1, 100, steady(102, 0))}
	if a := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindCPURequest); a == nil || a.Severity != Info {
		t.Errorf("100m against a P90 of 102m: %+v", a)
	}
}
