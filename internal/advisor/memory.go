package advisor

import (
	"fmt"
	"math"

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
	// killLimit is the memory limit of the OOMKill the bump answers (the
	// pod's, which an OnDelete StatefulSet's template may have left behind);
	// kills are the OOMKills that are news (see oomKills).
	killLimit int64
	kills     []oomKill
	// target is the request the history supports (P90 + margin, floored).
	target int64
	// upper is the VPA's upper bound for the request (0 when not sized): a
	// value inside the bounds is left alone rather than cut.
	upper              int64
	sized, oom, locked bool
	// short says the history spans less than a day: no limit is cut under
	// the upper bound of what the usage supports.
	short bool
	// pastOOM counts OOM kills a store of metrics saw, when no pod there
	// now was OOMKilled (model.PastEvents): the bump then rests on the
	// memory the pods were killed at, not on today's limit.
	pastOOM int64
	// pastFloor is the VPA's step over pastPeak, the peak of kills a store
	// of metrics saw, once the limit answers them: no limit goes under it.
	pastFloor, pastPeak int64
	// need is the least safe limit: max(peak x margin, OOM bump, the limit
	// the live heap needs); heapLimit is the last of these (0 when none).
	need, heapLimit int64
	// guaranteed says request = limit (the policy, or Guaranteed kept), and
	// qosFrom what the pair's value comes from, in words.
	guaranteed bool
	qosFrom    string
}

// oomKilled reports whether an instance of the container was last OOMKilled.
func oomKilled(c model.Container) bool {
	return c.Terminations("OOMKilled") > 0
}

// oomBump is the VPA's memory after an OOMKill: max(used + 100MiB, used x
// 1.2), to the MiB.
func oomBump(used int64) int64 {
	return ceilTo(max(float64(used+oomExtra), float64(used)*oomFactor), mib)
}

// liveOOMs sizes the VPA's step after the OOMKills that are news, as the
// VPA does: used = max(the request the pod had when killed, the peak); the
// limit it was killed at is not counted, so a raise never bumps itself.
// The kill with the largest step sets the bump and the limit it names.
func (v *memoryVerdict) liveOOMs(x wctx) {
	v.used, v.bump = max(v.req, v.peak), oomBump(max(v.req, v.peak))
	v.kills = oomKills(x.w, x.c)
	for i, k := range v.kills {
		used := max(positive(k.request), v.peak)
		if b := oomBump(used); i == 0 || b > v.bump {
			v.used, v.bump, v.killLimit = used, b, positive(k.limit)
		}
	}
	v.oom = len(v.kills) > 0
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
	v.liveOOMs(x)
	v.pastOOMs(x.c)
	var target int64 // the request the history supports
	v.sized = hs.enough && (!hs.h.Memory.Empty() || len(hs.h.WindowPeaks) > 0)
	if v.sized {
		peaks := hs.h.MemoryPeaks()
		pct := func(p float64) int64 { return ceilTo(percentile(peaks, p, float64(v.peak)), 1) }
		v.p50, v.p90, v.p95 = pct(0.5), pct(0.9), pct(0.95)
		// From the P90 to the nearest MiB, as the evidence shows it, so
		// that "P90 + 15%" recomputes from the numbers printed.
		shown := math.Round(float64(v.p90)/float64(mib)) * float64(mib)
		target = applyFloor(ceilTo(shown*m, mib), v.req, x.opts.MemoryFloor)
		_, upper := hs.bounds(float64(v.p50)*m, float64(v.p95)*m)
		v.upper = ceilTo(upper, mib)
		v.short = hs.conf.Span() < day
	}
	v.target = target
	if v.oom && v.lim == 0 {
		target = max(target, v.bump) // killed by the node: reserve what it needed
	}
	if v.peak > 0 {
		v.need = ceilTo(float64(v.peak)*m, mib)
	}
	v.need = max(v.need, v.pastFloor)
	if recent, known := goAtLeast(x, 19); heap.live > 0 && (recent || !known) {
		// Any limit, kept or new, must leave GOMEMLIMIT room for the live heap.
		v.heapLimit = limitForLive(heap.live, heap.nonGo)
		v.need = max(v.need, v.heapLimit)
	}
	if v.oom {
		// A kill at a limit shows the memory reached it, whatever the
		// metrics caught between their samples: a real step over it.
		v.need = max(v.need, v.bump, raiseStep(v.killLimit, x.opts.Noise, mib))
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

// pastOOMs keeps an OOM kill alive after its pods were replaced: when a
// store of metrics saw kills and no pod there now was OOMKilled, the VPA's
// bump over the memory they were killed at (the past's peak: the request
// they had is not in the past, and today's may be kgotop's own raise)
// counts while the limit is below it. Once the limit covers it, the kills
// are answered, so advising again on the same past changes nothing.
func (v *memoryVerdict) pastOOMs(c model.Container) {
	p := c.Past
	if v.oom || p == nil || p.OOMKills <= 0 || p.MemoryPeak <= 0 {
		return
	}
	used := p.MemoryPeak
	bump := oomBump(used)
	if v.lim > 0 && v.lim >= bump {
		v.pastFloor, v.pastPeak = bump, used // answered: the limit stays over it
		return
	}
	v.oom, v.pastOOM, v.used, v.bump = true, p.OOMKills, used, bump
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
	ratio := false // the limit is judged against the request's ratio
	switch {
	case v.lim > 0 && v.need > v.lim:
		v.limit, v.limCause = max(v.need, raiseStep(v.lim, x.opts.Noise, mib), v.request), v.raiseCause()
	case v.lim == 0 && v.oom:
		v.limit, v.limCause = max(v.need, v.request), memOOMNoLimit
	case v.lim == 0 && v.sized && v.peak > 0 && hs.conf.Level == High:
		v.limit, v.limCause = max(v.need, v.request), memCap
	case v.lim > 0 && v.sized && v.peak > 0 && (v.request > v.lim || v.lim > maxLimitRatio*v.request):
		ratio = true
		if l := v.ratioLimit(); differs(v.lim, l, memoryStep, x.opts.Noise) {
			v.limit, v.limCause = l, memRatio
		}
	}
	if floor := ceilTo(float64(v.limit)/maxLimitRatio, mib); (ratio || v.limit != v.lim) && !v.locked && v.request > 0 && v.request < floor {
		// The limit rises, or goes (or stays) no lower than the ratio or,
		// under a day of history, the upper bound allows: the request
		// follows, within the ratio. A limit nothing judged leaves the
		// request to the history.
		v.request, v.reqCause = floor, memRatio
		if !differs(v.req, floor, memoryStep, x.opts.Noise) {
			v.request, v.reqCause = v.req, memKeep
		}
	}
	v.fit()
}

// ratioLimit is where a Burstable limit goes when it must move with the
// request: up to the request when the request passes it; down, when it is
// more than maxLimitRatio times the request, to that ratio (the VPA's
// proportional limit) or to the upper bound of what the usage supports
// when that is lower (Goldilocks' Burstable limit), and never below need.
// Under a day of history (v.short) it goes no lower than that upper bound
// either: a daily peak not seen yet would be an OOMKill, and a lower limit
// frees nothing on the node, whose scheduler counts requests; the request
// then rises to keep the ratio (decideBurstable).
func (v memoryVerdict) ratioLimit() int64 {
	l := max(v.request, v.need)
	if ratio := maxLimitRatio * v.request; v.lim > ratio {
		l = max(l, min(ratio, max(v.need, v.upper)))
		if v.short {
			l = max(l, min(v.upper, v.lim))
		}
	}
	return l
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
	pct := x.opts.SafetyMargin * 100
	val, from := target, fmt.Sprintf("the P90 peak %s + %.0f%%", usageBytes(v.p90), pct)
	if v.sized && target == x.opts.MemoryFloor && float64(v.p90)*(1+x.opts.SafetyMargin) < float64(x.opts.MemoryFloor) {
		from = fmt.Sprintf("the %s floor", formatMemory(x.opts.MemoryFloor))
	}
	if v.need > val {
		val, from = v.need, v.needFrom(pct)
	}
	switch {
	case raise:
		if step := raiseStep(v.lim, x.opts.Noise, mib); step > val {
			val, from = step, fmt.Sprintf("a real step up from the %s limit, +%.0f%%", formatMemory(v.lim), 100*x.opts.Noise)
		}
	case v.lim > 0 && !differs(v.lim, val, memoryStep, x.opts.Noise),
		v.lim > val && v.lim <= v.upper && v.req == v.lim:
		val, from = v.lim, "the limit, which the usage supports" // near, or a pair inside the bounds: it stays (the request joins the limit)
	case v.short && v.lim > val && v.upper > val:
		val, from = min(v.lim, v.upper), "the upper bound of what the usage supports, and no lower with under a day of history: a daily peak not seen yet would be an OOMKill"
		if val == v.lim {
			from = "the limit, which under a day of history stays no lower than the upper bound of what the usage supports"
		}
	}
	if val == 0 {
		return
	}
	cause := memQoS
	if raise || v.oom && v.lim == 0 {
		cause = v.raiseCause()
	}
	v.qosFrom = from
	if val != v.lim {
		v.limit, v.limCause = val, cause
	}
	if val != v.req {
		v.request, v.reqCause = val, memQoS
	}
}

// needFrom says what the least safe limit comes from.
func (v memoryVerdict) needFrom(pct float64) string {
	switch {
	case v.oom && v.need == v.bump:
		return "as the VPA does after an OOMKill: " + v.oomStep()
	case v.oom && v.killLimit > 0 && v.need > v.bump && v.need > v.heapLimit && v.need > ceilTo(float64(v.peak)*(1+pct/100), mib):
		return fmt.Sprintf("a real step over the %s limit the kill shows it reached, though the metrics caught at most %s; the VPA's step after an OOMKill would be %s",
			formatMemory(v.killLimit), usageBytes(v.peak), formatMemory(v.bump))
	case v.heapLimit > 0 && v.need == v.heapLimit:
		return "the room the live heap needs under GOMEMLIMIT"
	case v.pastFloor > 0 && v.need == v.pastFloor:
		return v.pastWords()
	}
	return fmt.Sprintf("the peak %s + %.0f%%", usageBytes(v.peak), pct)
}

// oomStep says how the VPA sizes memory after an OOMKill (v.bump) and what
// it counts as used: max(the request the pod had when killed, the peak),
// never the limit, so that a raise does not bump itself; for kills a store
// of metrics saw, the peak their pods reached before they were killed.
func (v memoryVerdict) oomStep() string {
	var used string
	switch {
	case v.pastOOM > 0:
		used = fmt.Sprintf("the peak of %s its pods reached before they were killed", usageBytes(v.used))
	case v.used == v.peak:
		used = fmt.Sprintf("its peak of %s", usageBytes(v.peak))
	default:
		used = fmt.Sprintf("the %s request it had when killed, above its peak", formatMemory(v.used))
	}
	return fmt.Sprintf("what it used + %s, or x %.1f when that is more, counting as used %s", formatMemory(oomExtra), oomFactor, used)
}

// pastWords says where a limit that answers the kills a store of metrics
// saw comes from.
func (v memoryVerdict) pastWords() string {
	return fmt.Sprintf("the VPA's step after an OOMKill over the %s peak of the pods a store of metrics saw OOMKilled", usageBytes(v.pastPeak))
}

// killedAt names the limit of the OOMKill the raise answers: "176Mi limit",
// or "176Mi limit its pods run with" when the template's is another.
func (v memoryVerdict) killedAt() string {
	if v.killLimit == v.lim || v.killLimit <= 0 {
		return formatMemory(v.lim) + " limit"
	}
	return fmt.Sprintf("%s limit its pods run with (the template's is %s)", formatMemory(v.killLimit), formatMemory(v.lim))
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
