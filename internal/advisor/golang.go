package advisor

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// adviseGo applies the Go runtime rules (GOMEMLIMIT, GOGC, GOMAXPROCS) to a
// container that runs Go, against the limits in force after the sizing advice.
func adviseGo(x wctx, r resources) []Advice {
	if !x.isGo() {
		return nil
	}
	var out []Advice
	for _, a := range []*Advice{adviseGOMEMLIMIT(x, r), adviseGOGC(x, r), adviseGOMAXPROCS(x, r)} {
		if a != nil {
			out = append(out, *a)
		}
	}
	return out
}

// goVersion returns the major and minor Go version the container runs, from
// go_info when scraped, else from the detection ("1.24.3", "go1.22rc1").
func goVersion(x wctx) (major, minor int, ok bool) {
	v := x.c.Go.Version
	if rt := x.runtime(); rt != nil && rt.Version != "" {
		v = rt.Version
	}
	v = strings.TrimPrefix(strings.TrimSpace(v), "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	digits := strings.IndexFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
	if digits >= 0 {
		parts[1] = parts[1][:digits]
	}
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}

// goAtLeast reports whether the container's Go is known to be at least 1.minor
// (known) and whether it is (ok).
func goAtLeast(x wctx, minor int) (ok, known bool) {
	ma, mi, known := goVersion(x)
	if !known {
		return false, false
	}
	return ma > 1 || ma == 1 && mi >= minor, true
}

// peakMemory returns the largest working set seen, or 0.
func peakMemory(r resources) int64 {
	if r.hist.h == nil {
		return 0
	}
	return positive(r.hist.h.MemoryPeak.Value)
}

// adviseGOGC keeps GOGC at 100 unless the evidence says otherwise: GOGC=off
// without a safety net, an env value the runtime does not run, an invalid
// value, or a GC eating CPU while memory has room.
func adviseGOGC(x wctx, r resources) *Advice {
	env, set := x.c.LookupEnv("GOGC")
	rt := x.runtime()
	limit := r.mem.limit
	peak := peakMemory(r)
	_, gmlSet := x.c.LookupEnv("GOMEMLIMIT")
	if rt != nil && rt.GOMEMLIMIT > 0 && rt.GOMEMLIMIT < math.MaxInt64 {
		gmlSet = true
	}
	val := env.Value
	gogc, off, valid := readGOGC(val)
	var a Advice
	switch {
	case set && env.From != nil:
		return nil
	case set && off:
		switch {
		case !gmlSet:
			a = x.advice(KindGOGC, Critical, "GOGC=off with no GOMEMLIMIT: the GC never runs and the heap grows until the container is OOMKilled")
		case limit > 0 && peak >= limit*8/10:
			a = x.advice(KindGOGC, Warning, fmt.Sprintf(
				"GOGC=off leaves only GOMEMLIMIT to collect and the pod peaks at %.0f%% of its limit: the GC will run near-constantly; remove GOGC=off or raise the limit",
				100*float64(peak)/float64(limit)))
		default:
			return nil
		}
		a.Current, a.Suggested = textValue(val), textValue("100 (default)")
		a.Changes = []Change{removeEnv(x.c.Name, "GOGC")}
	case set:
		n := gogc
		switch {
		case !valid:
			a = x.advice(KindGOGC, Warning, fmt.Sprintf("GOGC=%q is not a number or off: Go ignores it and runs 100", env.Value))
			a.Current, a.Suggested = textValue(env.Value), textValue("100 (default)")
			a.Changes = []Change{removeEnv(x.c.Name, "GOGC")}
		case n == 0:
			a = x.advice(KindGOGC, Warning, "GOGC=0 sets the heap goal to the live heap: the GC runs near-constantly ("+gcLimiter(x, r)+")")
			a.Current, a.Suggested = textValue(env.Value), textValue("100 (default)")
			a.Changes = []Change{removeEnv(x.c.Name, "GOGC")}
		case rt != nil && rt.GOGC > 0 && n != rt.GOGC:
			// Dropping it changes nothing the program runs: it informs, and
			// goes with the next change rather than a rollout of its own.
			a = x.advice(KindGOGC, Info, fmt.Sprintf(
				"env GOGC=%d but the runtime runs %d: the code overrides it (debug.SetGCPercent) or the setting never reaches the process", n, rt.GOGC))
			a.Alongside = true
			a.Current = countValue(rt.GOGC, fmt.Sprintf("%d (runtime), %d (env)", rt.GOGC, n))
			a.Suggested = textValue(fmt.Sprintf("drop env GOGC (the runtime runs %d)", rt.GOGC))
			a.Evidence = []Evidence{num("env GOGC", val, float64(n), Percent), num("go_gc_gogc_percent", fmt.Sprint(rt.GOGC), float64(rt.GOGC), Percent)}
			a.Changes = []Change{removeEnv(x.c.Name, "GOGC")}
			a.Notes = append(a.Notes, fmt.Sprintf("the patch drops the env var, which does nothing now: the program keeps running GOGC %d; "+
				"if %d was meant, call debug.SetGCPercent(%d) in code instead (GOGC is read once, at start: os.Setenv in main is too late), "+
				"minding the memory headroom it costs", rt.GOGC, n, n),
				"alone this is not worth a rollout: the patch takes it only with other changes")
			return &a
		default:
			return gcCPU(x, r, n, gmlSet)
		}
	default:
		gogc := int64(100)
		if rt != nil && rt.GOGC > 0 {
			gogc = rt.GOGC
		}
		return gcCPU(x, r, gogc, gmlSet)
	}
	a.Evidence = append(a.Evidence, ev("env GOGC", env.Value))
	if limit > 0 {
		a.Evidence = append(a.Evidence, limitEv("memory limit", limit))
	}
	if peak > 0 {
		a.Evidence = append(a.Evidence, usageEv("peak", peak))
	}
	a.Notes = append(a.Notes, "an env change restarts the pods")
	return &a
}

// gcCPUShare is the share of CPU in GC above which GOGC is worth raising.
const gcCPUShare = 0.25

// gcCPU advises GOGC=200 when the GC takes a large share of CPU and memory
// has room to trade; with no room it says the limit is what to change.
func gcCPU(x wctx, r resources, gogc int64, gmlSet bool) *Advice {
	rt := x.runtime()
	if rt == nil || rt.GCCPUFraction < gcCPUShare || gogc >= 200 {
		return nil
	}
	if g := gomemlimitInForce(x); g > 0 && r.heap.binds(g) {
		return nil // GOMEMLIMIT holds the heap under GOGC's goal: the GOMEMLIMIT advice speaks
	}
	limit, peak := r.mem.limit, peakMemory(r)
	share := num("GC CPU share", fmt.Sprintf("%.0f%%", 100*rt.GCCPUFraction), 100*rt.GCCPUFraction, Percent)
	// GOGC 200 raises the heap goal by one more live heap: about half the
	// heap at its goal when go_gc_heap_live_bytes is not scraped.
	extra := r.heap.live
	if extra <= 0 {
		extra = peak / 2
	}
	if room := gomemlimitFor(limit, r.heap.nonGo); limit > 0 && peak+extra > room {
		a := x.advice(KindGOGC, Warning, fmt.Sprintf(
			"the GC takes %.0f%% of CPU, but GOGC=200 needs about %s more heap (one more live heap) and the %s limit leaves %s over the peak of %s: raise the limit by that with it, or leave GOGC at %d",
			100*rt.GCCPUFraction, humanBytes(extra), formatMemory(limit), usageBytes(max(room-peak, 0)), usageBytes(peak), gogc))
		a.Current, a.Suggested = countValue(gogc, strconv.FormatInt(gogc, 10)), textValue("raise the memory limit, then GOGC=200")
		a.Evidence = []Evidence{share, usageEv("peak", peak), limitEv("memory limit", limit), memEv("heap GOGC=200 adds", extra)}
		return &a
	}
	a := x.advice(KindGOGC, Info, fmt.Sprintf(
		"the GC takes %.0f%% of CPU and memory has room: GOGC=200 halves GC work for about twice the heap headroom", 100*rt.GCCPUFraction))
	a.Current, a.Suggested = countValue(gogc, strconv.FormatInt(gogc, 10)), countValue(200, "200")
	a.Evidence = []Evidence{share}
	if peak > 0 {
		a.Evidence = append(a.Evidence, usageEv("peak", peak))
	}
	if !gmlSet && limit > 0 {
		a.Notes = append(a.Notes, "set GOMEMLIMIT with it, so the bigger heap still stops short of the limit")
	}
	a.Notes = append(a.Notes, "an env change restarts the pods")
	a.Changes = []Change{setEnv(x.c.Name, "GOGC", "200")}
	return &a
}

// readGOGC reads a GOGC value as the runtime does (runtime.readGOGC and
// setGCPercent): exactly "off", or any negative number, turns the GC off;
// another integer is the percentage; anything else ("OFF", " 50", "fifty")
// is ignored and the runtime runs 100 (valid is false).
func readGOGC(s string) (n int64, off, valid bool) {
	if s == "off" {
		return -1, true, true
	}
	v, err := strconv.ParseInt(s, 10, 32)
	switch {
	case err != nil:
		return 100, false, false
	case v < 0:
		return -1, true, true
	}
	return v, false, true
}

// gomemlimitTooOld says that a GOMEMLIMIT in the env of a Go older than
// 1.19 does nothing: the fix is a newer Go, not another value. When the
// memory limit changes, the env value still follows it: inert today, it is
// what the runtime obeys once the program is built with a newer Go, and a
// value left at or above a lowered limit would be wrong then (and the patch
// refused now).
func gomemlimitTooOld(x wctx, r resources) *Advice {
	env, set := x.c.LookupEnv("GOMEMLIMIT")
	if !set {
		return nil
	}
	ma, mi, _ := goVersion(x)
	newer := "a supported Go"
	if !x.opts.Now.IsZero() {
		newer = "Go " + supportOf(mi, x.opts.Now).newestName()
	}
	a := x.advice(KindGOMEMLIMIT, Info, fmt.Sprintf(
		"Go %d.%d ignores GOMEMLIMIT (it arrived in Go 1.19): the GC does not know the memory limit until the program is built with a newer Go",
		ma, mi))
	a.Current = textValue(env.Value)
	if env.From != nil {
		a.Current = textValue("valueFrom " + env.From.String())
	}
	a.Suggested = textValue("build with " + newer)
	val, err := parseGoBytes(env.Value)
	want := gomemlimitFor(r.mem.limit, r.heap.nonGo)
	if env.From != nil || err != nil || r.mem.limitID == "" || want <= 0 || val == want {
		return &a
	}
	a.Reason = fmt.Sprintf("the memory limit moves from %s to %s: GOMEMLIMIT %s follows it to %s; Go %d.%d ignores it today (it arrived in Go 1.19), so it follows the limit to be right once built with %s",
		formatMemory(r.mem.current), formatMemory(r.mem.limit), env.Value, formatGoBytes(want), ma, mi, newer)
	a.Current = Value{Display: env.Value, Set: true, Amount: val, Unit: Bytes}
	a.Suggested = Value{Display: formatGoBytes(want), Set: true, Amount: want, Unit: Bytes}
	a.Evidence = []Evidence{limitEv("memory limit", r.mem.limit), ev("kept outside GOMEMLIMIT", r.heap.keptOutside(r.mem.limit))}
	a.Changes = []Change{setEnv(x.c.Name, "GOMEMLIMIT", formatGoBytes(want))}
	a.Requires = []string{r.mem.limitID}
	a.Confidence = r.limitConfidence() // as sure as the limit it is sized to
	a.Alongside = true                 // inert today: it rides with the limit change, never alone
	a.Notes = append(a.Notes, fmt.Sprintf("sized to the suggested memory limit %s: apply them together", formatMemory(r.mem.limit)))
	return &a
}
