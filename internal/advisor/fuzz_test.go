package advisor

import (
	"encoding/json"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"

	"github.com/kgotop/kgotop/internal/model"
)

// FuzzAdvise checks the advisor's invariants over arbitrary resources,
// usage, terminations, Go settings and policies: no panic, a memory limit
// never below the observed peak, requests never above limits, GOMEMLIMIT
// below the memory limit, the patch of all patchable advice applies and,
// for usage a cluster can show, applying it sizes nothing more (no ratchet),
// whether the pods are replaced or resized in place.
func FuzzAdvise(f *testing.F) {
	type seed struct {
		reqCPU, reqMem, limCPU, limMem int64
		cpu, peakCPU, mem, peakMem     int64
		minutes                        uint16
		pods                           uint8
		oom                            bool
		version, gomemlimit, gogc      string
		heapLive, procs                int64
	}
	for _, s := range []seed{
		{500, 256 * mi, 1000, 512 * mi, 100, 900, 200 * mi, 500 * mi, 7 * 24 * 60, 3, false, "1.24", "", "", 150 * mi, 16},
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, "", "", "", 0, 0},
		{100, 128 * mi, 500, 256 * mi, 500, 500, 250 * mi, 256 * mi, 60, 1, true, "1.21", "1GiB", "off", -1, -1},
		{1 << 62, 1 << 62, 1 << 62, 1 << 62, 1 << 61, 1 << 62, 1 << 61, 1 << 62, 3000, 2, true, "go1.25.1", "junk", "50", 1 << 62, 1 << 40},
		{-5, -5, -5, -5, -5, -5, -5, -5, 30, 1, false, "x.y", "off", "-3", -7, 0},
		{250, 64 * mi, 0, 64 * mi, 10, 20, 60 * mi, 70 * mi, 24 * 60, 2, false, "1.26", "60MiB", "100", 40 * mi, 2},
		// Go 1.16 ignores an env GOMEMLIMIT, which must still follow a lowered limit.
		{100, 1024 * mi, 500, 2048 * mi, 80, 90, 105 * mi, 105 * mi, 8 * 60, 1, false, "1.16.15", "1800MiB", "", -1, 8},
	} {
		f.Add(s.reqCPU, s.reqMem, s.limCPU, s.limMem, s.cpu, s.peakCPU, s.mem, s.peakMem, s.minutes, s.pods, s.oom,
			s.version, s.gomemlimit, s.gogc, s.heapLive, s.procs)
	}
	f.Fuzz(func(t *testing.T, reqCPU, reqMem, limCPU, limMem, cpu, peakCPU, mem, peakMem int64, minutes uint16, pods uint8,
		oom bool, version, gomemlimit, gogc string, heapLive, procs int64) {
		c := model.Container{
			Name: "app", Image: "golang:" + version,
			Resources: res(reqCPU, reqMem, limCPU, limMem),
			Ports:     []model.Port{{Name: "http", Port: 8080}},
			Go: model.GoInfo{Detection: model.GoLikely, Version: version, Runtime: &model.GoRuntime{
				Version: version, GOGC: 100, GOMEMLIMIT: -1, HeapLive: heapLive, NextGC: heapLive, GOMAXPROCS: procs, GCCPUFraction: 0.3,
				DB: []model.DBStats{{Name: "db", MaxOpen: procs, Open: heapLive % 100, InUse: procs % 7, WaitCount: procs, MaxIdleClosed: procs}}}},
		}
		for _, e := range [][2]string{{"GOMEMLIMIT", gomemlimit}, {"GOGC", gogc}} {
			if e[1] != "" {
				c.Env = append(c.Env, model.EnvVar{Name: e[0], Value: e[1]})
			}
		}
		if oom {
			c.Instances = []model.ContainerInstance{oomInstance("pod-a")}
		} else if limMem > 0 && procs%5 == 0 {
			// Kills a store of metrics saw, of pods since replaced.
			c.Past = &model.PastEvents{Source: "Prometheus (monitoring/prometheus)", Range: 8 * 24 * time.Hour, OOMKills: 3, MemoryPeak: limMem}
		}
		if pods > 0 {
			step := max(time.Duration(minutes)*time.Minute/500, 15*time.Second)
			c.Usage = usage(time.Duration(minutes)*time.Minute, step, int(pods%5)+1, reqCPU, spiky(cpu, peakCPU, mem, peakMem))
		}
		w := deployment(c)
		w.HPA = &model.HPA{Name: "api", MinReplicas: 1, MaxReplicas: 5, CurrentReplicas: 2,
			Metrics: []model.HPAMetric{{Resource: "cpu", TargetUtilization: 60, CurrentUtilization: int32(procs % 200)}}}
		policy := uint64(procs)
		opts := Options{DBMaxConnections: max(procs, 0) % 300, AdviseHPAResources: oom,
			MemoryQoS: []MemoryQoS{MemoryAuto, MemoryBurstable, MemoryGuaranteed}[policy%3],
			CPULimits: []CPULimits{CPULimitsKeep, CPULimitsRemove}[policy/3%2], PatchLowConfidence: policy/6%2 == 1}
		as := AdviseWorkload(w, opts)
		checkInvariants(t, w, as)
		if seen(reqCPU, reqMem, limCPU, limMem, max(cpu, peakCPU), mem, peakMem, oom) {
			checkNoRatchet(t, w, opts)
			// Applied with no pod replaced, an OOMKilled last state stays.
			checkNoRatchetApplied(t, w, opts, inPlace(policy%2 == 0))
		}
		var patchable []Advice
		for _, a := range as {
			if a.Kind == KindMemoryLimit && c.Usage != nil && a.Suggested.Amount < c.Usage.MemoryPeak.Value {
				t.Errorf("memory limit %s below the peak %d", a.Suggested.Display, c.Usage.MemoryPeak.Value)
			}
			if a.Patchable() && !a.Alongside { // a change that only rides along makes no patch alone
				patchable = append(patchable, a)
			}
		}
		if len(patchable) == 0 {
			return
		}
		p, err := BuildPatch(w, PatchableWithHeld(as))
		if err != nil {
			t.Fatalf("patch of the advisor's own advice: %v", err)
		}
		d := appsv1.Deployment{Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "app", Image: c.Image}}}}}}
		orig, _ := json.Marshal(d)
		if _, err := strategicpatch.StrategicMergePatch(orig, p.Data, appsv1.Deployment{}); err != nil {
			t.Fatalf("patch does not apply: %v\n%s", err, p.Data)
		}
	})
}

// seen reports whether usage is what a cluster can show: no usage past a
// limit (past a memory limit the container is OOMKilled), requests within
// limits, and an OOMKill at a limit the usage climbed into (kgotop keeps no
// memory of a kill once the pods are replaced, see randomWorkload).
func seen(reqCPU, reqMem, limCPU, limMem, peakCPU, mem, peakMem int64, oom bool) bool {
	in := func(v, lim int64) bool { return lim <= 0 || v <= lim }
	return min(reqCPU, reqMem, limCPU, limMem, peakCPU, mem, peakMem) >= 0 && max(limCPU, limMem, peakCPU, peakMem) < 1<<50 &&
		in(peakCPU, limCPU) && in(peakMem, limMem) && in(mem, peakMem) && in(reqCPU, limCPU) && in(reqMem, limMem) &&
		(limCPU == 0 || reqCPU > 0) && (limMem == 0 || reqMem > 0) && // a request left out is the limit
		(!oom || limMem > 0 && peakMem >= limMem*95/100)
}
