package advisor

import "slices"

// resources is the outcome of the sizing rules that later rules build on.
type resources struct {
	advice []Advice
	cpu    cpuRequestPlan
	// cpuLimit is the CPU limit in force after the advice (0 when none) and
	// cpuLimitID the advice that raised it, if any.
	cpuLimit   int64
	cpuLimitID string
	mem        memoryPlan
	hist       history
}

// adviseResources right-sizes a container's CPU and memory. With too little
// history it sizes nothing and says "watch longer" instead, but an OOMKill
// or a Go heap that outgrew the limit is acted on at once.
func adviseResources(x wctx) resources {
	hs := assess(x.c.Usage, x.opts)
	var r resources
	r.hist = hs
	if hs.h != nil && !hs.enough {
		r.advice = append(r.advice, watchLonger(x, hs))
	}
	cpuAdvice, plan, cpuLimit := adviseCPU(x, hs)
	r.cpu, r.cpuLimit = plan, cpuLimit
	for _, a := range cpuAdvice {
		if a.Kind == KindCPULimit {
			r.cpuLimitID = a.ID
		}
	}
	memAdvice, mem := adviseMemory(x, hs)
	r.mem = mem
	if x.c.Waiting() == "CrashLoopBackOff" {
		// A container that dies at start has no usage to size by: fix the
		// crash first. An OOMKill is the exception, its limit is the crash.
		cpuAdvice = nil
		memAdvice = slices.DeleteFunc(memAdvice, func(a Advice) bool { return a.Kind != KindMemoryLimit })
		r.advice = slices.DeleteFunc(r.advice, func(a Advice) bool { return a.Kind == KindWatchLonger })
	}
	r.advice = append(r.advice, cpuAdvice...)
	r.advice = append(r.advice, memAdvice...)
	return r
}
