package advisor

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// The tests here carry the numbers of the SRE review of issue 12's demo
// report (review/issue12-review.md), one per finding.

// Finding 1: a Go older than 1.19 with GOMEMLIMIT in its env still gets a
// patch when its memory limit comes down: the env value follows the limit
// (inert today, right once rebuilt), and the GOMAXPROCS fix is not lost.
func TestReviewOldGoGOMEMLIMITFollowsALoweredLimit(t *testing.T) {
	for _, qos := range []MemoryQoS{MemoryAuto, MemoryGuaranteed} {
		c := model.Container{Resources: res(100, 1<<30, 500, 2<<30), Usage: usage(8*time.Hour, time.Minute, 1, 100, steady(80, 105*mi)),
			Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "1800MiB"}},
			Go:  goRuntime("1.16.15", func(r *model.GoRuntime) { r.GOMAXPROCS = 8 })}
		w := deployment(withProbes(c))
		got := AdviseWorkload(w, Options{MemoryQoS: qos, Now: t0.Add(8 * time.Hour)})
		checkInvariants(t, w, got)
		p, err := BuildPatch(w, Patchable(got))
		if err != nil {
			t.Fatalf("%q: the patch of the advisor's own advice: %v\n%s", qos, err, describeAll(got))
		}
		g := find(got, KindGOMEMLIMIT)
		if g == nil || !g.Patchable() || !strings.Contains(g.Reason, "Go 1.16 ignores it today") {
			t.Errorf("%q: GOMEMLIMIT %+v", qos, g)
		}
		lim := find(got, KindMemoryLimit)
		for _, want := range []string{`"name":"GOMAXPROCS","value":"2"`, `"name":"GOMEMLIMIT","value":"` + g.Suggested.Display + `"`} {
			if !strings.Contains(string(p.Data), want) {
				t.Errorf("%q: patch %s lacks %s", qos, p.Data, want)
			}
		}
		if lim == nil || g.Suggested.Amount >= lim.Suggested.Amount {
			t.Errorf("%q: GOMEMLIMIT %s for the limit %+v", qos, g.Suggested.Display, lim)
		}
	}
	// With the limit kept, the inert value only informs.
	c := model.Container{Resources: res(100, 128*mi, 500, 256*mi), Usage: usage(8*time.Hour, time.Minute, 1, 100, steady(80, 105*mi)),
		Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "230MiB"}}, Go: goRuntime("1.16.15", nil)}
	if g := find(AdviseWorkload(deployment(withProbes(c)), Options{}), KindGOMEMLIMIT); g == nil || g.Patchable() {
		t.Errorf("limit kept: %+v", g)
	}
}

// Finding 2: a Burstable limit comes down only as far as the ratio to the
// request asks, never below the range's upper bound (catalog: 2Gi ->
// 274Mi, not 137Mi), and a request that rises does not drag a limit that
// still covers it down.
func TestReviewALimitComesDownNoFurtherThanTheEvidence(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		req, lim, used        int64
		wantReq, wantLim, gml int64
	}{
		// Under a day of history no lower than the upper bound (second
		// review, finding 12): 548Mi, and the request to half of it.
		{name: "catalog", req: 1 << 30, lim: 2 << 30, used: 119 * mi, wantReq: 274 * mi, wantLim: 548 * mi, gml: 493 * mi},
		{name: "a request that rises keeps a limit within 2x", req: 100 * mi, lim: 300 * mi, used: 200 * mi, wantReq: 230 * mi},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := model.Container{Resources: res(100, tc.req, 0, tc.lim), Usage: usage(8*time.Hour, time.Minute, 1, 100, steady(50, tc.used)),
				Go: goRuntime("1.25.3", nil), Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: formatGoBytes(tc.lim * 9 / 10 / mi * mi)}}}
			w := deployment(withProbes(c))
			got := AdviseWorkload(w, Options{})
			checkInvariants(t, w, got)
			if r := find(got, KindMemoryRequest); r == nil || r.Suggested.Amount != tc.wantReq {
				t.Errorf("request: %+v", r)
			}
			l := find(got, KindMemoryLimit)
			switch {
			case tc.wantLim == 0 && l != nil:
				t.Errorf("the limit moves: %s", l.Reason)
			case tc.wantLim != 0 && (l == nil || l.Suggested.Amount != tc.wantLim || !strings.Contains(l.Reason, "and no further")):
				t.Errorf("limit: %+v", l)
			}
			if g := find(got, KindGOMEMLIMIT); tc.gml != 0 && (g == nil || g.Suggested.Amount != tc.gml) {
				t.Errorf("GOMEMLIMIT: %+v", g)
			}
		})
	}
}

// Finding 3: while one replica does the others' work, the CPU request sized
// from every replica's samples stays out of the patch (stream: 250m ->
// 429m on 4 x 429m reserved for 718m of use), and the skew advice says
// what spreading would leave each replica.
func TestReviewReplicaSkewHoldsCPUSizing(t *testing.T) {
	h := model.NewHistory(model.DefaultHistoryConfig)
	cpus := []int64{360, 120, 110, 130}
	var pods []model.Pod
	for i := range cpus {
		pods = append(pods, model.Pod{Name: podName(i)})
	}
	for at := t0; !at.After(t0.Add(8 * time.Hour)); at = at.Add(time.Minute) {
		for i, cpu := range cpus {
			h.Add(pods[i].Name, model.Sample{Time: at, Window: time.Minute, CPU: cpu, Memory: 150 * mi}, 250)
		}
		h.AddPoint(model.Point{Unix: at.Unix(), CPU: 360, Memory: 150 * mi})
	}
	w := deployment(withProbes(model.Container{Resources: res(250, 200*mi, 2000, 400*mi), Usage: h}))
	w.Pods, w.Desired = pods, 4
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	r := find(got, KindCPURequest)
	if r == nil || r.Patchable() || r.Severity != Info || !strings.Contains(strings.Join(r.Notes, " "), "spread the load first") ||
		strings.Contains(strings.Join(r.Notes, " "), heldNote) {
		t.Errorf("CPU request beside replica skew: %+v", r)
	}
	if s := find(got, KindReplicaSkew); s == nil || !strings.Contains(strings.Join(s.Notes, " "), "each replica would use about 180m on average") {
		t.Errorf("skew: %+v", s)
	}
}

// Finding 22: a patch that raises a starved pool's MaxOpen does not size
// CPU too: callers that waited for a connection start to work.
func TestReviewAPoolRaiseHoldsCPUSizing(t *testing.T) {
	db := watchedFor(model.DBStats{Name: "orders", MaxOpen: 5, Open: 5, InUse: 5, WaitCount: 500, WaitDuration: 5 * time.Minute,
		MaxLifetimeClosed: -1, MaxIdleTimeClosed: -1}, 10*time.Minute, model.DBCounters{})
	c := poolContainer(db)
	c.Env = []model.EnvVar{{Name: "DB_MAX_OPEN_CONNS", Value: "5"}}
	c.Resources, c.Usage = res(300, 320*mi, 1000, 640*mi), usage(8*time.Hour, time.Minute, 1, 300, steady(330, 280*mi))
	w := deployment(c)
	got := AdviseWorkload(w, Options{Now: t0})
	checkInvariants(t, w, got)
	if p := find(got, KindDBPoolWait); p == nil || !p.Patchable() {
		t.Fatalf("pool: %+v", p)
	}
	if r := find(got, KindCPURequest); r == nil || r.Patchable() || !strings.Contains(strings.Join(r.Notes, " "), "the DB pool change") {
		t.Errorf("CPU request beside a pool raise: %+v", r)
	}
}

// Findings 5, 7 and 20: an old Go under a small CPU limit that leaks. The
// GOMAXPROCS note and the Go version snippet name go.mod's go line, the
// throttling is said as bursts (usage is a fifth of the limit), and
// GOMEMLIMIT says "once the growth is fixed" with the limiter computed for
// the GOMAXPROCS the patch sets.
func TestReviewOldGoUnderASmallLimitThatLeaks(t *testing.T) {
	h := ring(480, func(i int) int64 { return 120*mi + int64(i)*mi/4 })
	c := model.Container{Resources: res(100, 200*mi, 500, 256*mi), Usage: h, Instances: []model.ContainerInstance{oomInstance("pod-a")},
		Go: goRuntime("1.24.6", func(r *model.GoRuntime) { r.GOMAXPROCS = 8 })}
	got := AdviseWorkload(deployment(withProbes(c)), Options{Now: t0.Add(24 * time.Hour)})
	p := find(got, KindGOMAXPROCS)
	if p == nil || !strings.Contains(strings.Join(p.Notes, " "), "once the program's go.mod says go 1.25 or later") ||
		!strings.Contains(p.Reason, "run up to 8 threads against a quota of 500m CPU and can be throttled in bursts") {
		t.Errorf("GOMAXPROCS: %+v", p)
	}
	if s := find(got, KindGoSupport); s == nil || !strings.Contains(s.Code, "1.25 or later there makes GOMAXPROCS follow the CPU limit") {
		t.Errorf("Go support: %+v", s)
	}
	g := find(got, KindGOMEMLIMIT)
	if g == nil || g.Patchable() || !strings.HasSuffix(g.Suggested.Display, "once the growth is fixed") ||
		!strings.Contains(g.Reason, "once the growth is fixed, set it to") ||
		!strings.Contains(strings.Join(g.Notes, " "), "once the patch sets GOMAXPROCS 2, that is a core, the whole 500m limit") {
		t.Errorf("GOMEMLIMIT: %+v", g)
	}
}

// Finding 6: after an OOMKill the peaks sit at the limit the kill came at:
// the request sized from them says it is a lower bound, and names the bump.
// (kgotop keeps no memory of the kill once the pods are replaced, so a
// request raised to the bump would be cut back on the same data: a ratchet.)
func TestReviewARequestFromCensoredPeaksIsALowerBound(t *testing.T) {
	c := model.Container{Resources: res(100, 200*mi, 500, 256*mi), Usage: usage(8*time.Hour, time.Minute, 1, 100, steady(70, 256*mi)),
		Instances: []model.ContainerInstance{oomInstance("pod-a")}}
	w := deployment(withProbes(c))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	r := find(got, KindMemoryRequest)
	if r == nil || r.Suggested.Display != "295Mi" || !strings.Contains(r.Reason, "a lower bound: the peaks sit at the 256Mi limit") ||
		!strings.Contains(strings.Join(r.Notes, " "), "the VPA's step after an OOMKill is 356Mi") {
		t.Errorf("request after an OOMKill: %+v", r)
	}
}

// Finding 8: a request inside the range the usage supports is shown but
// held on less than 12h of history, as the VPA leaves it alone; asked for,
// or on a day of history, it goes into the patch. A limit lowered only
// because the request is waits for it.
func TestReviewARequestInsideTheRangeIsHeld(t *testing.T) {
	c := func(span time.Duration) model.Container {
		return model.Container{Resources: res(250, 256*mi, 0, 1024*mi), Usage: usage(span, time.Minute, 1, 250, spiky(140, 160, 160*mi, 170*mi))}
	}
	w := deployment(withProbes(c(8 * time.Hour)))
	got := AdviseWorkload(w, Options{})
	checkInvariants(t, w, got)
	for _, k := range []Kind{KindCPURequest, KindMemoryRequest, KindMemoryLimit} {
		a := find(got, k)
		if a == nil || !a.Held || a.Severity != Info {
			t.Errorf("%s inside the range on 8h: %+v", k, a)
		}
	}
	if r := find(got, KindCPURequest); r == nil || r.HeldWhy != HeldInsideRange || !strings.Contains(strings.Join(r.Notes, " "), "inside the range the usage supports") {
		t.Errorf("held why: %+v", r)
	}
	if p := Patchable(got); len(p) != 0 {
		t.Errorf("apply all: %v", kinds(p))
	}
	if p := Patchable(AdviseWorkload(w, Options{PatchLowConfidence: true})); len(p) != 3 {
		t.Errorf("asked for: %v", kinds(p))
	}
	if a := find(AdviseWorkload(deployment(withProbes(c(25*time.Hour))), Options{}), KindCPURequest); a == nil || a.Held {
		t.Errorf("on a day: %+v", a)
	}
}

// Finding 12: a Guaranteed container on whole cores stays on whole cores
// (2 -> 1, not 368m: the static CPU manager pins only whole cores), and a
// Guaranteed CPU pair covers the busiest window, not the P99.
func TestReviewGuaranteedCPUKeepsWholeCores(t *testing.T) {
	for _, tc := range []struct {
		lim  int64
		want int64
		has  string
	}{
		{lim: 2000, want: 1000, has: "in whole cores as today"},
		{lim: 1500, want: 460, has: "the busiest window 400m + 15%"}, // not the P99, 250m
	} {
		once := func(i int, _ time.Time) (int64, int64) { // one busy minute in 8 hours
			if i == 100 {
				return 400, 300 * mi
			}
			return 250, 300 * mi
		}
		c := model.Container{Resources: res(tc.lim, 1<<30, tc.lim, 1<<30), Usage: usage(8*time.Hour, time.Minute, 1, tc.lim, once)}
		w := deployment(withProbes(c))
		got := AdviseWorkload(w, Options{})
		checkInvariants(t, w, got)
		req, lim := find(got, KindCPURequest), find(got, KindCPULimit)
		if req == nil || lim == nil || req.Suggested.Amount != tc.want || lim.Suggested.Amount != tc.want || !strings.Contains(req.Reason, tc.has) {
			t.Errorf("limit %dm: request %+v\nlimit %+v", tc.lim, req, lim)
		}
	}
}

// Finding 13: --memory-qos names its default (auto), guaranteed says what
// it sets and that CPU decides the class, an OOM pair names the bump it
// comes from, and a limit cut is graded as under the default policy.
func TestReviewMemoryQoSSaysWhatItDoes(t *testing.T) {
	for _, s := range []string{"", "auto"} {
		if q, err := ParseMemoryQoS(s); err != nil || q != MemoryAuto {
			t.Errorf("ParseMemoryQoS(%q) = %q, %v", s, q, err)
		}
	}
	g := Options{MemoryQoS: MemoryGuaranteed}
	oom := model.Container{Resources: res(100, 200*mi, 500, 256*mi), Usage: usage(8*time.Hour, time.Minute, 1, 100, steady(70, 250*mi)),
		Instances: []model.ContainerInstance{oomInstance("pod-a")}}
	got := AdviseWorkload(deployment(withProbes(oom)), g)
	if r := find(got, KindMemoryRequest); r == nil || r.Suggested.Display != "350Mi" || strings.Contains(r.Reason, "the largest of") ||
		!strings.Contains(r.Reason, "as the VPA does after an OOMKill: what it used + 100Mi, or x 1.2 when that is more, counting as used its peak of 250Mi") || !strings.Contains(r.Reason, "the pod stays Burstable") {
		t.Errorf("OOM pair: %+v", r)
	}
	cut := model.Container{Resources: res(100, 1<<30, 500, 2<<30), Usage: usage(8*time.Hour, time.Minute, 1, 100, steady(70, 119*mi))}
	for _, opts := range []Options{{}, g} {
		if l := find(AdviseWorkload(deployment(withProbes(cut)), opts), KindMemoryLimit); l == nil || l.Severity != Info {
			t.Errorf("%q: limit cut %+v", opts.MemoryQoS, l)
		}
	}
}

// Finding 14: a pool that churns connections for want of idle room says
// nothing of ConnMaxLifetime (its connections live seconds), and a MaxOpen
// raise the patch carries alone says to raise MaxIdle in code with it.
func TestReviewAChurningPool(t *testing.T) {
	db := watchedFor(model.DBStats{Name: "orders", MaxOpen: 5, Open: 5, InUse: 5, WaitCount: 180, WaitDuration: 27 * time.Second,
		MaxIdleClosed: 15, MaxLifetimeClosed: 0, MaxIdleTimeClosed: 0}, 45*time.Second, model.DBCounters{})
	c := poolContainer(db)
	c.Env = []model.EnvVar{{Name: "DB_MAX_OPEN_CONNS", Value: "5"}}
	got := AdviseWorkload(deployment(c), Options{Now: t0})
	if a := find(got, KindDBPoolLifetime); a != nil {
		t.Errorf("lifetime inferred from a churning pool: %s", a.Reason)
	}
	if i := find(got, KindDBPoolIdle); i == nil || i.Patchable() {
		t.Fatalf("idle: %+v", i)
	}
	w := find(got, KindDBPoolWait)
	if w == nil || !w.Patchable() || !strings.Contains(strings.Join(w.Notes, " "), "raise MaxIdle in code with it") {
		t.Errorf("MaxOpen raise: %+v", w)
	}
}

// Finding 23: a StatefulSet's patch replaces pods only under RollingUpdate:
// with OnDelete, the pods a person deletes.
func TestReviewAStatefulSetPatchNamesItsStrategy(t *testing.T) {
	tg, err := patchTarget(model.KindStatefulSet)
	if err != nil || !strings.Contains(tg.effect, "(with OnDelete, only pods you delete)") {
		t.Errorf("effect %q, %v", tg.effect, err)
	}
}

// Finding 18: words a reader stumbles on.
func TestReviewWords(t *testing.T) {
	// An OOMKill counts restarts and names the last termination; the memory
	// request names the days its peaks come from; a limit reads as the spec
	// writes it.
	c := model.Container{Resources: res(100, 200*mi, 500, 1<<30), Usage: usage(8*time.Hour, time.Minute, 1, 100, steady(70, 1000*mi)),
		Instances: []model.ContainerInstance{oomInstance("pod-a")}, Go: goRuntime("1.25.3", nil)}
	got := AdviseWorkload(deployment(withProbes(c)), Options{})
	if l := find(got, KindMemoryLimit); l == nil || evidence(l, "restarts") != "3" || evidence(l, "last termination") != "OOMKilled (1 of 1 pods)" {
		t.Errorf("OOM evidence: %+v", l)
	}
	if r := find(got, KindMemoryRequest); r == nil || evidence(r, "daily peaks") != "the current day only" {
		t.Errorf("request evidence: %+v", r)
	}
	if g := find(got, KindGOMEMLIMIT); g == nil || !strings.HasSuffix(evidence(g, "memory limit"), "Mi") {
		t.Errorf("GOMEMLIMIT evidence: %+v", g)
	}
	// CPU at its limit says the span of the windows, and why usage passes the limit.
	pinned := model.Container{Resources: res(500, 0, 1000, 0), Usage: usage(8*time.Hour, time.Minute, 1, 500, spiky(990, 1009, 0, 0))}
	l := find(AdviseWorkload(deployment(withProbes(pinned)), Options{}), KindCPULimit)
	// Whole cores are said in words: a bare "1" reads as a number of nothing.
	if l == nil || !strings.Contains(l.Reason, "metrics windows (the last 7h59m)") || !strings.Contains(l.Reason, "of the 1-core limit") ||
		!strings.Contains(l.Reason, "a real step to 2 cores") || evidence(l, "limit") != "1 core" ||
		!strings.Contains(strings.Join(l.Notes, " "), "usage of 1009m over the 1-core limit is usage at it") {
		t.Errorf("CPU at the limit: %+v", l)
	}
	// The HPA shift says where the HPA adds replicas.
	web := model.Container{Resources: res(500, 0, 0, 0), Usage: usage(8*time.Hour, time.Minute, 1, 500, steady(105, 0))}
	w := deployment(withProbes(web))
	w.HPA = &model.HPA{Name: "web", MinReplicas: 3, MaxReplicas: 10, CurrentReplicas: 3, Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 60, CurrentUtilization: 20}}}
	if s := find(AdviseWorkload(w, Options{}), KindHPAShift); s == nil || !strings.HasPrefix(evidence(s, "the HPA adds replicas above"), "300m per pod now, ") {
		t.Errorf("HPA shift: %+v", s)
	}
}

// Finding 19: a crash loop whose termination message says why leads with
// it, and the GOMAXPROCS guess for a Go version unknown until it runs
// stays out of the way.
func TestReviewACrashLoopThatSaysWhy(t *testing.T) {
	c := withProbes(model.Container{Resources: res(50, 64*mi, 200, 128*mi), Go: model.GoInfo{Detection: model.GoLikely},
		Instances: []model.ContainerInstance{{Pod: "notifier-1", RestartCount: 103, Waiting: "CrashLoopBackOff",
			LastTermination: &model.Termination{ExitCode: 1, Reason: "Error", Message: "config: SMTP_HOST is not set\n", StartedAt: t0.Add(-time.Second), FinishedAt: t0}}}})
	got := AdviseWorkload(deployment(c), Options{Now: t0})
	if r := find(got, KindRestarts); r == nil || r.Suggested.Display != "fix what it says: config: SMTP_HOST is not set" || !strings.Contains(r.Reason, "exit 1, and the program says why: config: SMTP_HOST is not set") {
		t.Errorf("restarts: %+v", r)
	}
	if p := find(got, KindGOMAXPROCS); p != nil {
		t.Errorf("GOMAXPROCS for a crash loop of unknown Go: %s", p.Reason)
	}
}

// Finding 21: a GOMEMLIMIT the advice's own limit cut makes look urgent is
// graded like that cut (info), not a warning.
func TestReviewAGOMEMLIMITForALimitCutIsGradedLikeIt(t *testing.T) {
	c := model.Container{Resources: res(100, 4<<30, 0, 8<<30), Usage: usage(week, 5*time.Minute, 1, 100, steady(50, 90*mi)),
		Go: goRuntime("1.25.3", func(r *model.GoRuntime) { r.HeapLive = 80 * mi })}
	got := AdviseWorkload(deployment(withProbes(c)), Options{})
	l, g := find(got, KindMemoryLimit), find(got, KindGOMEMLIMIT)
	if l == nil || g == nil || l.Severity != Info || g.Severity != Info {
		t.Errorf("limit %+v\nGOMEMLIMIT %+v", l, g)
	}
}

// Finding 16: "P90 + 15%" recomputes from the P90 the evidence shows.
func TestReviewTargetsRecomputeFromTheEvidence(t *testing.T) {
	for _, u := range []struct{ cpu, peakCPU, mem, peakMem int64 }{{95, 121, 240 * mi, 257 * mi}, {900, 1009, 100 * mi, 119*mi + 400<<10}, {60, 102, 600 * mi, 700 * mi}} {
		c := model.Container{Resources: res(3000, 3<<30, 0, 0), Usage: usage(8*time.Hour, time.Minute, 1, 3000, spiky(u.cpu, u.peakCPU, u.mem, u.peakMem))}
		got := AdviseWorkload(deployment(withProbes(c)), Options{})
		var p90 int64
		r := find(got, KindCPURequest)
		if _, err := fmt.Sscanf(evidence(r, "P90"), "%dm", &p90); err != nil || r.Suggested.Amount != int64(math.Ceil(float64(p90)*1.15)) {
			t.Errorf("CPU: P90 %s, request %s", evidence(r, "P90"), r.Suggested.Display)
		}
		m := find(got, KindMemoryRequest)
		if _, err := fmt.Sscanf(evidence(m, "P90 peak"), "%dMi", &p90); err != nil || m.Suggested.Amount != int64(math.Ceil(float64(p90)*1.15))*mi {
			t.Errorf("memory: P90 %s, request %s", evidence(m, "P90 peak"), m.Suggested.Display)
		}
	}
}
