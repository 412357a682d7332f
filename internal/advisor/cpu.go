package advisor

import (
	"fmt"
	"math"

	"github.com/kgotop/kgotop/internal/model"
)

const (
	// minCPU is the floor of a CPU request (krr: 10m).
	minCPU = 10
	// cpuStep is the least change in millicores worth advising.
	cpuStep = 5
	// throttledAt is the share of the CPU limit at which a replica's peak
	// usage means it was throttled: usage cannot pass the limit, so a peak at
	// it hides how much more the program wanted.
	throttledAt = 0.95
)

// cpuRequestPlan is the CPU request a container has and the one advised (0
// when none is advised); the HPA rule reads it.
type cpuRequestPlan struct {
	current, suggested int64
	id                 string
	conf               Confidence
	// offered says the advice carries the change (not held back for an HPA).
	offered bool
}

// adviseCPU makes the CPU request and limit advice. It returns the plan for
// the request and the CPU limit in force after the advice (0 when none).
func adviseCPU(x wctx, hs history) (out []Advice, plan cpuRequestPlan, limit int64) {
	req, lim := positive(x.c.Resources.Requests.CPU), positive(x.c.Resources.Limits.CPU)
	plan.current, limit = req, lim
	if !hs.enough || hs.h.CPU.Empty() || absurd(req, lim, hs.h.CPUPeak.Value) {
		return nil, plan, limit
	}
	m := 1 + x.opts.SafetyMargin
	peak := positive(hs.h.CPUPeak.Value)
	cores := func(p float64) float64 { return percentile(hs.h.CPU, p, float64(peak)/1000) * 1000 }
	p50, p90, p95, p99 := cores(0.5), cores(0.9), cores(0.95), cores(0.99)

	// The limit first, only where one is set: never lower it (a CPU limit only
	// throttles), raise it to P99 x margin so that Go is not throttled.
	if lim > 0 {
		// A raised limit covers the current request too, whatever the
		// request advice becomes (the HPA rule may leave it as it is).
		want := max(ceilTo(p99*m, 1), req)
		throttled := float64(peak) >= throttledAt*float64(lim)
		if throttled {
			// The peak is cut at the limit: ask for a margin above it at least.
			want = max(want, ceilTo(float64(lim)*m, 1))
		}
		if want > lim {
			want = max(want, raiseStep(lim, x.opts.Noise, 1))
			a := x.advice(KindCPULimit, Warning, fmt.Sprintf(
				"P99 usage %s is close to the %s limit: raise it to %s so the Go runtime is not throttled",
				formatCPU(ceilTo(p99, 1)), formatCPU(lim), formatCPU(want)))
			if throttled {
				a.Reason = fmt.Sprintf("usage peaks at the %s limit (%s): the container is throttled; raise the limit to %s",
					formatCPU(lim), formatCPU(peak), formatCPU(want))
			}
			a.Current, a.Suggested = cpuValue(lim), cpuValue(want)
			a.Evidence = []Evidence{cpuEv("P99", ceilTo(p99, 1)), cpuEv("peak", peak), cpuEv("limit", lim)}
			a.Evidence = append(a.Evidence, historyEvidence(hs)...)
			a.Confidence = hs.conf
			a.Changes = []Change{setResource(x.c.Name, Limits, CPU, want)}
			out = append(out, a)
			limit = want
		}
	}

	target := ceilTo(p90*m, 1)
	target = applyFloor(target, req, minCPU)
	if limit > 0 {
		target = min(target, limit)
	}
	if !differs(req, target, cpuStep, x.opts.Noise) {
		return out, plan, limit
	}
	lower, upper := hs.bounds(p50*m, p95*m)
	sev := sizingSeverity(req, ceilTo(p90, 1), target, hs.conf)
	reason := fmt.Sprintf("P90 usage is %s: request %s (P90 + %.0f%%)", formatCPU(ceilTo(p90, 1)), formatCPU(target), x.opts.SafetyMargin*100)
	if req > 0 && target < req {
		reason = fmt.Sprintf("request %s is %.1fx the P90 usage of %s: lower it to %s", formatCPU(req),
			float64(req)/math.Max(p90, 1), formatCPU(ceilTo(p90, 1)), formatCPU(target))
	}
	a := x.advice(KindCPURequest, sev, reason)
	a.Current, a.Suggested = cpuValue(req), cpuValue(target)
	a.Range = &Range{Lower: cpuValue(max(ceilTo(lower, 1), 1)), Upper: cpuValue(max(ceilTo(upper, 1), target))}
	a.Evidence = []Evidence{cpuEv("P50", ceilTo(p50, 1)), cpuEv("P90", ceilTo(p90, 1)),
		cpuEv("P95", ceilTo(p95, 1)), cpuEv("peak", peak)}
	a.Evidence = append(a.Evidence, historyEvidence(hs)...)
	a.Confidence = hs.conf
	a.Changes = []Change{setResource(x.c.Name, Requests, CPU, target)}
	if lim > 0 && target > lim && len(out) > 0 {
		a.Requires = []string{out[0].ID} // above the limit in force until it is raised
	}
	hpaCaution(x, &a, "cpu")
	plan.suggested, plan.id, plan.conf, plan.offered = target, a.ID, a.Confidence, a.Patchable()
	return append(out, a), plan, limit
}

// absurd reports whether any of vs is beyond what any computation here
// can hold (maxAmount): such numbers are not a measurement to size on.
func absurd(vs ...int64) bool {
	for _, v := range vs {
		if v > maxAmount {
			return true
		}
	}
	return false
}

// applyFloor raises target to floor, but never above a current request that
// already covers the usage: the floor exists to stop tiny requests, not to
// raise requests that work.
func applyFloor(target, current, floor int64) int64 {
	if target >= floor {
		return target
	}
	if current > 0 {
		return max(target, min(current, floor))
	}
	return floor
}

// historyEvidence is the span and sample count the advice rests on.
func historyEvidence(hs history) []Evidence {
	return []Evidence{
		num("history", formatDuration(hs.conf.Span()), hs.conf.Span().Seconds(), Seconds),
		num("samples", fmt.Sprint(hs.conf.Samples), float64(hs.conf.Samples), Count),
	}
}

// hpaScales returns the HPA metric that scales the workload on the named
// resource of this container (or of the pod as a whole), or nil.
func hpaScales(w model.Workload, container, resource string) *model.HPAMetric {
	if w.HPA == nil {
		return nil
	}
	for i, m := range w.HPA.Metrics {
		if m.Resource == resource && (m.Container == "" || m.Container == container) {
			return &w.HPA.Metrics[i]
		}
	}
	return nil
}

// hpaCaution follows krr: the request of a resource an HPA scales on is not
// changed silently. The advice keeps its numbers and gains a note; unless
// Options.AdviseHPAResources is set it loses its change and only informs.
func hpaCaution(x wctx, a *Advice, resource string) {
	if hpaScales(x.w, x.c.Name, resource) == nil {
		return
	}
	a.Notes = append(a.Notes, fmt.Sprintf("HPA %s scales on %s utilization, a share of this request: changing it changes when the HPA scales (see the %s advice)",
		x.w.HPA.Name, resource, KindHPAShift.Label()))
	if !x.opts.AdviseHPAResources {
		a.Changes = nil
		a.Severity = Info
		a.Notes = append(a.Notes, "not offered as a patch because the HPA scales on it: run kgotop with --advise-hpa-resources to get one")
	}
}
