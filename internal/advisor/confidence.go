package advisor

import (
	"fmt"
	"math"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Thresholds of the confidence levels. Below the sizing minimum
// (Options.SizingMin: krr's "simple" strategy refuses to advise with less)
// confidence is low; below a full day (VPA's confidence of 1) it is medium;
// from there, high.
const (
	// samplesPerDay is the VPA's one sample per minute over a day.
	samplesPerDay = 1440
	day           = 24 * time.Hour
	// staleAfter is the age of the newest sample from which the confidence
	// note says how old it is (the only advice that changes with time alone).
	staleAfter = time.Hour
)

// history is what a sizing rule knows about how much history it rests on.
type history struct {
	h *model.History
	// raw is the VPA confidence min(span/24h, samples/1440), uncapped; it
	// widens the bounds. enough is false below Options.MinSpan/MinSamples:
	// nothing is sized. held is true below the sizing minimum when the
	// person did not ask for such sizing in patches.
	raw    float64
	enough bool
	held   bool
	conf   Confidence
	min    time.Duration
	// ask says the person asked for held sizing in patches
	// (Options.PatchLowConfidence).
	ask bool
	// floor is the VPA confidence at the sizing minimum: below it the
	// bounds widen no further (a 30-second sample would otherwise span a
	// thousandfold). firstLook says a container with no requests at all is
	// sized from what it uses now, on less than Options.MinSpan.
	floor     float64
	firstLook bool
}

// assess rates the container's history; h may be nil.
func assess(h *model.History, opts Options) history {
	if h == nil || h.Samples == 0 {
		return history{conf: Confidence{Level: Low, Note: "no usage history"}}
	}
	span := h.Span()
	raw := math.Min(span.Hours()/day.Hours(), float64(h.Samples)/samplesPerDay)
	c := Confidence{
		Score:       math.Min(raw, 1),
		SpanSeconds: int64(span / time.Second),
		Samples:     h.Samples,
	}
	low := span < opts.SizingMin || h.Samples < opts.SizingMinSamples
	switch {
	case low:
		c.Level = Low
		c.Note = fmt.Sprintf("only %s of history (%d samples): watch at least %s and %d samples before applying",
			formatDuration(span), h.Samples, formatDuration(opts.SizingMin), opts.SizingMinSamples)
	case raw < 1:
		c.Level = Medium
		c.Note = fmt.Sprintf("%s of history: a full day shows the daily peak", formatDuration(span))
		if span >= day {
			c.Note = fmt.Sprintf("%d samples over %s: the VPA trusts a day of one a minute", h.Samples, formatDuration(span))
		}
	default:
		c.Level = High
	}
	if age := opts.Now.Sub(h.Last); age > staleAfter {
		c.Note = joinNote(c.Note, fmt.Sprintf("newest sample is %s old", formatDuration(age)))
	}
	if c.Source = h.Provenance(); c.Source != "" {
		c.Note = joinNote(c.Note, c.Source)
	}
	return history{
		h:      h,
		raw:    raw,
		enough: span >= opts.MinSpan && h.Samples >= opts.MinSamples,
		held:   low && !opts.PatchLowConfidence,
		conf:   c,
		min:    opts.SizingMin,
		ask:    opts.PatchLowConfidence,
		floor:  math.Min(opts.SizingMin.Hours()/day.Hours(), float64(opts.SizingMinSamples)/samplesPerDay),
	}
}

// firstRequest marks the history as a first look at a container with no
// requests at all: any request beats none, so it is sized from what is seen
// now, and its confidence says it will be refined.
func (hs history) firstRequest() history {
	hs.enough, hs.firstLook = true, true
	hs.conf.Note = fmt.Sprintf("a first request from what it uses now (%s): any request beats none; kgotop refines it after %s",
		formatDuration(hs.conf.Span()), formatDuration(hs.min))
	return hs
}

// hold marks sizing advice that rests on less history than the sizing
// minimum: it still shows what it would be, but stays out of patches
// unless the person asks. An emergency is never held.
func (hs history) hold(a *Advice, emergency bool) {
	if !hs.held || emergency || !a.Patchable() {
		return
	}
	a.Held, a.HeldWhy = true, HeldShortHistory
	a.Notes = append(a.Notes, fmt.Sprintf(heldNote+" %s of history is under the %s minimum for a right-size "+
		"(ask for it with --patch-low-confidence, or H in the dashboard's patch view)", formatDuration(hs.conf.Span()), formatDuration(hs.min)))
}

// heldNote begins the note of held advice.
const heldNote = "left out of the patch:"

// insideRangeFor is the history under which a request inside the range
// the usage supports is left alone: the VPA's updater leaves a pod whose
// request lies inside its bounds alone until the pod is 12h old (then it
// applies a target more than 10% off).
const insideRangeFor = 12 * time.Hour

// holdInside holds a right-size whose current value already lies inside its
// Range, on less than insideRangeFor of history: being inside the bounds is
// not a problem, and not worth a rollout yet. An emergency is never held.
func (hs history) holdInside(a *Advice, emergency bool) {
	r := a.Range
	if a.Held || hs.ask || emergency || !a.Patchable() || r == nil || !a.Current.Set || hs.conf.Span() >= insideRangeFor ||
		a.Current.Amount < r.Lower.Amount || a.Current.Amount > r.Upper.Amount {
		return
	}
	a.Held, a.HeldWhy = true, HeldInsideRange
	a.Notes = append(a.Notes, fmt.Sprintf(heldNote+" %s lies inside the range the usage supports (%s-%s), which the VPA leaves alone "+
		"until it has %s of history (ask for it with --patch-low-confidence, or H in the dashboard's patch view)", a.Current.Display, r.Lower.Display, r.Upper.Display, formatDuration(insideRangeFor)))
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// bounds returns the VPA's lower and upper bounds around percentiles p50 and
// p95 (already with the safety margin), widened by the confidence:
// upper x (1 + 1/conf), lower x (1 + 0.001/conf)^-2, with conf no lower
// than at the sizing minimum.
func (hs history) bounds(p50, p95 float64) (lower, upper float64) {
	c := math.Max(math.Max(hs.raw, hs.floor), 1e-3)
	return p50 * math.Pow(1+0.001/c, -2), p95 * (1 + 1/c)
}

// watchLonger is the advice given instead of a right-size when the history
// is too short to rest one on.
func watchLonger(x wctx, hs history) Advice {
	a := x.advice(KindWatchLonger, Info, fmt.Sprintf(
		"too little usage history to right-size (%s, %d samples): kgotop shows sizing after %s and %d samples, and patches it after %s and %d samples",
		formatDuration(hs.conf.Span()), hs.conf.Samples, formatDuration(x.opts.MinSpan), x.opts.MinSamples,
		formatDuration(x.opts.SizingMin), x.opts.SizingMinSamples))
	a.Confidence = hs.conf
	a.Evidence = []Evidence{
		num("history", formatDuration(hs.conf.Span()), hs.conf.Span().Seconds(), Seconds),
		samplesEvidence(hs),
	}
	return a
}

// differs reports whether suggested is far enough from current to be worth
// a change: current unset, or off by more than the noise fraction and by
// more than minStep in absolute terms.
func differs(current, suggested, minStep int64, noise float64) bool {
	if current <= 0 {
		return suggested > 0
	}
	d := suggested - current
	if d < 0 {
		d = -d
	}
	return d >= minStep && float64(d) > noise*float64(current)
}

// Severity bands of a right-size by the size of the change (krr's): CPU
// from half a core critical and a quarter warning, memory from 500Mi and 250Mi.
const (
	cpuCritical, cpuWarning       = 500, 250
	memoryCritical, memoryWarning = 500 * mib, 250 * mib
)

// sizingSeverity grades a right-size of a request: an unset request is a
// warning (the scheduler places the pod blind); otherwise the size of the
// change sets it (krr's bands), a current value inside the bounds the
// evidence supports (VPA's: it leaves such pods alone) only informs, and so
// does anything resting on low confidence; medium confidence is at most a
// warning.
func sizingSeverity(resource string, current, suggested int64, bounds *Range, c Confidence) Severity {
	crit, warn := int64(memoryCritical), int64(memoryWarning)
	if resource == CPU {
		crit, warn = cpuCritical, cpuWarning
	}
	d := suggested - current
	if d < 0 {
		d = -d
	}
	switch {
	case current <= 0:
		return Warning
	case c.Level == Low, bounds != nil && current >= bounds.Lower.Amount && current <= bounds.Upper.Amount:
		return Info
	case d >= crit && c.Level == High:
		return Critical
	case d >= warn:
		return Warning
	}
	return Info
}

// percentile is the histogram's percentile p, capped at the peak seen
// (model.Histogram.CappedPercentile).
func percentile(h *model.Histogram, p float64, peak float64) float64 {
	return h.CappedPercentile(p, peak)
}
