package advisor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kgotop/kgotop/internal/model"
)

// resources is the outcome of the sizing rules that later rules build on.
type resources struct {
	advice []Advice
	cpu    cpuRequestPlan
	// cpuLimit is the CPU limit in force after the advice (0 when none) and
	// cpuLimitID the advice that changed it, if any.
	cpuLimit   int64
	cpuLimitID string
	// cpuLimitConf is that advice's confidence, which advice sized from
	// the new limit shares.
	cpuLimitConf Confidence
	// cpuLimitWhy says what shows the throttling the CPU limit's step
	// relieves ("" when nothing shows it: cpuLimitVerdict.shown).
	cpuLimitWhy string
	mem         memoryPlan
	hist        history
	heap        heapState
	// leaking says memory climbs steadily and an OOMKill confirmed it is
	// the program's; climbing says it climbs (adviseLeak spoke); judged
	// that kgotop can tell whether it climbs, either way.
	leaking, climbing, judged bool
}

// adviseResources right-sizes a container's CPU and memory. With too little
// history it sizes nothing and says "watch longer" instead, but an OOMKill
// or a Go heap that outgrew the limit is acted on at once, and a container
// with no requests or limits at all gets requests from what it uses now.
func adviseResources(x wctx) resources {
	hs := assess(x.c.Usage, x.opts)
	if hs.h != nil && !hs.enough && bestEffort(x.c) {
		hs = hs.firstRequest() // any request beats none: size from what is seen, at low confidence
	}
	r := resources{hist: hs, heap: readHeap(x)}
	if hs.h != nil && !hs.enough {
		r.advice = append(r.advice, watchLonger(x, hs))
	}
	cpuAdvice, plan, lv := adviseCPU(x, hs)
	r.cpu, r.cpuLimit = plan, lv.after()
	if lv.shown() {
		r.cpuLimitWhy = lv.shownBy()
	}
	for _, a := range cpuAdvice {
		if a.Kind == KindCPULimit {
			r.cpuLimitID, r.cpuLimitConf = a.ID, a.Confidence
		}
	}
	memAdvice, mem := adviseMemory(x, hs, r.heap, r.cpuLimit)
	r.mem = mem
	if crashLooping(x) {
		// A container that dies at start has no usage to size by: fix the
		// crash first. An OOMKill is the exception, its limit is the crash.
		r = r.withoutCPU(x, "")
		cpuAdvice = nil
		if !mem.emergency {
			memAdvice, r.mem = nil, memoryPlan{current: mem.current, limit: mem.current}
		}
		r.advice = slices.DeleteFunc(r.advice, func(a Advice) bool { return a.Kind == KindWatchLonger })
	}
	r.advice = append(r.advice, cpuAdvice...)
	l, ok := detectLeak(x.c.Usage, runsSince(x.c))
	if !ok {
		l, ok = storeLeak(x.c) // the past shows what no run watched yet does
	}
	r.judged = ok || growthJudged(x.c)
	if ok {
		if a := adviseLeak(x, l); a != nil {
			r.leaking, r.climbing = oomKilledEver(x.c), true
			for i := range memAdvice {
				if memAdvice[i].Kind == KindMemoryLimit {
					memAdvice[i].Notes = append(memAdvice[i].Notes, "memory climbs steadily (see the memory growth advice): a higher limit buys time, not a fix")
				}
			}
			memAdvice = append(memAdvice, *a)
		}
	}
	r.advice = append(r.advice, memAdvice...)
	if guaranteed(x.c) && !x.opts.keepsGuaranteed(true) {
		for i, a := range r.advice {
			if (a.Kind == KindCPURequest || a.Kind == KindMemoryRequest) && a.Suggested.Amount < a.Current.Amount {
				r.advice[i].Notes = append(r.advice[i].Notes, "requests equal limits (Guaranteed QoS) today: with --memory-qos burstable a lower request makes the pods Burstable, "+
					"evicted before Guaranteed pods when the node runs short and without exclusive CPUs under the static CPU manager")
			}
		}
	}
	return r
}

// withoutCPU takes the CPU sizing out of the patch: the CPU advice stays to
// read, with why (a note) when one is given, or goes when why is "". The
// CPU limit in force is the one the container has.
func (r resources) withoutCPU(x wctx, why string) resources {
	return r.holdCPU(x, why, false)
}

// KeptOutNote starts the note of advice kept out of patches (Advice.KeptOut).
const KeptOutNote = "not in the patch: "

// holdCPU is withoutCPU; keepLimit keeps the CPU limit's step in the patch
// (relief from throttling shown, not sizing) and holds the request only.
func (r resources) holdCPU(x wctx, why string, keepLimit bool) resources {
	r.cpu = cpuRequestPlan{current: r.cpu.current}
	if !keepLimit {
		r.cpuLimit, r.cpuLimitID, r.cpuLimitConf, r.cpuLimitWhy = positive(x.c.Resources.Limits.CPU), "", Confidence{}, ""
	}
	out := r.advice[:0:0]
	for _, a := range r.advice {
		if a.Kind == KindCPURequest || a.Kind == KindCPULimit && !keepLimit {
			if why == "" {
				continue
			}
			a.Changes, a.Requires, a.Held, a.HeldWhy, a.Severity = nil, nil, false, "", Info
			// Out of the patch for why alone: a hold's note would say it twice.
			a.Notes = slices.DeleteFunc(slices.Clone(a.Notes), func(n string) bool { return strings.HasPrefix(n, heldNote) })
			a.Notes = append(a.Notes, KeptOutNote+why)
			a.KeptOut = why
			if a.Kind == KindCPURequest {
				underLimit(&a, r.cpuLimit)
			}
		}
		out = append(out, a)
	}
	r.advice = out
	return r
}

// underLimit fits a held CPU request's words to the CPU limit that stays in
// force (none when 0): its range ends there, and a request above it says
// it needs the limit's step first, since a request above its limit is
// refused (the bounds go into that note when all of them lie above it).
func underLimit(a *Advice, limit int64) {
	if limit <= 0 {
		return
	}
	if a.Suggested.Amount > limit {
		note := fmt.Sprintf("%s needs the CPU limit's step first: it is above the %s limit, which stays, and a request above its limit is refused",
			a.Suggested.Display, cpuAdj(limit))
		if r := a.Range; r != nil && r.Lower.Amount > limit {
			upper := r.Upper
			if r.UpperBound != nil {
				upper = *r.UpperBound
			}
			note += fmt.Sprintf("; so is all of the recommender's range, %s to %s", r.Lower.Display, upper.Display)
			a.Range = nil
		}
		a.Notes = append(a.Notes, note)
	}
	a.Range.clipTo(limit, millicores)
}

// sizesCPU reports whether the advice changes the container's CPU.
func (r resources) sizesCPU() bool {
	for _, a := range r.advice {
		if (a.Kind == KindCPURequest || a.Kind == KindCPULimit) && a.Patchable() {
			return true
		}
	}
	return false
}

// guaranteed reports whether the container's requests equal its limits for
// both CPU and memory, the container's part of the Guaranteed QoS class.
func guaranteed(c model.Container) bool {
	q := c.Resources
	return q.Limits.CPU > 0 && q.Limits.Memory > 0 && q.Requests.CPU == q.Limits.CPU && q.Requests.Memory == q.Limits.Memory
}
