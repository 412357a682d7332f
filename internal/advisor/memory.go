package advisor

import (
	"fmt"

	"github.com/kgotop/kgotop/internal/model"
)

const (
	// minMemory is the floor of a memory request (krr: 100Mi).
	minMemory = 100 * mib
	// memoryStep is the least change worth advising.
	memoryStep = 16 * mib
	// oomExtra and oomFactor make the VPA's bump after an OOMKill:
	// max(used + 100MiB, used x 1.2).
	oomExtra  = 100 * mib
	oomFactor = 1.2
	// gomemlimitShare is GOMEMLIMIT's share of the memory limit (automemlimit:
	// 0.9, leaving the 10% headroom the GC guide asks for).
	gomemlimitShare = 0.9
)

// memoryPlan is the memory limit in force after the advice and the ID of the
// advice that changed it, for the GOMEMLIMIT rule.
type memoryPlan struct {
	current, limit int64
	limitID        string
}

// oomKilled reports whether an instance of the container was last OOMKilled.
func oomKilled(c model.Container) bool {
	return c.Terminations("OOMKilled") > 0
}

// adviseMemory makes the memory request and limit advice.
func adviseMemory(x wctx, hs history) (out []Advice, plan memoryPlan) {
	req, lim := positive(x.c.Resources.Requests.Memory), positive(x.c.Resources.Limits.Memory)
	plan.current, plan.limit = lim, lim
	if hs.h != nil && absurd(req, lim, hs.h.MemoryPeak.Value) || absurd(req, lim) {
		return nil, plan
	}
	m := 1 + x.opts.SafetyMargin
	var peak int64
	if hs.h != nil {
		peak = positive(hs.h.MemoryPeak.Value)
	}
	oom := oomKilled(x.c)
	used := max(req, peak, lim)
	bump := ceilTo(max(float64(used+oomExtra), float64(used)*oomFactor), mib)
	heap, heapFrom := heapNeed(x)

	// The request the history supports, before it meets the limit.
	var target, p50, p90, p95 int64
	sized := hs.enough && (!hs.h.Memory.Empty() || len(hs.h.WindowPeaks) > 0)
	if sized {
		peaks := hs.h.MemoryPeaks()
		pct := func(p float64) int64 { return ceilTo(percentile(peaks, p, float64(peak)), 1) }
		p50, p90, p95 = pct(0.5), pct(0.9), pct(0.95)
		target = applyFloor(ceilTo(float64(p90)*m, mib), req, minMemory)
	}
	if oom && lim == 0 {
		// Killed by the node, not a limit: reserve what it needed.
		target = max(target, bump)
	}
	reqAfter := req
	locked := hpaScales(x.w, x.c.Name, "memory") != nil && !x.opts.AdviseHPAResources
	if target > 0 && !locked && differs(req, target, memoryStep, x.opts.Noise) {
		reqAfter = target
	}

	// The limit: never below the observed peak, raised after an OOMKill and
	// for a Go heap that GOMEMLIMIT at 90% would not hold.
	want := ceilTo(float64(peak)*m, mib)
	if heap > 0 && (lim > 0 || oom) && (lim == 0 || heap > gomemlimitFor(lim)) {
		want = max(want, limitForHeap(heap))
	}
	if oom {
		want = max(want, bump)
	}
	if lim > 0 && want > lim || lim == 0 && oom {
		// A raise is worth a restart only if it is a real step, and never
		// leaves the limit below the request.
		want = max(want, raiseStep(lim, x.opts.Noise, mib), reqAfter)
	}
	var a *Advice
	switch {
	case lim > 0 && want > lim:
		a = raiseLimit(x, lim, want, peak, oom, heap, heapFrom, hs)
	case lim > 0 && want < lim && !oom && peak > 0 && hs.conf.Level == High &&
		differs(lim, max(want, reqAfter), memoryStep, x.opts.Noise):
		want = max(want, reqAfter)
		l := x.advice(KindMemoryLimit, Info, fmt.Sprintf("the limit is %.1fx the peak of %s over %s: lower it to %s",
			float64(lim)/float64(max(peak, 1)), humanBytes(peak), formatDuration(hs.conf.Span()), formatMemory(want)))
		a = &l
	case lim == 0 && oom:
		l := x.advice(KindMemoryLimit, Warning, fmt.Sprintf(
			"OOMKilled with no memory limit: the node ran out of memory; cap the container at %s and reserve it with the request",
			formatMemory(want)))
		a = &l
	case lim == 0 && sized && peak > 0 && hs.conf.Level == High:
		want = max(want, reqAfter)
		l := x.advice(KindMemoryLimit, Info, fmt.Sprintf(
			"no memory limit: a leak takes memory from the node's other pods, and GOMEMLIMIT needs a limit to follow; %s covers the peak with margin",
			formatMemory(want)))
		a = &l
	}
	if a != nil && want > 0 {
		want = max(want, reqAfter) // never a limit below the request in force
		a.Current, a.Suggested = memValue(lim), memValue(want)
		a.Evidence = append(a.Evidence, memEv("peak", peak))
		if oom {
			a.Evidence = append(a.Evidence, num("OOMKilled instances", fmt.Sprint(x.c.Terminations("OOMKilled")),
				float64(x.c.Terminations("OOMKilled")), Count), memEv("OOM bump", bump))
		}
		if heap > 0 {
			a.Evidence = append(a.Evidence, memEv(heapFrom, heap))
		}
		if hs.h != nil {
			a.Evidence = append(a.Evidence, historyEvidence(hs)...)
			a.Confidence = hs.conf
		}
		if oom {
			// An OOMKill is proof enough, whatever the history.
			a.Confidence = Confidence{Level: High, Score: 1, SpanSeconds: hs.conf.SpanSeconds, Samples: hs.conf.Samples}
		}
		a.Changes = []Change{setResource(x.c.Name, Limits, Memory, want)}
		out = append(out, *a)
		plan.limit, plan.limitID = want, a.ID
	}

	if plan.limit > 0 && target > plan.limit {
		target = plan.limit
	}
	if target == 0 || !differs(req, target, memoryStep, x.opts.Noise) {
		return out, plan
	}
	reason := fmt.Sprintf("P90 of the memory peaks is %s: request %s (P90 + %.0f%%)", humanBytes(p90), formatMemory(target), x.opts.SafetyMargin*100)
	if req > 0 && target < req {
		reason = fmt.Sprintf("request %s is %.1fx the P90 peak of %s: lower it to %s", formatMemory(req),
			float64(req)/float64(max(p90, 1)), humanBytes(p90), formatMemory(target))
	}
	if oom && lim == 0 && target == bump {
		reason = fmt.Sprintf("OOMKilled with no limit: request %s (the VPA's bump over %s used) so the scheduler reserves it", formatMemory(target), humanBytes(used))
	}
	sev := sizingSeverity(req, p90, target, hs.conf)
	if oom && lim == 0 {
		sev = Critical
	}
	r := x.advice(KindMemoryRequest, sev, reason)
	r.Current, r.Suggested = memValue(req), memValue(target)
	if sized {
		lower, upper := hs.bounds(float64(p50)*m, float64(p95)*m)
		r.Range = &Range{Lower: memValue(max(ceilTo(lower, mib), mib)), Upper: memValue(max(ceilTo(upper, mib), target))}
		r.Evidence = []Evidence{memEv("P50 peak", p50), memEv("P90 peak", p90), memEv("P95 peak", p95), memEv("peak", peak),
			num("closed windows", fmt.Sprint(hs.h.Windows), float64(hs.h.Windows), Count)}
		r.Evidence = append(r.Evidence, historyEvidence(hs)...)
	}
	r.Confidence = hs.conf
	r.Changes = []Change{setResource(x.c.Name, Requests, Memory, target)}
	if lim > 0 && target > lim && plan.limitID != "" {
		r.Requires = []string{plan.limitID} // above the limit in force until it is raised
	}
	hpaCaution(x, &r, "memory")
	return append(out, r), plan
}

// raiseLimit is the advice to raise a memory limit, graded by its cause.
func raiseLimit(x wctx, lim, want, peak int64, oom bool, heap int64, heapFrom string, hs history) *Advice {
	var a Advice
	switch {
	case oom:
		a = x.advice(KindMemoryLimit, Critical, fmt.Sprintf(
			"OOMKilled at the %s limit: raise it to %s (max(used + 100MiB, used x 1.2), used = max(request, peak, limit))",
			formatMemory(lim), formatMemory(want)))
	case heap > 0 && heap > gomemlimitFor(lim):
		a = x.advice(KindMemoryLimit, Warning, fmt.Sprintf(
			"the Go heap needs %s (%s) but GOMEMLIMIT at 90%% of the %s limit allows %s: raise the limit to %s",
			humanBytes(heap), heapFrom, formatMemory(lim), humanBytes(gomemlimitFor(lim)), formatMemory(want)))
	default:
		sev := Warning
		if peak >= lim {
			sev = Critical
		}
		a = x.advice(KindMemoryLimit, sev, fmt.Sprintf(
			"peak %s is %.0f%% of the %s limit: raise it to %s before it is OOMKilled",
			humanBytes(peak), 100*float64(peak)/float64(lim), formatMemory(lim), formatMemory(want)))
	}
	return &a
}

// heapNeed returns the heap the Go program needs at GOGC=100 (live heap x
// 2, the GC guide's target heap) and where the number comes from, or 0 when
// the runtime was not scraped. Without go_gc_heap_live_bytes the runtime's
// own next GC target stands in for it.
func heapNeed(x wctx) (int64, string) {
	rt := x.runtime()
	if rt == nil || !x.isGo() {
		return 0, ""
	}
	if rt.HeapLive > 0 {
		return 2 * min(rt.HeapLive, maxAmount/2), "live heap x 2"
	}
	if rt.NextGC > 0 {
		return min(rt.NextGC, maxAmount), "next GC target"
	}
	return 0, ""
}

// gomemlimitFor is the GOMEMLIMIT advised for a memory limit: 90% of it,
// rounded down to a MiB.
func gomemlimitFor(limit int64) int64 { return floorTo(float64(limit)*gomemlimitShare, mib) }

// limitForHeap is the least memory limit (in whole MiB) whose GOMEMLIMIT
// holds heap, so that the memory and GOMEMLIMIT rules never disagree by a
// rounding: the GOMEMLIMIT rule, run on the raised limit, finds it enough.
func limitForHeap(heap int64) int64 {
	l := ceilTo(float64(heap)/gomemlimitShare, mib)
	for l < maxAmount && gomemlimitFor(l) < heap {
		l += mib
	}
	return l
}

// raiseStep is the least raised limit worth advising: the limit plus the
// noise fraction, rounded up to unit. A limit 1Mi above the old one fixes
// nothing and still restarts every pod.
func raiseStep(limit int64, noise float64, unit int64) int64 {
	return ceilTo(float64(limit)*(1+noise), unit)
}
