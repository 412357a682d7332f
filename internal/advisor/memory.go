package advisor

import (
	"github.com/kgotop/kgotop/internal/model"
)

const (
	// minMemory is the default floor of a memory request (krr: 100Mi; Options.MemoryFloor).
	minMemory = 100 * mib
	// memoryStep is the least change worth advising.
	memoryStep = 16 * mib
	// oomExtra and oomFactor make the VPA's bump after an OOMKill:
	// max(used + 100MiB, used x 1.2).
	oomExtra  = 100 * mib
	oomFactor = 1.2
)

// memoryPlan is the memory limit in force after the advice and the ID of the
// advice that changed it, for the GOMEMLIMIT rule.
type memoryPlan struct {
	current, limit int64
	limitID        string
	// limitSeverity is that advice's severity, which a GOMEMLIMIT that only
	// follows the limit shares; emergency says the change answers an OOMKill
	// or a live heap crowding GOMEMLIMIT, not the usage history.
	limitSeverity Severity
	emergency     bool
}

// memCause says why a memory limit or request changes.
type memCause int

const (
	memKeep memCause = iota
	memHistory
	memOOM        // OOMKilled at the limit: the VPA's bump
	memOOMNoLimit // OOMKilled with no limit: the node ran out
	memHeap       // the live heap would crowd the GOMEMLIMIT the limit allows
	memPeak       // the observed peak is near the limit
	memRatio      // the limit moves with the request; the request stays within maxLimitRatio of it
	memCap        // no limit: cap it at the peak with margin
	memQoS        // request = limit (Guaranteed)
)

// memoryVerdict is what the memory rule decided: the request and limit now
// and after (equal when unchanged), why, and the numbers it rests on.
type memoryVerdict struct {
	req, lim           int64
	request, limit     int64
	reqCause, limCause memCause
	peak, used, bump   int64
	p50, p90, p95      int64
	// upper is the VPA's upper bound for the request (0 when not sized): a
	// value inside the bounds is left alone rather than cut.
	upper              int64
	sized, oom, locked bool
	// need is the least safe limit: max(peak x margin, OOM bump, the limit
	// the live heap needs); heapLimit is the last of these (0 when none).
	need, heapLimit int64
	// guaranteed says request = limit (the policy, or Guaranteed kept).
	guaranteed bool
}

// oomKilled reports whether an instance of the container was last OOMKilled.
func oomKilled(c model.Container) bool {
	return c.Terminations("OOMKilled") > 0
}

// decideMemory sizes a container's memory request and limit together.
// cpuLimit is the CPU limit in force after the CPU advice: a container that
// loses it is no longer Guaranteed, whatever its memory does.
func decideMemory(x wctx, hs history, heap heapState, cpuLimit int64) (memoryVerdict, bool) {
	v := memoryVerdict{req: positive(x.c.Resources.Requests.Memory), lim: positive(x.c.Resources.Limits.Memory)}
	v.request, v.limit = v.req, v.lim
	if hs.h != nil && absurd(hs.h.MemoryPeak.Value) || absurd(v.req, v.lim) {
		return v, false
	}
	m := 1 + x.opts.SafetyMargin
	if hs.h != nil {
		v.peak = positive(hs.h.MemoryPeak.Value)
	}
	v.oom = oomKilled(x.c)
	v.used = max(v.req, v.peak, v.lim)
	v.bump = ceilTo(max(float64(v.used+oomExtra), float64(v.used)*oomFactor), mib)
	var target int64 // the request the history supports
	v.sized = hs.enough && (!hs.h.Memory.Empty() || len(hs.h.WindowPeaks) > 0)
	if v.sized {
		peaks := hs.h.MemoryPeaks()
		pct := func(p float64) int64 { return ceilTo(percentile(peaks, p, float64(v.peak)), 1) }
		v.p50, v.p90, v.p95 = pct(0.5), pct(0.9), pct(0.95)
		target = applyFloor(ceilTo(float64(v.p90)*m, mib), v.req, x.opts.MemoryFloor)
		_, upper := hs.bounds(float64(v.p50)*m, float64(v.p95)*m)
		v.upper = ceilTo(upper, mib)
	}
	if v.oom && v.lim == 0 {
		target = max(target, v.bump) // killed by the node: reserve what it needed
	}
	if v.peak > 0 {
		v.need = ceilTo(float64(v.peak)*m, mib)
	}
	if recent, known := goAtLeast(x, 19); heap.live > 0 && (recent || !known) {
		// Any limit, kept or new, must leave GOMEMLIMIT room for the live heap.
		v.heapLimit = limitForLive(heap.live, heap.nonGo)
		v.need = max(v.need, v.heapLimit)
	}
	if v.oom {
		v.need = max(v.need, v.bump)
	}
	v.locked = hpaScales(x.w, x.c.Name, "memory") != nil && !x.opts.AdviseHPAResources
	v.guaranteed = !v.locked && (x.opts.MemoryQoS == MemoryGuaranteed || x.opts.keepsGuaranteed(guaranteed(x.c)) && cpuLimit > 0)
	if v.guaranteed {
		v.decideGuaranteed(x, hs, target)
	} else {
		v.decideBurstable(x, hs, target)
	}
	return v, true
}

// raiseCause names why the limit must go up to need.
func (v *memoryVerdict) raiseCause() memCause {
	switch {
	case v.oom && v.lim == 0:
		return memOOMNoLimit
	case v.oom:
		return memOOM
	case v.heapLimit > 0 && v.heapLimit == v.need:
		return memHeap
	}
	return memPeak
}

// decideBurstable sets the request from the history and moves the limit
// with it, to max(request, need) (need: the peak with margin, an OOM bump, a
// live heap's room), within maxLimitRatio of the request. A limit that must
// rise takes the request up with it; a limit that stays inside
// [need, ratio x request] while the request stays is left alone.
func (v *memoryVerdict) decideBurstable(x wctx, hs history, target int64) {
	if target > 0 && !v.locked && differs(v.req, target, memoryStep, x.opts.Noise) {
		v.request, v.reqCause = target, memHistory
	}
	switch {
	case v.lim > 0 && v.need > v.lim:
		v.limit, v.limCause = max(v.need, raiseStep(v.lim, x.opts.Noise, mib), v.request), v.raiseCause()
	case v.lim == 0 && v.oom:
		v.limit, v.limCause = max(v.need, v.request), memOOMNoLimit
	case v.lim == 0 && v.sized && v.peak > 0 && hs.conf.Level == High:
		v.limit, v.limCause = max(v.need, v.request), memCap
	case v.lim > 0 && v.sized && v.peak > 0 && (v.request != v.req || v.lim > maxLimitRatio*v.request):
		if l := max(v.request, v.need); differs(v.lim, l, memoryStep, x.opts.Noise) {
			v.limit, v.limCause = l, memRatio
		}
	}
	if floor := ceilTo(float64(v.limit)/maxLimitRatio, mib); !v.locked && v.request > 0 && v.request < floor {
		// The limit rises: the request follows, within the ratio.
		v.request, v.reqCause = floor, memRatio
		if !differs(v.req, floor, memoryStep, x.opts.Noise) {
			v.request, v.reqCause = v.req, memKeep
		}
	}
	v.fit()
}

// fit keeps the request within the limit: a new limit never goes below the
// request in force, and a new request (the floor) never above the limit.
func (v *memoryVerdict) fit() {
	switch {
	case v.limit != v.lim:
		v.limit = max(v.limit, v.request)
	case v.limit > 0 && v.request != v.req && v.request > v.limit:
		v.request = max(v.limit, v.req)
		if v.request == v.req {
			v.reqCause = memKeep
		}
	}
}

// decideGuaranteed sets request = limit = max(the history's request, need),
// krr's choice; an emergency raise is a real step.
func (v *memoryVerdict) decideGuaranteed(x wctx, hs history, target int64) {
	raise := v.lim > 0 && v.need > v.lim
	if !v.sized && !raise && !(v.oom && v.lim == 0) {
		return
	}
	val := max(target, v.need)
	switch {
	case raise:
		val = max(val, raiseStep(v.lim, x.opts.Noise, mib))
	case v.lim > 0 && !differs(v.lim, val, memoryStep, x.opts.Noise),
		v.lim > val && v.lim <= v.upper && v.req == v.lim:
		val = v.lim // near, or a pair inside the bounds: it stays (the request joins the limit)
	}
	if val == 0 {
		return
	}
	cause := memQoS
	if raise || v.oom && v.lim == 0 {
		cause = v.raiseCause()
	}
	if val != v.lim {
		v.limit, v.limCause = val, cause
	}
	if val != v.req {
		v.request, v.reqCause = val, memQoS
	}
}

// emergency reports whether the limit change answers an emergency (an
// OOMKill, a live heap crowding GOMEMLIMIT), which needs no minimum history.
func (v memoryVerdict) emergency() bool {
	switch v.limCause {
	case memOOM, memOOMNoLimit, memHeap:
		return true
	}
	return false
}

// raiseStep is the least raised limit worth advising: the limit plus the
// noise fraction, rounded up to unit. A limit 1Mi above the old one fixes
// nothing and still restarts every pod.
func raiseStep(limit int64, noise float64, unit int64) int64 {
	return ceilTo(float64(limit)*(1+noise), unit)
}
