package advisor

import (
	"fmt"
	"math"
	"strings"
)

// gmlCause says what is wrong with a container's GOMEMLIMIT.
type gmlCause int

const (
	gmlNone       gmlCause = iota
	gmlUnset               // a memory limit and no GOMEMLIMIT
	gmlInvalid             // not a value Go accepts: the program fails at start
	gmlTiny                // under 1MiB: every heap is over it
	gmlAbove               // at or above the memory limit: never acts
	gmlNoRoom              // leaves less than the memory outside the runtime needs
	gmlLiveNear            // the live heap takes most of it
	gmlGCBusy              // the GC burns CPU to stay under it
	gmlFollow              // the memory limit changes and it follows
	gmlWholeLimit          // valueFrom limits.memory: the whole limit
	gmlDivisor             // valueFrom limits.memory with a divisor: a bare number
)

// gmlVerdict is what the GOMEMLIMIT rule decided.
type gmlVerdict struct {
	cause   gmlCause
	current Value
	// now is the GOMEMLIMIT in force in bytes (0 when unknown or unset);
	// want the one advised for the memory limit in force after the advice.
	now, want int64
	// inCode says the program sets it itself (debug.SetMemoryLimit,
	// automemlimit): the change is in code, not in the template.
	inCode bool
	// against is the memory limit a value is judged against: the one the
	// container has (a value only a limit change makes wrong follows it).
	against int64
}

// adviseGOMEMLIMIT judges GOMEMLIMIT against the memory limit in force
// after the advice: unset, unusable, without room for the memory the runtime
// does not count, crowded by the live heap, or left behind by a limit change.
func adviseGOMEMLIMIT(x wctx, r resources) *Advice {
	if ok, known := goAtLeast(x, 19); known && !ok {
		return gomemlimitTooOld(x, r) // GOMEMLIMIT arrived in Go 1.19
	}
	v := decideGOMEMLIMIT(x, r)
	if v.cause == gmlNone {
		return nil
	}
	return v.write(x, r)
}

func decideGOMEMLIMIT(x wctx, r resources) gmlVerdict {
	limit, h := r.mem.limit, r.heap
	v := gmlVerdict{want: gomemlimitFor(limit, h.nonGo)}
	if limit <= 0 || v.want <= 0 {
		return v
	}
	env, set := x.c.LookupEnv("GOMEMLIMIT")
	if set && env.From != nil {
		if env.From.FromLimit("memory") {
			v.current, v.cause = textValue("valueFrom "+env.From.String()), gmlWholeLimit
			if env.From.Divisor != "" {
				v.cause = gmlDivisor
			}
		}
		return v
	}
	v.current = textValue(env.Value)
	val, err := parseGoBytes(env.Value)
	if !set || err == errOff {
		if rt := x.runtime(); !set && rt != nil && rt.GOMEMLIMIT > 0 && rt.GOMEMLIMIT < math.MaxInt64 && rt.GOMEMLIMIT < limit {
			v.inCode, v.now = true, rt.GOMEMLIMIT
			v.current = Value{Display: humanBytes(v.now) + " (set in code)", Set: true, Amount: v.now, Unit: Bytes}
			if h.liveNear(v.now) {
				v.cause = gmlLiveNear
			} else if h.gcCPU >= gcCPUShare && h.binds(v.now) {
				v.cause = gmlGCBusy
			}
			return v
		}
		v.cause = gmlUnset
		return v
	}
	v.now = val
	if err == nil {
		v.current = Value{Display: env.Value, Set: true, Amount: val, Unit: Bytes}
	}
	judge := r.mem.current
	if judge <= 0 {
		judge = limit
	}
	v.against = judge
	// The alarm sits at half the room gomemlimitFor keeps: a GOMEMLIMIT
	// set to kgotop's own advice stays quiet when what is measured outside
	// the runtime moves by a few MiB between runs (576MiB -> 575MiB was a
	// rollout and a false "OOMKilled before the GC reacts").
	// A small measure of the rest never makes the alarm quieter than no
	// measure at all.
	keep := float64(judge) * gomemlimitHeadroom / 2
	if h.nonGoFrom != "" {
		keep = max(keep, float64(h.nonGo)+float64(judge)*nonGoMargin/2)
	}
	switch {
	case err != nil:
		v.cause = gmlInvalid
	case val < mib:
		v.cause = gmlTiny
	case val >= judge:
		v.cause = gmlAbove
	case val > gomemlimitFor(judge, h.nonGo) && float64(val) > float64(judge)-keep:
		v.cause = gmlNoRoom
	case h.liveNear(val):
		v.cause = gmlLiveNear
	case h.gcCPU >= gcCPUShare && h.binds(val):
		v.cause = gmlGCBusy
	case r.mem.limitID != "" && val != v.want:
		v.cause = gmlFollow
	}
	return v
}

// severity grades the verdict; a GOMEMLIMIT that only follows a limit change
// is as urgent as that change, at most a warning.
func (v gmlVerdict) severity(x wctx, r resources) Severity {
	switch v.cause {
	case gmlInvalid, gmlTiny, gmlDivisor:
		return Critical
	case gmlFollow:
		return followSeverity(r)
	case gmlUnset:
		// Judged against the limit the container has: a condition only the
		// advised limit creates is as urgent as that limit change.
		limit := r.mem.limit
		if r.mem.limitID != "" && r.mem.current > 0 {
			limit = r.mem.current
		}
		if len(oomKills(x.w, x.c)) > 0 || peakMemory(r) >= limit*7/10 || r.heap.goal >= gomemlimitFor(limit, r.heap.nonGo) {
			return Warning
		}
		if r.mem.limitID != "" {
			return followSeverity(r)
		}
		return Info
	}
	return Warning
}

// followSeverity grades a GOMEMLIMIT that only follows a limit change: as
// urgent as that change, at most a warning.
func followSeverity(r resources) Severity {
	if r.mem.limitSeverity == Critical {
		return Warning
	}
	return r.mem.limitSeverity
}

// reason says the verdict in one line.
func (v gmlVerdict) reason(x wctx, r resources) string {
	limit, h := r.mem.limit, r.heap
	env, _ := x.c.LookupEnv("GOMEMLIMIT")
	switch v.cause {
	case gmlUnset:
		goal := "its goal"
		if h.goal > 0 {
			goal = fmt.Sprintf("its goal (%s now)", humanBytes(h.goal))
		}
		return fmt.Sprintf("memory limit %s and no GOMEMLIMIT: the GC does not know the limit and lets the heap grow to %s at GOGC %d before collecting; set it to %s",
			formatMemory(limit), goal, h.gogc, formatGoBytes(v.want))
	case gmlInvalid:
		return fmt.Sprintf("GOMEMLIMIT=%q is not a value Go accepts (a number of bytes with B, KiB, MiB, GiB or TiB): the program fails at start", env.Value)
	case gmlTiny:
		return fmt.Sprintf("GOMEMLIMIT=%s is %s: every heap is over it, so the GC runs near-constantly (%s)", env.Value, humanBytes(v.now), gcLimiter(x, r))
	case gmlAbove:
		return fmt.Sprintf("GOMEMLIMIT %s is not below the %s memory limit: the container is OOMKilled before the GC ever works to stay under it; set it to %s",
			humanBytes(v.now), formatMemory(v.against), formatGoBytes(v.want))
	case gmlNoRoom:
		if h.nonGoFrom != "" {
			return fmt.Sprintf("GOMEMLIMIT %s leaves %s of the %s limit for memory outside the Go runtime, which uses %s: a spike there OOMKills the container before the GC reacts; set it to %s",
				humanBytes(v.now), humanBytes(v.against-v.now), formatMemory(v.against), humanBytes(h.nonGo), formatGoBytes(v.want))
		}
		return fmt.Sprintf("GOMEMLIMIT %s leaves less than 5%% of the %s limit for memory the GC does not count: the container is OOMKilled before the GC reacts; set it to %s",
			humanBytes(v.now), formatMemory(v.against), formatGoBytes(v.want))
	case gmlLiveNear:
		return fmt.Sprintf("the live heap of %s is %.0f%% of GOMEMLIMIT %s: %s",
			humanBytes(h.live), 100*float64(h.live)/float64(v.now), humanBytes(v.now), h.gcPressure(v.now))
	case gmlGCBusy:
		return fmt.Sprintf("the GC takes %.0f%% of CPU holding the heap under GOMEMLIMIT %s, below the %s goal GOGC %d sets for a live heap of %s",
			100*h.gcCPU, humanBytes(v.now), humanBytes(h.live+h.live*h.gogc/100), h.gogc, humanBytes(h.live))
	case gmlFollow:
		return fmt.Sprintf("the memory limit moves from %s to %s: GOMEMLIMIT %s follows it to %s",
			formatMemory(r.mem.current), formatMemory(limit), env.Value, formatGoBytes(v.want))
	case gmlWholeLimit:
		return fmt.Sprintf("GOMEMLIMIT comes from the memory limit itself (%s): no headroom for memory the GC does not count, so the container is OOMKilled before the GC reacts; set it to %s",
			formatMemory(limit), formatGoBytes(v.want))
	case gmlDivisor:
		return fmt.Sprintf("GOMEMLIMIT comes from the memory limit divided by %s: a bare number, which Go reads as bytes, so the GC runs near-constantly; set it to %s",
			env.From.Divisor, formatGoBytes(v.want))
	}
	return ""
}

// write is the GOMEMLIMIT advice for the verdict.
func (v gmlVerdict) write(x wctx, r resources) *Advice {
	limit := r.mem.limit
	a := x.advice(KindGOMEMLIMIT, v.severity(x, r), v.reason(x, r))
	a.Current = v.current
	a.Suggested = Value{Display: formatGoBytes(v.want), Set: true, Amount: v.want, Unit: Bytes}
	a.Evidence = []Evidence{limitEv("memory limit", limit), ev("kept outside GOMEMLIMIT", r.heap.keptOutside(limit))}
	if peak := peakMemory(r); peak > 0 {
		a.Evidence = append(a.Evidence, usageEv("peak", peak))
	}
	a.Evidence = append(a.Evidence, r.heap.evidence()...)
	if r.heap.gcCPU >= 0 && (v.cause == gmlLiveNear || v.cause == gmlGCBusy) {
		a.Evidence = append(a.Evidence, num("GC CPU share", fmt.Sprintf("%.0f%%", 100*r.heap.gcCPU), 100*r.heap.gcCPU, Percent))
	}
	raise := (v.cause == gmlLiveNear || v.cause == gmlGCBusy) && v.want <= v.now
	switch {
	case r.climbing:
		// GC guide: near a limit the GC runs ever more often; a leak reaches it anyway.
		if r.leaking && a.Severity == Warning { // an OOMKill confirmed it
			a.Severity = Info
		}
		a.Reason = strings.Replace(a.Reason, "set it to", "once the growth is fixed, set it to", 1)
		a.Suggested.Display += " once the growth is fixed"
		a.Notes = append(a.Notes, "not in the patch: memory climbs steadily, and near the limit GOMEMLIMIT makes the GC run ever more often ("+
			gcLimiter(x, r)+") before the OOMKill comes anyway; fix the growth first")
	case !r.judged && oomKilledEver(x.c) && v.now == 0:
		// An OOMKill and no run long enough to tell a leak from a peak:
		// GOMEMLIMIT is not added yet. One already set follows a raised
		// limit in the same patch (left behind, it wastes the raise).
		a.Suggested.Display += " once growth is judged"
		a.Notes = append(a.Notes, "not in the patch: growth unknown: watch 30m. It was OOMKilled, and if its memory climbs like a leak, near the limit GOMEMLIMIT makes the GC run ever more often ("+
			gcLimiter(x, r)+") before the OOMKill comes anyway; kgotop judges the growth from a run of 30 minutes, or from Prometheus' trend of the working set")
	case raise:
		a.Suggested = textValue("raise the memory limit, then GOMEMLIMIT with it")
	case v.inCode:
		a.Notes = append(a.Notes, "set in code (debug.SetMemoryLimit, or automemlimit from the memory limit): change it there, or raise the memory limit automemlimit follows")
		a.CodeLang = "go"
		a.Code = fmt.Sprintf("debug.SetMemoryLimit(%d) // %s: the memory limit less what the runtime does not count", v.want, formatGoBytes(v.want))
	default:
		a.Changes = []Change{setEnv(x.c.Name, "GOMEMLIMIT", formatGoBytes(v.want))}
		a.Notes = append(a.Notes, "an env change restarts the pods")
		if v.cause == gmlWholeLimit || v.cause == gmlDivisor {
			a.Notes = append(a.Notes, "the patch replaces valueFrom with a value, which does not follow later limit changes: change both together, or use automemlimit in the program")
		}
	}
	defer func() { a.Confidence = r.nonGoConfidence(x, a.Confidence) }()
	if r.mem.limitID != "" {
		a.Confidence = r.limitConfidence() // as sure as the limit it is sized to
		if a.Patchable() {
			a.Requires = []string{r.mem.limitID}
			a.Notes = append(a.Notes, fmt.Sprintf("sized to the suggested memory limit %s: apply them together", formatMemory(limit)))
		}
	}
	return &a
}

// nonGoConfidence caps a GOMEMLIMIT's confidence at medium when what it
// leaves outside rests on little: the memory outside the Go runtime not
// measured (10% of the limit assumed), or measured on seconds of history.
func (r resources) nonGoConfidence(x wctx, c Confidence) Confidence {
	const check = "if the working set holds page cache, mmap'd files or cgo memory, leave that much more outside GOMEMLIMIT"
	var why string
	switch span := r.hist.conf.Span(); {
	case r.heap.nonGoFrom == "" && x.runtime() == nil:
		why = "memory outside the Go runtime not measured (its /metrics never read): 10% of the limit assumed; " + check
	case r.heap.nonGoFrom == "":
		why = "memory outside the Go runtime not measured (what the runtime maps, or the pod's working set, is unknown): 10% of the limit assumed; " + check
	case span < x.opts.SizingMin:
		why = fmt.Sprintf("memory outside the Go runtime measured on %s of history: %s", formatDuration(span), check)
	default:
		return c
	}
	if c.Level == High {
		c.Level = Medium
	}
	c.Note = joinNote(c.Note, why)
	return c
}

// gcLimiter says what the GC CPU limiter allows the GC, in this container.
func gcLimiter(x wctx, r resources) string {
	const s = "the GC CPU limiter caps it at about half of GOMAXPROCS x wall time"
	var procs int64
	if rt := x.runtime(); rt != nil && rt.GOMAXPROCS > 0 {
		procs = rt.GOMAXPROCS
	}
	with := "with GOMAXPROCS %d"
	if v, ok := decideGOMAXPROCS(x, r); ok && v.action == procsSet {
		procs, with = v.want, "once the patch sets GOMAXPROCS %d" // what runs once it is applied
	}
	half := fmt.Sprintf("%s of CPU", formatCPU(procs*500))
	if procs%2 == 0 {
		half = fmt.Sprintf("%d cores", procs/2)
		if procs == 2 {
			half = "a core"
		}
	}
	switch {
	case procs > 0 && r.cpuLimit > 0 && procs*500 >= r.cpuLimit:
		return fmt.Sprintf("%s: "+with+", that is %s, the whole %s limit", s, procs, half, cpuAdj(r.cpuLimit))
	case procs > 0:
		return fmt.Sprintf("%s: "+with+", %s", s, procs, half)
	case r.cpuLimit > 0:
		return s + ", which under a CPU limit of fewer cores than GOMAXPROCS can be the whole quota"
	}
	return s
}

// gomemlimitInForce returns the GOMEMLIMIT the program runs with: the env's
// value when it is one, else what the runtime reports; 0 when none.
func gomemlimitInForce(x wctx) int64 {
	if env, set := x.c.LookupEnv("GOMEMLIMIT"); set && env.From == nil {
		if v, err := parseGoBytes(env.Value); err == nil {
			return v
		}
		return 0
	}
	if rt := x.runtime(); rt != nil && rt.GOMEMLIMIT > 0 && rt.GOMEMLIMIT < math.MaxInt64 {
		return rt.GOMEMLIMIT
	}
	return 0
}

// limitConfidence is the confidence of the advice that changes the memory
// limit, which advice sized to the new limit shares.
func (r resources) limitConfidence() Confidence {
	for _, l := range r.advice {
		if l.ID == r.mem.limitID {
			return l.Confidence
		}
	}
	return Confidence{Level: High, Score: 1}
}
