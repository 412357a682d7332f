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
)

// leak is a steady rise of a container's memory within its current run.
type leak struct {
	perHour float64 // bytes per hour
	fit     float64 // R² of the line
	span    time.Duration
	now     int64 // the line's value at the run's newest point
	// current says the run is the container's current one (not an earlier
	// run, before a restart or a gap in watching).
	current bool
}

// detectLeak looks for a steady rise in the busiest replica's memory over
// its newest run long enough to judge. Runs end at a restart (a fall below
// restartDrop of the point before) or a gap in watching (MaxSampleGap): a
// run cut short by an OOMKill a minute ago still shows the climb before it.
func detectLeak(h *model.History) (leak, bool) {
	if h == nil {
		return leak{}, false
	}
	pts := h.Points()
	end := len(pts)
	var run []model.Point
	for i := len(pts) - 1; i >= 0 && run == nil; i-- {
		if i > 0 && !newRun(pts[i-1], pts[i]) {
			continue
		}
		if r := pts[i:end]; len(r) >= leakMinPoints && time.Duration(r[len(r)-1].Unix-r[0].Unix)*time.Second >= leakMinSpan {
			run = r
		}
		end = i
	}
	if run == nil {
		return leak{}, false
	}
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
	return leak{perHour: slope, fit: fit, span: time.Duration(hours * float64(time.Hour)),
		now: int64(intercept + slope*hours), current: run[len(run)-1] == pts[len(pts)-1]}, true
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

// adviseLeak says that a container's memory climbs steadily toward its
// limit: more memory only spaces out the OOMKills, and the fix is in the
// code. It speaks only when the climb matters: the container was OOMKilled
// or its peak is near the limit.
func adviseLeak(x wctx, l leak) *Advice {
	limit := positive(x.c.Resources.Limits.Memory)
	oom := oomKilled(x)
	var peak int64
	if x.c.Usage != nil {
		peak = x.c.Usage.MemoryPeak.Value
	}
	if !oom && (limit == 0 || peak < limit*7/10) {
		return nil
	}
	run := "this run"
	if !l.current {
		run = "its last full run"
	}
	reason := fmt.Sprintf("memory climbs steadily, about %s an hour (a straight line fits %s of %s with R² %.2f): a leak, most likely",
		humanBytes(int64(l.perHour)), formatDuration(l.span), run, l.fit)
	if limit > 0 && l.now < limit && l.current {
		eta := time.Duration(float64(limit-l.now) / l.perHour * float64(time.Hour))
		reason += fmt.Sprintf("; at this rate it reaches the %s limit in about %s", formatMemory(limit), formatDuration(eta))
	}
	if oom {
		reason += "; a higher limit only spaces out the OOMKills"
	}
	// metrics-server's working set counts the page cache too, so a service
	// reading files, or a morning's traffic ramp, can climb the same way;
	// an OOMKill shows the memory was the program's.
	sev := Info
	if oom {
		sev = Warning
	}
	a := x.advice(KindMemoryLeak, sev, reason)
	a.Current = textValue(fmt.Sprintf("+%s/h", humanBytes(int64(l.perHour))))
	a.Suggested = textValue("find what keeps growing: profile the heap")
	a.Evidence = []Evidence{
		num("growth per hour", humanBytes(int64(l.perHour)), l.perHour, Bytes),
		num("fit R²", fmt.Sprintf("%.2f", l.fit), l.fit, Count),
		num("run watched", formatDuration(l.span), l.span.Seconds(), Seconds),
	}
	if limit > 0 {
		a.Evidence = append(a.Evidence, limitEv("memory limit", limit))
	}
	pod := "POD"
	if len(x.c.Instances) > 0 {
		pod = x.c.Instances[0].Pod
	}
	a.Code = fmt.Sprintf("kubectl port-forward -n %s pod/%s 6060 &\ngo tool pprof -top -sample_index=inuse_space http://localhost:6060/debug/pprof/heap",
		x.w.Ref.Namespace, pod)
	a.CodeLang = "shell"
	a.Notes = append(a.Notes, "the commands assume the program serves net/http/pprof on :6060; two heap profiles an hour apart show what grows")
	a.Confidence = Confidence{Level: Medium, Score: math.Min(l.fit, 0.9), Note: "a steady climb over one run; a cache that fills slowly looks the same until it levels off"}
	return &a
}
