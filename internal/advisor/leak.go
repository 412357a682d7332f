package advisor

import (
	"fmt"
	"math"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Thresholds of leak detection: a run at least leakMinSpan long whose
// memory fits a rising line with R² of leakMinFit or better, rising by at
// least leakMinRise of its mean (and memoryStep) over the run, and still
// rising in its last quarter at half the rate or more (a cache that fills
// and levels off is not a leak).
const (
	leakMinSpan   = 30 * time.Minute
	leakMinPoints = 20
	leakMinFit    = 0.8
	leakMinRise   = 0.1
	// restartDrop is the fall between two points that marks a new run.
	restartDrop = 0.7
	// leakSettled is how long a run must show no climb to say the climb
	// of the run before it stopped (after a fix or a limit bump rolled out).
	leakSettled = 2 * leakMinSpan
)

// leak is a steady rise of a container's memory within one run.
type leak struct {
	perHour float64 // bytes per hour
	fit     float64 // R² of the line
	span    time.Duration
	// now is where memory stands: the line's value at the newest point
	// when the run is the current one, else the newest point's memory.
	now int64
	// current says the run is the container's current one; recent says
	// it is that, or the run before a current one too young to judge
	// (younger than leakSettled: nothing says yet that the climb stopped).
	// An older run, or one before a longer gap in watching, is neither.
	current, recent bool
	// store names the store of metrics whose trend showed the climb (fit
	// is then the share of hours that climbed), "" when kgotop watched it.
	store string
}

// detectLeak looks for a steady rise in the busiest replica's memory over
// its newest run long enough to judge. Runs end at a restart (a fall below
// restartDrop of the point before), a gap in watching (MaxSampleGap), or
// since, when the container's current runs started (a rollout replaces the
// pods without the fall of an OOMKill): a run cut short by an OOMKill or a
// rollout a minute ago still shows the climb before it. A run shorter than
// leakSettled that shows no climb yet does not show the climb stopped
// either: the run before it is judged then.
func detectLeak(h *model.History, since time.Time) (leak, bool) {
	if h == nil {
		return leak{}, false
	}
	pts := h.Points()
	end := len(pts)
	for i := len(pts) - 1; i >= 0; i-- {
		if i > 0 && !newRun(pts[i-1], pts[i]) && !crosses(pts[i-1], pts[i], since) {
			continue
		}
		run := pts[i:end]
		end = i
		span := time.Duration(run[len(run)-1].Unix-run[0].Unix) * time.Second
		if len(run) < leakMinPoints || span < leakMinSpan {
			continue
		}
		if l, ok := climb(run); ok {
			newest, last := pts[len(pts)-1], run[len(run)-1]
			l.current = last == newest
			if !l.current {
				l.now = newest.Memory
				l.recent = time.Duration(newest.Unix-last.Unix)*time.Second <= leakSettled
			}
			return l, true
		}
		if span >= leakSettled {
			return leak{}, false
		}
	}
	return leak{}, false
}

// climb fits a line to one run and reports whether it is a steady climb,
// as leak's thresholds say, with the line's value at the run's end.
func climb(run []model.Point) (leak, bool) {
	slope, intercept, fit := fitLine(run)
	hours := float64(run[len(run)-1].Unix-run[0].Unix) / 3600
	var mean float64
	for _, p := range run {
		mean += float64(p.Memory)
	}
	mean /= float64(len(run))
	rise := slope * hours
	if slope <= 0 || fit < leakMinFit || rise < leakMinRise*mean || rise < float64(memoryStep) {
		return leak{}, false
	}
	if tail, _, _ := fitLine(run[len(run)*3/4:]); tail < slope/2 {
		return leak{}, false // levelling off
	}
	return leak{perHour: slope, fit: fit, span: time.Duration(hours * float64(time.Hour)), now: int64(intercept + slope*hours), recent: true}, true
}

// crosses reports whether since falls between points a and b.
func crosses(a, b model.Point, since time.Time) bool {
	return !since.IsZero() && a.Unix < since.Unix() && b.Unix >= since.Unix()
}

// runsSince returns when the oldest of the container's current runs
// started: every point before it belongs to a run that has ended. It is
// zero when a running instance does not say.
func runsSince(c model.Container) time.Time {
	var since time.Time
	for _, in := range c.Instances {
		if in.StartedAt.IsZero() {
			continue
		}
		if since.IsZero() || in.StartedAt.Before(since) {
			since = in.StartedAt
		}
	}
	return since
}

// judgedRun returns the newest run of the points long enough to judge a
// climb on (leakMinSpan, leakMinPoints), nil when there is none.
func judgedRun(pts []model.Point) []model.Point {
	end := len(pts)
	for i := len(pts) - 1; i >= 0; i-- {
		if i > 0 && !newRun(pts[i-1], pts[i]) {
			continue
		}
		if r := pts[i:end]; len(r) >= leakMinPoints && time.Duration(r[len(r)-1].Unix-r[0].Unix)*time.Second >= leakMinSpan {
			return r
		}
		end = i
	}
	return nil
}

// newRun reports whether b starts a run after a: the memory fell as at a
// restart, or the points are further apart than watching allows.
func newRun(a, b model.Point) bool {
	return b.Memory > 0 && float64(b.Memory) < restartDrop*float64(a.Memory) ||
		time.Duration(b.Unix-a.Unix)*time.Second > model.MaxSampleGap
}

// fitLine fits memory = intercept + slope x hours (since the first point)
// by least squares and returns R².
func fitLine(pts []model.Point) (slope, intercept, r2 float64) {
	n := float64(len(pts))
	if n < 2 {
		return 0, 0, 0
	}
	var sx, sy, sxx, sxy float64
	for _, p := range pts {
		x, y := float64(p.Unix-pts[0].Unix)/3600, float64(p.Memory)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0, sy / n, 0
	}
	slope = (n*sxy - sx*sy) / d
	intercept = (sy - slope*sx) / n
	var res, tot float64
	mean := sy / n
	for _, p := range pts {
		x, y := float64(p.Unix-pts[0].Unix)/3600, float64(p.Memory)
		e := y - (intercept + slope*x)
		res, tot = res+e*e, tot+(y-mean)*(y-mean)
	}
	if tot == 0 {
		return slope, intercept, 0
	}
	return slope, intercept, 1 - res/tot
}

// leakWarnWithin is how soon a climb must reach the limit, at its rate, to
// be a warning without an OOMKill: within a day, the next OOMKill is news.
const leakWarnWithin = 24 * time.Hour

// adviseLeak says that a container's memory climbs steadily toward its
// limit: more memory only spaces out the OOMKills, and the fix is in the
// code. It speaks only when the climb matters: the container was OOMKilled,
// its peak is near the limit, or its run climbs to the limit within a day.
// The severity follows the climb, not the kill: a run that still climbs to
// its limit within a day is a warning, with or without an OOMKill behind it,
// so a raised limit (which only buys time) leaves it a warning until the
// memory stops climbing; an earlier run's climb with no OOMKill informs.
func adviseLeak(x wctx, l leak) *Advice {
	limit := positive(x.c.Resources.Limits.Memory)
	oom := oomKilledEver(x.c)
	var peak int64
	if x.c.Usage != nil {
		peak = x.c.Usage.MemoryPeak.Value
	}
	if x.c.Past != nil {
		peak = max(peak, x.c.Past.MemoryPeak)
	}
	var eta time.Duration
	heading := limit > 0 && l.now < limit && l.recent
	if heading {
		eta = time.Duration(float64(limit-l.now) / l.perHour * float64(time.Hour))
	}
	soon := heading && eta <= leakWarnWithin
	if !oom && !soon && (limit == 0 || peak < limit*7/10) {
		return nil
	}
	run, young := "this run", ""
	switch {
	case !l.current && l.recent:
		run, young = "the run before this one", "; this one is too young to judge"
	case !l.current:
		run = "its last full run"
	}
	how := fmt.Sprintf("a straight line fits %s of %s with R² %.2f%s", formatDuration(l.span), run, l.fit, young)
	if l.store != "" {
		how = fmt.Sprintf("the median of its hourly slopes over the last %s, %.0f%% of them climbing, from %s", formatDuration(l.span), 100*l.fit, l.store)
	}
	reason := fmt.Sprintf("memory climbs steadily, about %s an hour (%s): a leak, most likely", usageBytes(int64(l.perHour)), how)
	if heading {
		reason += fmt.Sprintf("; at this rate it reaches the %s limit in about %s", formatMemory(limit), formatDuration(eta))
	}
	switch {
	case oom:
		reason += "; a higher limit only spaces out the OOMKills"
	case soon:
		reason += "; a higher limit only buys time"
	}
	// metrics-server's working set counts the page cache too, so a service
	// reading files, or a morning's traffic ramp, can climb the same way
	// (the confidence says so); a climb that reaches the limit within a day
	// is worth a warning whatever it is, and one an OOMKill ended shows the
	// memory was the program's.
	sev := Info
	if oom || soon {
		sev = Warning
	}
	a := x.advice(KindMemoryLeak, sev, reason)
	a.Current = textValue(fmt.Sprintf("+%s/h", usageBytes(int64(l.perHour))))
	a.Suggested = textValue("find what keeps growing: profile the heap")
	a.Evidence = []Evidence{
		num("growth per hour", usageBytes(int64(l.perHour)), l.perHour, Bytes),
		num("fit R²", fmt.Sprintf("%.2f", l.fit), l.fit, Count),
		num("run watched", formatDuration(l.span), l.span.Seconds(), Seconds),
	}
	if l.store != "" {
		a.Evidence = []Evidence{
			num("growth per hour", usageBytes(int64(l.perHour)), l.perHour, Bytes),
			num("hours climbing", fmt.Sprintf("%.0f%%", 100*l.fit), 100*l.fit, Percent),
			num("trend over", formatDuration(l.span), l.span.Seconds(), Seconds), ev("trend", "from "+l.store),
		}
	}
	if limit > 0 {
		a.Evidence = append(a.Evidence, limitEv("memory limit", limit))
	}
	a.Evidence = append(a.Evidence, storeEvidence(x.c, storeOOMKills)...)
	pod := "POD"
	if len(x.c.Instances) > 0 {
		pod = x.c.Instances[0].Pod
	}
	a.Code = fmt.Sprintf("kubectl port-forward -n %s pod/%s 6060 &\ngo tool pprof -top -sample_index=inuse_space http://localhost:6060/debug/pprof/heap",
		x.w.Ref.Namespace, pod)
	a.CodeLang = "shell"
	a.Notes = append(a.Notes, "the commands assume the program serves net/http/pprof on :6060; two heap profiles an hour apart show what grows")
	a.Confidence = Confidence{Level: Medium, Score: math.Min(l.fit, 0.9), Note: "a steady climb over one run; a cache that fills slowly looks the same until it levels off"}
	if l.store != "" {
		a.Confidence.Note = "the working set's trend over the last day, still climbing in its newest hours; a cache that fills slowly looks the same until it levels off"
	}
	return &a
}
