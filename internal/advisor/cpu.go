package advisor

import (
	"fmt"
	"math"
	"strings"

	"github.com/kgotop/kgotop/internal/model"
)

const (
	// minCPU is the default floor of a CPU request (krr: 10m; Options.CPUFloor).
	minCPU = 10
	// cpuStep is the least change in millicores worth advising.
	cpuStep = 5
	// throttledAt is the share of the CPU limit from which a metrics window
	// counts as pinned at the limit: usage cannot pass the limit, so usage
	// at it hides how much more the program wanted.
	throttledAt = 0.95
)

// cpuRequestPlan is the CPU request a container has and the one advised (0
// when none is advised); the HPA rule reads it.
type cpuRequestPlan struct {
	current, suggested int64
	id                 string
	conf               Confidence
	// offered says the advice carries the change (not held back for an HPA;
	// it may still be Held for short history, which it says itself).
	offered bool
}

// cpuStats are the CPU usage percentiles and peak of a history, in millicores.
type cpuStats struct {
	p50, p90, p95, p99 float64
	peak               int64
}

func readCPU(hs history) cpuStats {
	peak := positive(hs.h.CPUPeak.Value)
	at := func(p float64) float64 { return percentile(hs.h.CPU, p, float64(peak)/1000) * 1000 }
	return cpuStats{p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), peak: peak}
}

// adviseCPU makes the CPU request and limit advice. It returns the plan for
// the request and the limit rule's verdict (its after() is the CPU limit in
// force after the advice, 0 when none).
func adviseCPU(x wctx, hs history) (out []Advice, plan cpuRequestPlan, lv cpuLimitVerdict) {
	req, lim := positive(x.c.Resources.Requests.CPU), positive(x.c.Resources.Limits.CPU)
	plan.current = req
	if !hs.enough || hs.h.CPU.Empty() || absurd(req, lim, hs.h.CPUPeak.Value) {
		return nil, plan, cpuLimitVerdict{lim: lim}
	}
	s := readCPU(hs)
	lv = decideCPULimit(x, hs, s)
	m := 1 + x.opts.SafetyMargin
	// From the P90 as the evidence shows it (whole millicores), so that
	// "P90 + 15%" recomputes from the numbers printed.
	target := applyFloor(ceilTo(float64(ceilTo(s.p90, 1))*m, 1), req, x.opts.CPUFloor)
	if x.opts.keepsGuaranteed(guaranteed(x.c)) && !lv.remove {
		// Requests equal limits today: both move to one value, which as a
		// limit must not throttle what the request at the P90 would.
		_, upper := hs.bounds(s.p50*m, s.p95*m)
		want, from := guaranteedCPU(x, s, target)
		lv = lv.guaranteed(x, want, ceilTo(upper, 1))
		lv.qosFrom = from
		target = lv.after()
	}
	if after := lv.after(); after > 0 {
		target = min(target, after)
	}
	var limitAdvice *Advice
	if lv.cause != limKeep {
		limitAdvice = lv.write(x, hs, s)
		out = append(out, *limitAdvice)
	}
	if !differs(req, target, cpuStep, x.opts.Noise) && !(lv.qos && target != req) {
		return out, plan, lv
	}
	a := writeCPURequest(x, hs, s, req, target, lv)
	if limitAdvice != nil && (target > lim && lim > 0 || lv.qos) {
		a.Requires = []string{limitAdvice.ID} // above the limit in force until it is raised
		if lv.qos {
			out[0].Requires = []string{a.ID} // request = limit: together or not at all
		}
	}
	plan.suggested, plan.id, plan.conf, plan.offered = target, a.ID, a.Confidence, a.Patchable()
	return append(out, a), plan, lv
}

// writeCPURequest is the advice to set the CPU request to target.
func writeCPURequest(x wctx, hs history, s cpuStats, req, target int64, lv cpuLimitVerdict) Advice {
	m := 1 + x.opts.SafetyMargin
	p90 := ceilTo(s.p90, 1)
	reason := fmt.Sprintf("P90 usage is %s: request %s (P90 + %.0f%%)", formatCPU(p90), formatCPU(target), x.opts.SafetyMargin*100)
	switch {
	case req == 0:
		reason = fmt.Sprintf("no CPU request: the scheduler places the pod blind and it is evicted first; request %s from the P90 usage of %s (+ %.0f%%)",
			formatCPU(target), formatCPU(p90), x.opts.SafetyMargin*100)
	case lv.qos:
		reason = fmt.Sprintf("requests equal limits (Guaranteed QoS): request and limit move together to %s (%s)", formatCPU(target), lv.qosFrom)
	case target < req:
		reason = fmt.Sprintf("request %s is %.1fx the P90 usage of %s: lower it to %s", cpuWords(req),
			float64(req)/math.Max(s.p90, 1), formatCPU(p90), formatCPU(target))
	}
	lower, upper := hs.bounds(s.p50*m, s.p95*m)
	a := x.advice(KindCPURequest, Info, reason)
	a.Current, a.Suggested = cpuValue(req), cpuValue(target)
	if !hs.firstLook { // a range from seconds of use would say nothing
		a.Range = &Range{Lower: cpuValue(max(ceilTo(lower, 1), 1)), Upper: cpuValue(max(ceilTo(upper, 1), target))}
		a.Range.clipTo(lv.after(), millicores) // target is at most that limit already
	}
	a.Evidence = []Evidence{cpuEv("P50", ceilTo(s.p50, 1)), cpuEv("P90", p90), cpuEv("P95", ceilTo(s.p95, 1)), cpuEv("peak", s.peak)}
	a.Evidence = append(a.Evidence, historyEvidence(hs)...)
	a.Confidence = hs.conf
	a.Changes = []Change{setResource(x.c.Name, Requests, CPU, target)}
	if lv.cause == limPinned {
		a.Reason += "; a lower bound: usage sits at the limit, so the demand above it is unseen"
		a.Notes = append(a.Notes, "measure again once the CPU limit no longer cuts the usage: the request may need to grow")
		a.Confidence = lowerBound(a.Confidence)
	}
	// Graded on the confidence as final, lower bound and all: medium is at
	// most a warning, without exception. A request from censored usage is
	// sure only as a floor, and what makes it urgent, the throttling, is
	// the CPU limit's advice, which this request needs first.
	a.Severity = sizingSeverity(CPU, req, target, a.Range, a.Confidence)
	hpaCaution(x, &a, "cpu")
	emergency := req == 0 && bestEffort(x.c) || lv.qos && lv.shown()
	hs.hold(&a, emergency)
	hs.holdInside(&a, emergency)
	return a
}

// lowerBound is the confidence of a value the usage shows only the least
// of (usage sits at the limit): sure that it is at least this, not that it
// is right, so no more than medium however long the history.
func lowerBound(c Confidence) Confidence {
	if c.Level == High {
		c.Level, c.Score = Medium, min(c.Score, 0.5)
		c.Note = joinNote("high that it is at least this; the demand above the limit is unseen", c.Note)
	}
	return c
}

// guaranteedCPU is where a Guaranteed container's CPU request and limit go
// together, and from what: as a limit it must not throttle the busiest
// window seen (the P90 a request takes would, and Go's GC runs in bursts
// on GOMAXPROCS threads), so the peak with margin; in whole cores when it
// has whole cores today, since the static CPU manager gives exclusive
// cores only to whole-core requests, a reason to be Guaranteed at all.
func guaranteedCPU(x wctx, s cpuStats, target int64) (int64, string) {
	want := max(target, ceilTo(float64(s.peak)*(1+x.opts.SafetyMargin), 1))
	from := fmt.Sprintf("the busiest window %s + %.0f%%", formatCPU(s.peak), x.opts.SafetyMargin*100)
	if lim := positive(x.c.Resources.Limits.CPU); lim > 0 && lim%1000 == 0 {
		want = ceilTo(float64(want), 1000)
		from += ", in whole cores as today: the static CPU manager gives exclusive cores only to whole-core requests"
	}
	return want, from
}

// bestEffort reports whether the container sets no request and no limit at
// all: its pods are scheduled blind and evicted first.
func bestEffort(c model.Container) bool {
	return c.Resources.Requests == (model.ResourceList{}) && c.Resources.Limits == (model.ResourceList{})
}

// absurd reports whether any of vs is beyond what any computation here
// can hold (maxAmount): such numbers are not a measurement to size on.
func absurd(vs ...int64) bool {
	for _, v := range vs {
		if v > maxAmount {
			return true
		}
	}
	return false
}

// applyFloor raises target to floor, but never above a current request that
// already covers the usage: the floor exists to stop tiny requests, not to
// raise requests that work.
func applyFloor(target, current, floor int64) int64 {
	if target >= floor {
		return target
	}
	if current > 0 {
		return max(target, min(current, floor))
	}
	return floor
}

// historyEvidence is the span and sample count the advice rests on.
func historyEvidence(hs history) []Evidence {
	return []Evidence{
		num("history", formatDuration(hs.conf.Span()), hs.conf.Span().Seconds(), Seconds),
		samplesEvidence(hs),
	}
}

// samplesEvidence counts the samples a history rests on. Live ones are one
// per pod per metrics window; a store's are counted as the VPA does, one per
// pod per minute (a 2m step counts two), so a history with a store's past
// says which are which: "11525 (11520 pod-minutes from Prometheus, 5 live)".
func samplesEvidence(hs history) Evidence {
	n := hs.conf.Samples
	e := num("samples", fmt.Sprint(n), float64(n), Count)
	if hs.h == nil || hs.h.Past == nil || hs.h.Past.Samples <= 0 {
		return e
	}
	past := hs.h.Past
	from, _, _ := strings.Cut(past.Source, " (")
	e.Value = fmt.Sprintf("%d (%d pod-minutes from %s", n, past.Samples, orWord(from, "a store of metrics"))
	if live := n - past.Samples; live > 0 {
		e.Value += fmt.Sprintf(", %d live", live)
	}
	e.Value += ")"
	return e
}

// orWord is s, or alt when s is empty.
func orWord(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// hpaScales returns the HPA metric that scales the workload on the named
// resource of this container (or of the pod as a whole), or nil.
func hpaScales(w model.Workload, container, resource string) *model.HPAMetric {
	if w.HPA == nil {
		return nil
	}
	for i, m := range w.HPA.Metrics {
		if m.Resource == resource && (m.Container == "" || m.Container == container) {
			return &w.HPA.Metrics[i]
		}
	}
	return nil
}

// hpaCaution follows krr: the request of a resource an HPA scales on is not
// changed silently. The advice keeps its numbers and gains a note; unless
// Options.AdviseHPAResources is set it loses its change and only informs.
func hpaCaution(x wctx, a *Advice, resource string) {
	if hpaScales(x.w, x.c.Name, resource) == nil {
		return
	}
	a.Notes = append(a.Notes, fmt.Sprintf("HPA %s scales on %s utilization, a share of this request: changing it changes when the HPA scales (see the %s advice)",
		x.w.HPA.Name, resource, KindHPAShift.Label()))
	if !x.opts.AdviseHPAResources {
		a.Changes = nil
		a.Requires = nil
		a.Severity = Info
		a.Notes = append(a.Notes, "not offered as a patch because the HPA scales on it: run kgotop with --advise-hpa-resources to get one")
	}
}
