package gometrics

// CPUCounters are the runtime's CPU-class counters in seconds, -1 when the
// page lacks them (they are opt-in in client_golang): GC is
// go_cpu_classes_gc_total_cpu_seconds_total, Idle
// go_cpu_classes_idle_cpu_seconds_total and Total
// go_cpu_classes_total_cpu_seconds_total (GOMAXPROCS integrated over time),
// MarkIdle go_cpu_classes_gc_mark_idle_cpu_seconds_total: the part of GC
// that ran on Ps with nothing else to do, which GC counts but costs the
// program nothing.
type CPUCounters struct {
	GC, Idle, Total, MarkIdle float64
}

// MinBusySeconds is the least CPU time the program must have used between
// two pages for CPUShare to judge the GC's share: below it the share is
// noise (an idle service that collected once looks GC-bound).
const MinBusySeconds = 0.5

// CPUShare returns the share of the CPU the program used between two pages
// of the same process that went to the GC (0..1), or -1 when it cannot be
// told: a counter missing, a restart between the pages (counters went
// back), or less than MinBusySeconds of CPU used. Used CPU is Total minus
// Idle when the page has Idle, else Total (GOMAXPROCS x wall time), which
// understates the share of a program that is mostly idle. Idle-priority
// mark work is left out of both, as the runtime/metrics docs advise for the
// GC's true cost: without it an idle service with many Ps looks GC-bound.
func CPUShare(prev, cur CPUCounters) float64 {
	if prev.GC < 0 || cur.GC < 0 || prev.Total < 0 || cur.Total < 0 {
		return -1
	}
	gc, busy := cur.GC-prev.GC, cur.Total-prev.Total
	if prev.Idle >= 0 && cur.Idle >= 0 {
		busy -= cur.Idle - prev.Idle
	}
	if prev.MarkIdle >= 0 && cur.MarkIdle >= 0 {
		gc -= cur.MarkIdle - prev.MarkIdle
		busy -= cur.MarkIdle - prev.MarkIdle
	}
	if gc < 0 || busy < MinBusySeconds || cur.Total < prev.Total {
		return -1
	}
	return min(gc/busy, 1)
}
