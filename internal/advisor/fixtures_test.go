package advisor

import (
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// t0 is the start of every fixture history.
var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

const mi = int64(1) << 20

// usage returns a history of pods replicas sampled every step for span,
// whose CPU (millicores) and memory (bytes) come from f; the ring holds the
// busiest replica's point of each window, as the collector's does.
func usage(span, step time.Duration, pods int, cpuRequest int64, f func(i int, at time.Time) (cpu, mem int64)) *model.History {
	h := model.NewHistory(model.DefaultHistoryConfig)
	i := 0
	for at := t0; !at.After(t0.Add(span)); at = at.Add(step) {
		pt := model.Point{Unix: at.Unix()}
		for p := range pods {
			cpu, mem := f(i, at)
			h.Add(podName(p), model.Sample{Time: at, Window: step, CPU: cpu, Memory: mem}, cpuRequest)
			pt.CPU, pt.Memory = max(pt.CPU, cpu), max(pt.Memory, mem)
		}
		h.AddPoint(pt)
		i++
	}
	return h
}

func podName(p int) string { return "pod-" + string(rune('a'+p)) }

// steady is usage that stays at cpu and mem.
func steady(cpu, mem int64) func(int, time.Time) (int64, int64) {
	return func(int, time.Time) (int64, int64) { return cpu, mem }
}

// spiky is usage at base with every tenth sample at peak.
func spiky(cpu, peakCPU, mem, peakMem int64) func(int, time.Time) (int64, int64) {
	return func(i int, _ time.Time) (int64, int64) {
		if i%10 == 9 {
			return peakCPU, peakMem
		}
		return cpu, mem
	}
}

// deployment returns a one-container Deployment "shop/api".
func deployment(c model.Container) model.Workload {
	if c.Name == "" {
		c.Name = "app"
	}
	if c.Image == "" {
		c.Image = "registry.example/api:1.4.2"
	}
	return model.Workload{
		Ref:        model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: "api"},
		Desired:    2,
		Ready:      2,
		Containers: []model.Container{c},
	}
}

// res builds Resources from requests and limits (millicores, bytes).
func res(reqCPU, reqMem, limCPU, limMem int64) model.Resources {
	return model.Resources{
		Requests: model.ResourceList{CPU: reqCPU, Memory: reqMem},
		Limits:   model.ResourceList{CPU: limCPU, Memory: limMem},
	}
}

// withProbes gives a container readiness and liveness probes and a port so
// that probe rules stay quiet in tests about other rules.
func withProbes(c model.Container) model.Container {
	p := &model.Probe{Handler: model.HTTPGet(8080, "/healthz"), PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}
	c.Probes = model.Probes{Readiness: p, Liveness: p}
	c.Ports = []model.Port{{Name: "http", Port: 8080, Protocol: "TCP"}}
	return c
}

// find returns the advice of the given kind, or nil.
func find(as []Advice, kind Kind) *Advice {
	for i := range as {
		if as[i].Kind == kind {
			return &as[i]
		}
	}
	return nil
}

func kinds(as []Advice) []Kind {
	var ks []Kind
	for _, a := range as {
		ks = append(ks, a.Kind)
	}
	return ks
}

func oomInstance(pod string) model.ContainerInstance {
	return model.ContainerInstance{Pod: pod, RestartCount: 3, LastTermination: &model.Termination{
		Reason: "OOMKilled", ExitCode: 137, FinishedAt: t0.Add(time.Hour)}}
}
