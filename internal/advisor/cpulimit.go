package advisor

import (
	"fmt"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// limitCause says why a CPU limit changes.
type limitCause int

const (
	limKeep limitCause = iota
	// limClose: the P99 with margin passes the limit, but usage does not
	// sit at it: a step up of the margin covers it.
	limClose
	// limPinned: usage sits at the limit (censored): the demand is unknown,
	// so the step is a real one (2x) or the limit goes, and one measures again.
	limPinned
	// limQoS: requests equal limits (Guaranteed) and the two move together.
	limQoS
)

// cpuLimitVerdict is what the CPU limit rule decided.
type cpuLimitVerdict struct {
	cause     limitCause
	lim, want int64
	// remove says the limit goes (--cpu-limits remove); qos that the
	// request is set to the same value (Guaranteed kept).
	remove, qos bool
	// qosFrom says what a Guaranteed pair's value comes from.
	qosFrom string
	// pinned counts the metrics windows of the recent ring at or above
	// throttledAt of the limit, out of windows.
	pinned, windows int
	// span is the time those windows cover, and peakSeen says the peak
	// is in them (not from a past the ring does not hold).
	span     time.Duration
	peakSeen bool
	// whole says the ring of windows holds only the newest part of the
	// history (it keeps 2h; a saved or Prometheus past is not in it): then
	// share is the share of all the history's samples at or above
	// throttledAt of the limit (model.Histogram.ShareAtLeast, a floor), over
	// the history's span.
	whole bool
	share float64
	over  time.Duration
	// throttling is cAdvisor's count of throttled CFS periods under the
	// limit in force (model.PastEvents), nil when no store had it: where
	// it is known it replaces the guess from usage sitting at the limit.
	throttling *model.Throttling
}

// throttledShare is the share of CFS periods throttled (P95 of 5-minute
// windows) from which a limit counts as cutting the usage: kube-prometheus'
// CPUThrottlingHigh alert fires at 25%.
const throttledShare = 0.25

// pinnedWindowsMin is the least number of metrics windows with usage at the
// limit (throttledAt) that shows throttling without cAdvisor's measure, when
// they are also throttledShare of the windows watched. A window whose
// average sits at 95% of the quota had most of its CFS periods throttled,
// so the share of such windows is a floor on the share of throttled
// periods, and CPUThrottlingHigh's 25% applies to it too. 25 windows are
// over 6 minutes at metrics-server's finest resolution (15 s): longer than
// that alert's 5-minute rate window and than a Go program's start, so no
// single burst or warm-up makes them. It is the count that matters, not
// the windows watched: 25% of 100 windows is 25, and 49 of 49 in 12
// minutes is a limit that cuts the usage all the time, while 3 of 4 in a
// minute only says the peak touched it.
const pinnedWindowsMin = 25

// shown reports whether the evidence shows the limit throttling the
// program, strongly enough to act on at once: measured CFS throttling at
// throttledShare, or, where nothing measured it, usage at the limit in at
// least pinnedWindowsMin windows that are throttledShare of those watched.
// That is ADVISOR's "throttling evidence", an emergency: the limit's step
// needs no minimum of history, and it stays in the patch beside a change
// that holds the CPU sizing (GOMAXPROCS), since it is relief, not sizing.
// A step on weaker evidence (the peak touched the limit in 3 of 4
// windows) is sizing like any other: held on short history and behind a
// GOMAXPROCS fix, so weak evidence never ranks above strong.
func (v cpuLimitVerdict) shown() bool {
	if v.cause != limPinned {
		return false
	}
	if v.throttling != nil {
		return v.throttling.P95 >= throttledShare
	}
	if v.whole {
		// The same two tests on the whole history: the share, and time at
		// the limit worth pinnedWindowsMin windows.
		return v.share >= throttledShare && time.Duration(v.share*float64(v.over)) >= pinnedWindowsMin*metricsWindow
	}
	return v.pinned >= pinnedWindowsMin && float64(v.pinned) >= throttledShare*float64(v.windows)
}

// metricsWindow is metrics-server's finest resolution, the window
// pinnedWindowsMin counts in.
const metricsWindow = 15 * time.Second

// shownBy says what shows the throttling (shown): "measured throttling",
// or the windows at the limit.
func (v cpuLimitVerdict) shownBy() string {
	if v.throttling != nil {
		return "measured throttling"
	}
	if v.whole {
		return fmt.Sprintf("usage at the limit in %s of the samples over %s", pct(v.share), formatDuration(v.over))
	}
	return fmt.Sprintf("usage at the limit in %d of the last %d metrics windows", v.pinned, v.windows)
}

// after returns the CPU limit in force after the verdict (0 for none).
func (v cpuLimitVerdict) after() int64 {
	switch {
	case v.remove:
		return 0
	case v.cause != limKeep:
		return v.want
	}
	return v.lim
}

// decideCPULimit judges a CPU limit against usage. A limit never comes down
// (it only throttles) except to keep a Guaranteed container's request and
// limit equal; where usage presses on it, it goes up by a real step or,
// under --cpu-limits remove, goes.
func decideCPULimit(x wctx, hs history, s cpuStats) cpuLimitVerdict {
	v := cpuLimitVerdict{lim: positive(x.c.Resources.Limits.CPU)}
	if v.lim == 0 {
		return v
	}
	var first, last int64
	for _, p := range hs.h.Points() {
		if p.Unix == 0 {
			continue
		}
		if v.windows == 0 {
			first = p.Unix
		}
		last = p.Unix
		v.windows++
		if float64(p.CPU) >= throttledAt*float64(v.lim) {
			v.pinned++
		}
	}
	v.span = time.Duration(last-first) * time.Second
	if v.windows == 0 || hs.h.First.Before(time.Unix(first, 0).Add(-model.MaxSampleGap)) {
		v.whole, v.over = true, hs.h.Span()
		v.share = hs.h.CPU.ShareAtLeast(throttledAt * float64(v.lim) / 1000)
	}
	v.peakSeen = v.windows > 0 && !hs.h.CPUPeak.Time.Before(time.Unix(first, 0))
	if x.c.Past != nil {
		v.throttling = x.c.Past.Throttling
	}
	throttled := v.throttling != nil && v.throttling.P95 >= throttledShare
	m := 1 + x.opts.SafetyMargin
	if s.p99*m <= float64(v.lim) && !throttled {
		return v
	}
	req := positive(x.c.Resources.Requests.CPU)
	pinned := float64(s.peak) >= throttledAt*float64(v.lim)
	if v.throttling != nil {
		pinned = throttled // measured, not guessed
	}
	if pinned {
		// Usage cannot pass the limit: a margin on it is no measurement of
		// the demand and walks the limit up 15% a rollout.
		v.cause, v.want = limPinned, max(2*v.lim, req)
	} else {
		v.cause, v.want = limClose, max(ceilTo(s.p99*m, 1), raiseStep(v.lim, x.opts.Noise, 1), req)
	}
	v.remove = x.opts.CPULimits == CPULimitsRemove
	return v
}

// guaranteed keeps request = limit: the limit moves to want when the rule
// did not move it already and want is a real change, but is not cut while it
// is inside the bounds the usage supports (up to upper).
func (v cpuLimitVerdict) guaranteed(x wctx, want, upper int64) cpuLimitVerdict {
	v.qos = true
	if v.cause != limKeep {
		return v
	}
	want = applyFloor(want, v.lim, x.opts.CPUFloor)
	if differs(v.lim, want, cpuStep, x.opts.Noise) && !(want < v.lim && v.lim <= upper) {
		v.cause, v.want = limQoS, want
	}
	return v
}

// write is the CPU limit advice for the verdict.
func (v cpuLimitVerdict) write(x wctx, hs history, s cpuStats) *Advice {
	p99 := ceilTo(s.p99, 1)
	seen := fmt.Sprintf("P99 usage %s is close to the %s limit", formatCPU(p99), cpuAdj(v.lim))
	if t := v.throttling; t != nil && v.cause == limPinned {
		seen = fmt.Sprintf("throttled in %.0f%% of CFS periods at the P95 of 5-minute windows (%.0f%% over the last %s, %s) under the %s limit: usage cannot show how much more it wants",
			100*t.P95, 100*t.Share, formatDuration(x.c.Past.Range), x.c.Past.Source, cpuAdj(v.lim))
	} else if v.cause == limPinned {
		seen = fmt.Sprintf("usage sits at the %s limit (peak %s): likely throttled, and usage cannot show how much more it wants", cpuAdj(v.lim), formatCPU(s.peak))
		switch {
		case v.whole && v.share > 0:
			seen = fmt.Sprintf("usage sat at %.0f%% or more of the %s limit in %s of the samples over the %s of history (P50 %s, P90 %s): likely throttled, and usage cannot show how much more it wants",
				100*throttledAt, cpuAdj(v.lim), pct(v.share), formatDuration(v.over), cpuWords(ceilTo(s.p50, 1)), cpuWords(ceilTo(s.p90, 1)))
		case !v.whole && v.pinned > 0:
			seen = fmt.Sprintf("usage sat at %.0f%% or more of the %s limit in %d of the last %d metrics windows (the last %s): likely throttled, and usage cannot show how much more it wants",
				100*throttledAt, cpuAdj(v.lim), v.pinned, v.windows, formatDuration(v.span))
		}
	}
	var a Advice
	switch {
	case v.remove:
		a = x.advice(KindCPULimit, Warning, seen+"; remove the CPU limit (as krr does: the request still reserves the CPU) and measure again")
	case v.cause == limPinned:
		a = x.advice(KindCPULimit, Warning, fmt.Sprintf("%s; raise it by a real step to %s and measure again", seen, cpuWords(v.want)))
	case v.cause == limQoS:
		a = x.advice(KindCPULimit, Info, fmt.Sprintf("requests equal limits (Guaranteed QoS): the limit moves with the request to %s (%s)",
			formatCPU(v.want), v.qosFrom))
	default:
		a = x.advice(KindCPULimit, Warning, fmt.Sprintf("%s: raise it to %s so the Go runtime is not throttled", seen, cpuWords(v.want)))
	}
	a.Current = cpuValue(v.lim)
	a.Evidence = []Evidence{cpuEv("P99", p99), cpuEv("peak", s.peak), cpuEv("limit", v.lim)}
	if t := v.throttling; t != nil {
		a.Evidence = append(a.Evidence, num("throttled periods, P95 of 5m", fmt.Sprintf("%.0f%%", 100*t.P95), 100*t.P95, Percent),
			num("throttled periods, past "+formatDuration(x.c.Past.Range), fmt.Sprintf("%.0f%%", 100*t.Share), 100*t.Share, Percent))
	} else if v.whole {
		a.Evidence = append(a.Evidence, num(fmt.Sprintf("samples at >= %.0f%% of the limit", 100*throttledAt),
			fmt.Sprintf("%s over %s", pct(v.share), formatDuration(v.over)), 100*v.share, Percent))
	} else if v.pinned > 0 || v.peakSeen {
		// Windows that never reach the limit say nothing against a peak
		// at it from a past they do not hold (a saved Prometheus past).
		a.Evidence = append(a.Evidence, num(fmt.Sprintf("windows at >= %.0f%% of the limit", 100*throttledAt),
			fmt.Sprintf("%d of %d", v.pinned, v.windows), float64(v.pinned), Count))
	}
	a.Evidence = append(a.Evidence, historyEvidence(hs)...)
	a.Confidence = hs.conf
	if v.remove {
		a.Suggested = textValue("no limit")
		a.Changes = []Change{{Container: x.c.Name, Resource: &ResourceChange{Section: Limits, Name: CPU, Remove: true}}}
		a.Notes = append(a.Notes, "with no CPU limit, Go 1.25 and later set GOMAXPROCS from the node's CPUs, and a LimitRange's default limit, if the namespace has one, comes back at admission")
		if v.qos {
			a.Notes = append(a.Notes, "requests equal limits today (Guaranteed QoS): without a CPU limit the pods become Burstable")
		}
	} else {
		a.Suggested = cpuValue(v.want)
		a.Changes = []Change{setResource(x.c.Name, Limits, CPU, v.want)}
	}
	if s.peak > v.lim {
		a.Notes = append(a.Notes, fmt.Sprintf("usage of %s over the %s limit is usage at it: metrics average a window's CPU time, which can overshoot the quota slightly",
			formatCPU(s.peak), cpuAdj(v.lim)))
	}
	if v.cause == limQoS {
		a.Notes = append(a.Notes, "metrics average over a minute and hide sub-second bursts (the GC runs on GOMAXPROCS threads): "+
			"watch container_cpu_cfs_throttled_periods_total after the change")
	}
	if v.cause == limPinned && !v.remove {
		a.Notes = append(a.Notes, "or remove the CPU limit, as krr does (--cpu-limits remove): the request still reserves the CPU")
	}
	hs.hold(&a, v.shown())
	return &a
}

// pct writes a share (0..1) as a whole percentage, "under 1%" for a share
// that would read as 0%.
func pct(share float64) string {
	if share > 0 && share < 0.005 {
		return "under 1%"
	}
	return fmt.Sprintf("%.0f%%", 100*share)
}
