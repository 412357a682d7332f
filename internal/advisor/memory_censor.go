package advisor

import (
	"fmt"

	"github.com/kgotop/kgotop/internal/model"
)

// This file judges whether the memory peaks a request is sized from were
// cut by the limit the container was OOMKilled at. A working set never
// passes its cgroup's limit, so a peak above that limit was seen under an
// earlier, higher one (before a change kgotop applied) and is not cut.

// killedLimit is the memory limit the container was OOMKilled at: the
// pod's, which an OnDelete StatefulSet's template may have left behind,
// else the template's.
func (v memoryVerdict) killedLimit() int64 {
	if v.killLimit > 0 {
		return v.killLimit
	}
	return v.lim
}

// censored reports whether the memory peaks the request is sized from sit
// at the limit the container was OOMKilled at, and not above it: they show
// a lower bound of what it would use, as CPU usage at its limit does.
func (v memoryVerdict) censored() bool {
	at := v.killedLimit()
	return v.oom && at > 0 && v.sized && float64(v.p90) >= throttledAt*float64(at) && !v.peaksAbove()
}

// peaksAbove reports whether the peaks the request is sized from lie above
// the limit the container was OOMKilled at: they came from under an
// earlier, higher limit.
func (v memoryVerdict) peaksAbove() bool {
	at := v.killedLimit()
	return v.oom && at > 0 && v.sized && v.p90 > at && v.peak > at
}

// seenUnder says where peaks above the kill limit were seen: "peak 183Mi
// seen under the 512Mi limit before the change" when a change kgotop
// applied lowered the limit after the peak, else that it was an earlier,
// higher limit; "" when the peaks do not lie above it.
func (v memoryVerdict) seenUnder(x wctx, peak model.Peak) string {
	if !v.peaksAbove() {
		return ""
	}
	at := v.killedLimit()
	for _, ch := range x.w.Changes { // newest first
		before, after, ok := changedAmounts(ch, x.c.Name, "resources.limits.memory")
		if !ok || after != at || before > 0 && before <= at || !peak.Time.IsZero() && !peak.Time.Before(ch.At) {
			continue
		}
		if before == 0 {
			return fmt.Sprintf("peak %s seen with no memory limit, before the change", usageBytes(v.peak))
		}
		return fmt.Sprintf("peak %s seen under the %s limit before the change", usageBytes(v.peak), formatMemory(before))
	}
	return fmt.Sprintf("peak %s lies above the %s limit, so it was seen under an earlier, higher one", usageBytes(v.peak), formatMemory(at))
}
