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
	case lim != nil && req != nil && (v.limit < v.req || v.limCause == memRatio && v.limit < v.lim):
		// Below the request in force until it is lowered, or lowered only
		// because the request is: the limit waits for it.
		lim.Requires = []string{req.ID}
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
			"OOMKilled at the %s: raise it to %s (%s)", v.killedAt(), formatMemory(v.limit), v.raisedFrom(x)))
		if v.pastOOM > 0 {
			a.Reason = fmt.Sprintf("OOMKilled %s in the last %s (%s), pods since replaced: raise the %s limit to %s (%s)",
				count(int(v.pastOOM), "time"), formatDuration(x.c.Past.Range), x.c.Past.Source, formatMemory(v.lim), formatMemory(v.limit), v.raisedFrom(x))
		}
	case memOOMNoLimit:
		a = x.advice(KindMemoryLimit, Warning, fmt.Sprintf(
			"OOMKilled with no memory limit: the node ran out of memory; cap the container at %s and reserve it with the request",
			formatMemory(v.limit)))
	case memHeap:
		g := gomemlimitFor(v.lim, heap.nonGo)
		a = x.advice(KindMemoryLimit, Warning, fmt.Sprintf(
			"the live heap of %s is %.0f%% of the %s GOMEMLIMIT the %s limit allows: %s; raise the limit to %s",
			humanBytes(heap.live), 100*float64(heap.live)/float64(max(g, 1)), humanBytes(g), formatMemory(v.lim),
			strings.Replace(heap.gcPressure(g), "the GC runs", "the GC would run", 1), formatMemory(v.limit)))
	case memPeak:
		sev := Warning
		if v.peak >= v.lim {
			sev = Critical
		}
		a = x.advice(KindMemoryLimit, sev, fmt.Sprintf("peak %s is %.0f%% of the %s limit: raise it to %s before it is OOMKilled",
			usageBytes(v.peak), 100*float64(v.peak)/float64(v.lim), formatMemory(v.lim), formatMemory(v.limit)))
	case memRatio:
		a = x.advice(KindMemoryLimit, Info, v.ratioReason(x))
	case memCap:
		a = x.advice(KindMemoryLimit, Info, fmt.Sprintf(
			"no memory limit: a leak takes memory from the node's other pods, and GOMEMLIMIT needs a limit to follow; %s covers the peak with margin",
			formatMemory(v.limit)))
	case memQoS:
		// Graded like a Burstable limit that moves with its request: the
		// request carries the size of the change.
		a = x.advice(KindMemoryLimit, Info, v.qosReason(x))
	}
	a.Current, a.Suggested = memValue(v.lim), memValue(v.limit)
	a.Evidence = append(a.Evidence, usageEv("peak", v.peak))
	switch {
	case v.pastOOM > 0:
		a.Evidence = append(a.Evidence, storeEvidence(x.c, storeOOMKills)...)
		a.Evidence = append(a.Evidence, limitEv("the VPA's step after an OOMKill", v.bump))
	case v.oom:
		n := len(v.kills)
		restarts := x.c.RestartCount()
		a.Evidence = append(a.Evidence, num("restarts", fmt.Sprint(restarts), float64(restarts), Count),
			num("last termination", fmt.Sprintf("OOMKilled (%d of %d pods)", n, len(x.c.Instances)), float64(n), Count))
		a.Evidence = append(a.Evidence, storeEvidence(x.c, storeOOMKills)...)
		a.Evidence = append(a.Evidence, limitEv("the VPA's step after an OOMKill", v.bump))
	}
	if v.limCause == memHeap {
		a.Evidence = append(a.Evidence, heap.evidence()...)
	}
	if hs.h != nil {
		a.Evidence = append(a.Evidence, historyEvidence(hs)...)
		a.Confidence = hs.conf
	}
	if v.oom {
		// An OOMKill is proof enough, whatever the history; the peak it
		// sizes from still says where its history came from.
		a.Confidence = Confidence{Level: High, Score: 1, SpanSeconds: hs.conf.SpanSeconds, Samples: hs.conf.Samples,
			Source: hs.conf.Source, Note: hs.conf.Source}
	}
	a.Changes = []Change{setResource(x.c.Name, Limits, Memory, v.limit)}
	hs.hold(&a, v.emergency())
	return &a
}

// raisedFrom says what an OOMKilled container's new limit comes from: the
// VPA's step after an OOMKill, or more when the peak, a real step over the
// limit it was killed at, the live heap or the request needs more.
func (v memoryVerdict) raisedFrom(x wctx) string {
	switch v.limit {
	case v.bump:
		return "as the VPA does after an OOMKill: " + v.oomStep()
	case v.need:
		from := v.needFrom(x.opts.SafetyMargin * 100)
		if !strings.Contains(from, "the VPA's step") {
			from += fmt.Sprintf("; the VPA's step after an OOMKill would be %s", formatMemory(v.bump))
		}
		return from
	case v.request:
		return fmt.Sprintf("the request it rises with; the VPA's step after an OOMKill would be %s", formatMemory(v.bump))
	}
	return fmt.Sprintf("a real step up from the limit; the VPA's step after an OOMKill would be %s", formatMemory(v.bump))
}

// ratioReason says why a Burstable limit moves with the request, and why
// it goes where it goes.
func (v memoryVerdict) ratioReason(x wctx) string {
	pct := x.opts.SafetyMargin * 100
	if v.limit > v.lim {
		return fmt.Sprintf("the memory request rises to %s, above the %s limit: the limit rises with it to %s (the larger of the request and the peak %s + %.0f%%)",
			formatMemory(v.request), formatMemory(v.lim), formatMemory(v.limit), usageBytes(v.peak), pct)
	}
	why := fmt.Sprintf("the memory request moves to %s, and the %s limit would be %.1fx it", formatMemory(v.request), formatMemory(v.lim),
		float64(v.lim)/float64(max(v.request, 1)))
	if v.request == v.req {
		why = fmt.Sprintf("the %s limit is %.1fx the %s request: a pod may grow far past what the scheduler reserved, and is evicted first when the node runs short",
			formatMemory(v.lim), float64(v.lim)/float64(max(v.req, 1)), formatMemory(v.req))
	}
	var where string
	switch l := v.limit; {
	case v.short && l == v.upper && l > v.need:
		where = "the upper bound of what the usage supports (with under a day of history, a daily peak not seen yet would be an OOMKill)"
	case l == maxLimitRatio*v.request:
		where = fmt.Sprintf("%dx the request, the most a LimitRange commonly allows", maxLimitRatio)
		if v.upper > l {
			where += fmt.Sprintf(" (the usage supports up to %s)", formatMemory(v.upper))
		}
	case l == v.upper && l > v.need:
		where = "the upper bound of what the usage supports"
	case l == v.pastFloor && l > v.request:
		where = v.pastWords()
	case l == v.heapLimit && l > v.request:
		where = "the room the live heap needs under GOMEMLIMIT"
	case l == v.need && l > v.request:
		where = fmt.Sprintf("the peak %s + %.0f%%", usageBytes(v.peak), pct)
	default:
		where = "the request"
	}
	return fmt.Sprintf("%s; lower the limit to %s, %s, and no further: a lower limit frees nothing on the node, whose scheduler counts requests, and brings the OOMKill closer",
		why, formatMemory(v.limit), where)
}

// qosReason says why request and limit move together, and from what.
func (v memoryVerdict) qosReason(x wctx) string {
	why := "requests equal limits (Guaranteed QoS) today"
	if x.opts.MemoryQoS == MemoryGuaranteed {
		why = "--memory-qos guaranteed sets the memory request to the limit"
		if q := x.c.Resources; q.Limits.CPU <= 0 || q.Requests.CPU != q.Limits.CPU {
			why += " (the pod stays Burstable: its CPU request is not its CPU limit)"
		}
	}
	return fmt.Sprintf("%s: memory request and limit move together to %s (%s)", why, formatMemory(v.limit), v.qosFrom)
}

// writeRequest is the advice that moves the memory request.
func (v memoryVerdict) writeRequest(x wctx, hs history) *Advice {
	pct := x.opts.SafetyMargin * 100
	reason := fmt.Sprintf("P90 of the memory peaks is %s: request %s (P90 + %.0f%%)", usageBytes(v.p90), formatMemory(v.request), pct)
	switch {
	case v.reqCause == memQoS:
		reason = v.qosReason(x)
	case v.reqCause == memRatio && v.request < v.req && v.short && v.limit <= v.lim:
		bound := fmt.Sprintf("the limit comes down no lower than %s, the upper bound of what the usage supports", formatMemory(v.limit))
		if v.limit == v.lim {
			bound = fmt.Sprintf("the %s limit stays, under the upper bound of what the usage supports (%s)", formatMemory(v.lim), formatMemory(v.upper))
		}
		reason = fmt.Sprintf("request %s is %.1fx the P90 peak of %s, but with under a day of history %s: lower the request to %s, half of it, "+
			"so that the limit is at most %dx the request (P90 + %.0f%% would be %s)",
			formatMemory(v.req), float64(v.req)/float64(max(v.p90, 1)), usageBytes(v.p90), bound, formatMemory(v.request), maxLimitRatio, pct, formatMemory(v.target))
	case v.reqCause == memRatio && v.limit == v.lim:
		short := ""
		if v.short {
			short = ", as low as it goes with under a day of history"
		}
		reason = fmt.Sprintf("the %s memory limit stays%s: the request rises to %s, so that the limit is at most %dx the request",
			formatMemory(v.limit), short, formatMemory(v.request), maxLimitRatio)
	case v.reqCause == memRatio:
		verb := "rises to"
		if v.request < v.req {
			verb = "comes down only to"
		}
		reason = fmt.Sprintf("the memory limit becomes %s: the request %s %s, so that the limit is at most %dx the request",
			formatMemory(v.limit), verb, formatMemory(v.request), maxLimitRatio)
	case v.oom && v.lim == 0 && v.request == v.bump:
		reason = fmt.Sprintf("OOMKilled with no limit: request %s so the scheduler reserves it, as the VPA does after an OOMKill: %s", formatMemory(v.request), v.oomStep())
	case v.req == 0:
		reason = fmt.Sprintf("no memory request: the scheduler reserves nothing and the pod is evicted first; request %s (P90 of the peaks %s + %.0f%%)",
			formatMemory(v.request), usageBytes(v.p90), pct)
	case v.request < v.req:
		reason = fmt.Sprintf("request %s is %.1fx the P90 peak of %s: lower it to %s", formatMemory(v.req),
			float64(v.req)/float64(max(v.p90, 1)), usageBytes(v.p90), formatMemory(v.request))
	}
	switch {
	case v.reqCause != memHistory:
	case v.censored():
		reason += fmt.Sprintf("; a lower bound: the peaks sit at the %s limit the container was OOMKilled at, so what it would use above it is unseen",
			formatMemory(v.killedLimit()))
	case v.peaksAbove():
		reason += fmt.Sprintf("; not cut by the %s limit it was OOMKilled at: %s", formatMemory(v.killedLimit()), v.seenUnder(x, hs.h.MemoryPeak))
	}
	r := x.advice(KindMemoryRequest, Info, reason)
	r.Current, r.Suggested = memValue(v.req), memValue(v.request)
	if v.sized {
		m := 1 + x.opts.SafetyMargin
		lower, upper := hs.bounds(float64(v.p50)*m, float64(v.p95)*m)
		if !hs.firstLook { // a range from seconds of use would say nothing
			r.Range = &Range{Lower: memValue(max(ceilTo(lower, mib), mib)), Upper: memValue(max(ceilTo(upper, mib), v.request))}
			if v.limit > 0 {
				r.Range.clipTo(max(v.limit, v.request), memValue)
			}
		}
		r.Evidence = []Evidence{usageEv("P50 peak", v.p50), usageEv("P90 peak", v.p90), usageEv("P95 peak", v.p95), usageEv("peak", v.peak),
			num("daily peaks", dailyPeaks(hs.h.Windows), float64(hs.h.Windows), Count)}
		r.Evidence = append(r.Evidence, historyEvidence(hs)...)
	}
	r.Severity = sizingSeverity(Memory, v.req, v.request, r.Range, hs.conf)
	if v.oom && v.lim == 0 {
		r.Severity = Critical
	}
	r.Confidence = hs.conf
	r.Changes = []Change{setResource(x.c.Name, Requests, Memory, v.request)}
	if v.censored() {
		r.Notes = append(r.Notes, fmt.Sprintf("measure again once the raised limit no longer cuts the peaks: the request may need to grow (the VPA's step after an OOMKill is %s)",
			formatMemory(v.bump)))
	}
	hpaCaution(x, &r, "memory")
	follows := v.reqCause != memHistory && v.emergency()
	emergency := follows || v.req == 0 && bestEffort(x.c) || v.oom && v.lim == 0
	hs.hold(&r, emergency)
	// A request that follows a raised limit goes with it; one that only
	// keeps the ratio of a lowered limit waits, like the limit, while the
	// request in force lies inside the range.
	hs.holdInside(&r, emergency || v.reqCause == memQoS || v.reqCause == memRatio && v.limit > v.lim)
	return &r
}

// dailyPeaks says how many days' memory peaks the request rests on.
func dailyPeaks(closed int) string {
	if closed == 0 {
		return "the current day only"
	}
	return fmt.Sprintf("%s and the current one", count(closed, "full day"))
}
