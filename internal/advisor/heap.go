package advisor

import (
	"fmt"
	"math"
)

const (
	// gomemlimitHeadroom is the least share of the memory limit GOMEMLIMIT
	// leaves to memory the Go runtime does not count (automemlimit: 10%).
	gomemlimitHeadroom = 0.10
	// nonGoMargin is kept on top of the non-Go memory observed, as a share
	// of the limit (the GC guide asks for 5-10% headroom).
	nonGoMargin = 0.05
	// liveShare is how much of GOMEMLIMIT the live heap may take before the
	// GC runs several times as often as GOGC asks to stay under it (and
	// more as the heap grows, until the GC CPU limiter steps in).
	liveShare = 0.8
)

// heapState is what the Go runtime's page says about its heap and memory,
// read once for the memory and GOMEMLIMIT rules.
type heapState struct {
	// live is go_gc_heap_live_bytes (0 when not scraped); gogc the GOGC the
	// runtime runs (100 when unknown).
	live, gogc int64
	// goal is the heap goal and goalFrom where it comes from.
	goal     int64
	goalFrom string
	// nonGo is the container's memory outside the Go runtime (the working
	// set less what the runtime maps) and nonGoFrom how it was measured;
	// nonGoFrom is "" when it was not, and GOMEMLIMIT then keeps 10%.
	nonGo     int64
	nonGoFrom string
	// gcCPU is the share of CPU in GC (-1 when unknown).
	gcCPU float64
}

// readHeap reads the heap numbers of a Go container's runtime page.
func readHeap(x wctx) heapState {
	h := heapState{gogc: 100, gcCPU: -1}
	rt := x.runtime()
	if rt == nil || !x.isGo() {
		return h
	}
	if rt.GOGC > 0 {
		h.gogc = rt.GOGC
	}
	h.gcCPU = rt.GCCPUFraction
	h.live = positive(min(rt.HeapLive, maxAmount/4))
	switch {
	case rt.HeapGoal > 0:
		h.goal, h.goalFrom = min(rt.HeapGoal, maxAmount), "go_gc_heap_goal_bytes"
	case h.live > 0:
		h.goal, h.goalFrom = h.live+h.live*h.gogc/100, fmt.Sprintf("live heap x (1 + GOGC %d/100)", h.gogc)
	case rt.NextGC > 0:
		h.goal, h.goalFrom = min(rt.NextGC, maxAmount), "go_memstats_next_gc_bytes"
	}
	if h.goal > maxAmount || h.goal < 0 {
		h.goal = maxAmount
	}
	mapped, from := rt.Mapped()
	for _, in := range x.c.Instances {
		if in.Pod == rt.Pod && in.Usage != nil && in.Usage.Memory > 0 && mapped > 0 && !absurd(in.Usage.Memory, mapped) {
			h.nonGo = max(in.Usage.Memory-mapped, 0)
			h.nonGoFrom = fmt.Sprintf("working set %s - %s the runtime maps (%s)", usageBytes(in.Usage.Memory), humanBytes(mapped), from)
		}
	}
	return h
}

// gomemlimitFor is the GOMEMLIMIT advised for a memory limit: the limit
// less what the Go runtime does not count, at least 10% of it, or the
// non-Go memory observed plus 5% of the limit when that is more; rounded
// down to a MiB, 0 when the limit cannot hold that.
func gomemlimitFor(limit, nonGo int64) int64 {
	keep := max(float64(limit)*gomemlimitHeadroom, float64(nonGo)+float64(limit)*nonGoMargin)
	return floorTo(float64(limit)-keep, mib)
}

// keptOutside is what gomemlimitFor leaves outside GOMEMLIMIT, in words.
func (h heapState) keptOutside(limit int64) string {
	kept := humanBytes(limit - gomemlimitFor(limit, h.nonGo))
	if h.nonGoFrom == "" || float64(h.nonGo)+float64(limit)*nonGoMargin <= float64(limit)*gomemlimitHeadroom {
		return kept + ": 10% of the limit, for memory the Go runtime does not count"
	}
	return fmt.Sprintf("%s: the %s measured outside the Go runtime + 5%% of the limit", kept, humanBytes(h.nonGo))
}

// limitForLive is the least memory limit (in whole MiB) whose GOMEMLIMIT
// keeps the live heap under liveShare of it, so that the memory and
// GOMEMLIMIT rules never disagree by a rounding.
func limitForLive(live, nonGo int64) int64 {
	// 0.8 x min(0.9 L, 0.95 L - nonGo) >= live
	a := float64(live) / (liveShare * (1 - gomemlimitHeadroom))
	b := (float64(live) + liveShare*float64(nonGo)) / (liveShare * (1 - nonGoMargin))
	l := ceilTo(math.Max(a, b), mib)
	// The bound is exact but for rounding: a few MiB settle it (past
	// float64's precision, at absurd sizes, nothing does).
	for i := 0; i < 16 && l < maxAmount && liveShare*float64(gomemlimitFor(l, nonGo)) < float64(live); i++ {
		l += mib
	}
	return l
}

// liveNear reports whether the live heap takes more than liveShare of a
// GOMEMLIMIT: the GC then runs several times as often as GOGC asks.
func (h heapState) liveNear(gomemlimit int64) bool {
	return h.live > 0 && float64(h.live) > liveShare*float64(gomemlimit)
}

// binds reports whether a GOMEMLIMIT sits below the heap goal GOGC alone
// would set: a normal mode in which the GC runs more often than GOGC asks.
func (h heapState) binds(gomemlimit int64) bool {
	return h.live > 0 && gomemlimit < h.live+h.live*h.gogc/100
}

// evidence is the heap numbers advice about memory rests on.
func (h heapState) evidence() []Evidence {
	var out []Evidence
	if h.live > 0 {
		out = append(out, memEv("go_gc_heap_live_bytes", h.live))
	}
	if h.goal > 0 {
		out = append(out, memEv("heap goal ("+h.goalFrom+")", h.goal))
	}
	if h.nonGoFrom != "" {
		out = append(out, num("outside the Go runtime", humanBytes(h.nonGo)+" = "+h.nonGoFrom, float64(h.nonGo), Bytes))
	}
	return out
}

// gcPressure says how much more often the GC runs to keep the live heap
// under a GOMEMLIMIT than GOGC asks: GOGC lets the heap grow by live x
// GOGC/100 between collections, the limit by what it leaves over the live
// heap (the memory outside the heap aside).
func (h heapState) gcPressure(gomemlimit int64) string {
	room := float64(gomemlimit - h.live)
	n := float64(h.live) * float64(h.gogc) / 100 / max(room, 1)
	const more = ", and more as the heap grows; near the limit the GC CPU limiter caps it at about half of GOMAXPROCS x wall time"
	if n < 1.5 {
		return fmt.Sprintf("the GC runs more often than GOGC %d asks to stay under it%s", h.gogc, more)
	}
	return fmt.Sprintf("the GC runs about %.1f times as often as GOGC %d asks to stay under it%s", n, h.gogc, more)
}
