package advisor

import (
	"fmt"
	"strings"
)

// adviseMemory makes the memory request and limit advice.
func adviseMemory(x wctx, hs history, heap heapState, cpuLimit int64) (out []Advice, plan memoryPlan) {
	v, ok := decideMemory(x, hs, heap, cpuLimit)
	plan.current, plan.limit = v.lim, v.lim
	if !ok {
		return nil, plan
	}
	var lim, req *Advice
	if v.limit != v.lim {
		lim = v.writeLimit(x, hs, heap)
		plan.limit, plan.limitID, plan.limitSeverity, plan.emergency = v.limit, lim.ID, lim.Severity, v.emergency()
	}
	if v.request != v.req {
		req = v.writeRequest(x, hs)
	}
	switch {
	case lim != nil && req != nil && v.guaranteed:
		lim.Requires, req.Requires = []string{req.ID}, []string{lim.ID} // request = limit: together or not at all
	case lim != nil && req != nil && v.request > v.lim && v.lim > 0:
		req.Requires = []string{lim.ID} // above the limit in force until it is raised
	case lim != nil && req != nil && v.limit < v.req:
		lim.Requires = []string{req.ID} // below the request in force until it is lowered
	}
	if req != nil && !req.Patchable() {
		lim.dropRequire(req.ID)
	}
	for _, a := range []*Advice{lim, req} {
		if a != nil {
			out = append(out, *a)
		}
	}
	return out, plan
}

// dropRequire forgets a requirement on advice that carries no change (a
// request an HPA scales on): the limit then stands on its own. a may be nil.
func (a *Advice) dropRequire(id string) {
	if a == nil {
		return
	}
	for i, r := range a.Requires {
		if r == id {
			a.Requires = append(a.Requires[:i:i], a.Requires[i+1:]...)
			return
		}
	}
}

// writeLimit is the advice that moves the memory limit, graded by its cause.
func (v memoryVerdict) writeLimit(x wctx, hs history, heap heapState) *Advice {
	var a Advice
	switch v.limCause {
	case memOOM:
		a = x.advice(KindMemoryLimit, Critical, fmt.Sprintf(
			"OOMKilled at the %s limit: raise it to %s (max(used + 100MiB, used x 1.2), used = max(request, peak, limit))",
			formatMemory(v.lim), formatMemory(v.limit)))
		if v.pastOOM > 0 {
			a.Reason = fmt.Sprintf("OOMKilled %s in the last %s (%s), pods since replaced: raise the %s limit to %s (max(used + 100MiB, used x 1.2), used = max(request, the peak %s))",
				count(int(v.pastOOM), "time"), formatDuration(x.c.Past.Range), x.c.Past.Source, formatMemory(v.lim), formatMemory(v.limit), humanBytes(v.used))
		}
	case memOOMNoLimit:
		a = x.advice(KindMemoryLimit, Warning, fmt.Sprintf(
			"OOMKilled with no memory limit: the node ran out of memory; cap the container at %s and reserve it with the request",
			formatMemory(v.limit)))
	case memHeap:
		g := gomemlimitFor(v.lim, heap.nonGo)
		a = x.advice(KindMemoryLimit, Warning, fmt.Sprintf(
			"the live heap of %s is %.0f%% of the %s GOMEMLIMIT the %s limit allows: the GC would run nearly all the time to stay under it; raise the limit to %s",
			humanBytes(heap.live), 100*float64(heap.live)/float64(max(g, 1)), humanBytes(g), formatMemory(v.lim), formatMemory(v.limit)))
	case memPeak:
		sev := Warning
		if v.peak >= v.lim {
			sev = Critical
		}
		a = x.advice(KindMemoryLimit, sev, fmt.Sprintf("peak %s is %.0f%% of the %s limit: raise it to %s before it is OOMKilled",
			humanBytes(v.peak), 100*float64(v.peak)/float64(v.lim), formatMemory(v.lim), formatMemory(v.limit)))
	case memRatio:
		why := fmt.Sprintf("the memory request moves to %s", formatMemory(v.request))
		if v.request == v.req {
			why = fmt.Sprintf("the %s limit is %.1fx the %s request: a pod may grow far past what the scheduler reserved, and is evicted first when the node runs short",
				formatMemory(v.lim), float64(v.lim)/float64(max(v.req, 1)), formatMemory(v.req))
		}
		a = x.advice(KindMemoryLimit, Info, fmt.Sprintf("%s; the limit moves with it to %s (the larger of the request and the peak %s + %.0f%%)",
			why, formatMemory(v.limit), humanBytes(v.peak), x.opts.SafetyMargin*100))
		if v.limit < v.lim {
			a.Reason = strings.Replace(a.Reason, "the limit moves with it to", "lower the limit with it to", 1)
		}
	case memCap:
		a = x.advice(KindMemoryLimit, Info, fmt.Sprintf(
			"no memory limit: a leak takes memory from the node's other pods, and GOMEMLIMIT needs a limit to follow; %s covers the peak with margin",
			formatMemory(v.limit)))
	case memQoS:
		a = x.advice(KindMemoryLimit, Info, v.qosReason(x))
		a.Severity = sizingSeverity(Memory, v.lim, v.limit, nil, hs.conf)
	}
	a.Current, a.Suggested = memValue(v.lim), memValue(v.limit)
	a.Evidence = append(a.Evidence, memEv("peak", v.peak))
	switch {
	case v.pastOOM > 0:
		a.Evidence = append(a.Evidence, num("OOM kills, past "+formatDuration(x.c.Past.Range), fmt.Sprint(v.pastOOM), float64(v.pastOOM), Count), memEv("OOM bump", v.bump))
	case v.oom:
		n := x.c.Terminations("OOMKilled")
		a.Evidence = append(a.Evidence, num("OOMKilled instances", fmt.Sprint(n), float64(n), Count), memEv("OOM bump", v.bump))
	}
	if v.limCause == memHeap {
		a.Evidence = append(a.Evidence, heap.evidence()...)
	}
	if hs.h != nil {
		a.Evidence = append(a.Evidence, historyEvidence(hs)...)
		a.Confidence = hs.conf
	}
	if v.oom {
		// An OOMKill is proof enough, whatever the history.
		a.Confidence = Confidence{Level: High, Score: 1, SpanSeconds: hs.conf.SpanSeconds, Samples: hs.conf.Samples}
	}
	a.Changes = []Change{setResource(x.c.Name, Limits, Memory, v.limit)}
	hs.hold(&a, v.emergency())
	return &a
}

// qosReason says why request and limit move together.
func (v memoryVerdict) qosReason(x wctx) string {
	why := "requests equal limits (Guaranteed QoS) today"
	if x.opts.MemoryQoS == MemoryGuaranteed {
		why = "the memory policy is guaranteed"
	}
	return fmt.Sprintf("%s: memory request and limit move together to %s (the largest of the P90 peak + %.0f%% and the peak + %.0f%%)",
		why, formatMemory(v.limit), x.opts.SafetyMargin*100, x.opts.SafetyMargin*100)
}

// writeRequest is the advice that moves the memory request.
func (v memoryVerdict) writeRequest(x wctx, hs history) *Advice {
	pct := x.opts.SafetyMargin * 100
	reason := fmt.Sprintf("P90 of the memory peaks is %s: request %s (P90 + %.0f%%)", humanBytes(v.p90), formatMemory(v.request), pct)
	switch {
	case v.reqCause == memQoS:
		reason = v.qosReason(x)
	case v.reqCause == memRatio:
		reason = fmt.Sprintf("the memory limit becomes %s: the request rises to %s, so that the limit is at most %dx the request",
			formatMemory(v.limit), formatMemory(v.request), maxLimitRatio)
	case v.oom && v.lim == 0 && v.request == v.bump:
		reason = fmt.Sprintf("OOMKilled with no limit: request %s (the VPA's bump over %s used) so the scheduler reserves it", formatMemory(v.request), humanBytes(v.used))
	case v.req == 0:
		reason = fmt.Sprintf("no memory request: the scheduler reserves nothing and the pod is evicted first; request %s (P90 of the peaks %s + %.0f%%)",
			formatMemory(v.request), humanBytes(v.p90), pct)
	case v.request < v.req:
		reason = fmt.Sprintf("request %s is %.1fx the P90 peak of %s: lower it to %s", formatMemory(v.req),
			float64(v.req)/float64(max(v.p90, 1)), humanBytes(v.p90), formatMemory(v.request))
	}
	r := x.advice(KindMemoryRequest, Info, reason)
	r.Current, r.Suggested = memValue(v.req), memValue(v.request)
	if v.sized {
		m := 1 + x.opts.SafetyMargin
		lower, upper := hs.bounds(float64(v.p50)*m, float64(v.p95)*m)
		r.Range = &Range{Lower: memValue(max(ceilTo(lower, mib), mib)), Upper: memValue(max(ceilTo(upper, mib), v.request))}
		r.Evidence = []Evidence{memEv("P50 peak", v.p50), memEv("P90 peak", v.p90), memEv("P95 peak", v.p95), memEv("peak", v.peak),
			num("closed windows", fmt.Sprint(hs.h.Windows), float64(hs.h.Windows), Count)}
		r.Evidence = append(r.Evidence, historyEvidence(hs)...)
	}
	r.Severity = sizingSeverity(Memory, v.req, v.request, r.Range, hs.conf)
	if v.oom && v.lim == 0 {
		r.Severity = Critical
	}
	r.Confidence = hs.conf
	r.Changes = []Change{setResource(x.c.Name, Requests, Memory, v.request)}
	hpaCaution(x, &r, "memory")
	follows := v.reqCause != memHistory && v.emergency()
	hs.hold(&r, follows || v.req == 0 && bestEffort(x.c) || v.oom && v.lim == 0)
	return &r
}
