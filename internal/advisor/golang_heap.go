package advisor

import (
	"fmt"
)

// gomemlimitUnderHeap warns when a GOMEMLIMIT the program runs (current,
// from env when envValue is set, else set in code) is below twice the live
// heap, the GC guide's heap target at GOGC=100: the GC then runs more often
// than GOGC asks, near-constantly as the heap grows (the GC CPU limiter caps
// it at about half the CPU, so it degrades to a slowdown, not an OOMKill).
// It needs go_gc_heap_live_bytes: the next-GC target stands in for the live
// heap elsewhere, but under a memory limit that target is the limit itself.
// want is 90% of the memory limit in force after the advice.
func gomemlimitUnderHeap(x wctx, r resources, current int64, envValue string, want int64) *Advice {
	rt := x.runtime()
	if rt == nil || rt.HeapLive <= 0 || current <= 0 || 2*min(rt.HeapLive, maxAmount/2) <= current {
		return nil
	}
	live := rt.HeapLive
	a := x.advice(KindGOMEMLIMIT, Warning, fmt.Sprintf(
		"GOMEMLIMIT %s is below the %s a live heap of %s needs at GOGC=100: the GC runs more often than GOGC asks, near-constantly as the heap grows",
		humanBytes(current), humanBytes(2*live), humanBytes(live)))
	a.Current = Value{Display: envValue, Set: true, Amount: current, Unit: Bytes}
	a.Evidence = []Evidence{memEv("go_gc_heap_live_bytes", live), memEv("GOMEMLIMIT", current), memEv("memory limit", r.mem.limit)}
	if rt.GCCPUFraction >= 0 {
		a.Evidence = append(a.Evidence, num("GC CPU share", fmt.Sprintf("%.0f%%", 100*rt.GCCPUFraction), 100*rt.GCCPUFraction, Percent))
	}
	if want > current {
		a.Suggested = Value{Display: formatGoBytes(want), Set: true, Amount: want, Unit: Bytes}
	} else {
		a.Suggested = textValue("raise the memory limit, then GOMEMLIMIT to 90% of it")
	}
	if envValue == "" {
		a.Current.Display = humanBytes(current) + " (set in code)"
		a.Notes = append(a.Notes, "set in code (debug.SetMemoryLimit, or automemlimit from the memory limit): change it there, or raise the memory limit automemlimit follows")
		a.CodeLang = "go"
		a.Code = fmt.Sprintf("debug.SetMemoryLimit(%d) // %s: 90%% of the memory limit, above twice the live heap", max(want, 2*live), formatGoBytes(max(want, 2*live)))
	} else if want > current {
		a.Changes = []Change{setEnv(x.c.Name, "GOMEMLIMIT", formatGoBytes(want))}
		a.Notes = append(a.Notes, "an env change restarts the pods")
	}
	if r.mem.limitID != "" {
		a.Requires = []string{r.mem.limitID}
		a.Notes = append(a.Notes, fmt.Sprintf("sized to the suggested memory limit %s: apply them together", formatMemory(r.mem.limit)))
	}
	return &a
}
