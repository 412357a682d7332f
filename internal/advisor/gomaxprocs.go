package advisor

import (
	"fmt"
	"strconv"
)

// limitProcs is the GOMAXPROCS Go 1.25 and later pick by themselves under a
// CPU limit: the limit's cores rounded up, and at least 2 so that the GC's
// background work still runs beside the program. Advice for older Go asks
// for the same number, so that an upgrade changes nothing.
func limitProcs(limit int64) int64 { return max(2, (limit+999)/1000) }

// adviseGOMAXPROCS keeps the runtime's threads within the CPU limit. Before
// Go 1.25 the runtime ignores the limit and runs one thread per node CPU, so
// the cgroup throttles it: set GOMAXPROCS. Go 1.25 and later follow the limit
// (and its changes) unless the binary's go.mod says an older go or
// GODEBUG=containermaxprocs=0 turns it off, which only the runtime's own
// number shows; there an explicit GOMAXPROCS only pins the value, so advice
// removes it rather than setting it. With an unknown version it informs.
func adviseGOMAXPROCS(x wctx, r resources) *Advice {
	limit := r.cpuLimit
	if limit <= 0 {
		return nil
	}
	want := limitProcs(limit)
	var procs int64
	if rt := x.runtime(); rt != nil && rt.GOMAXPROCS > 0 {
		procs = rt.GOMAXPROCS
	}
	evidence := []Evidence{cpuEv("CPU limit", limit)}
	if r.cpuLimitID != "" {
		evidence = []Evidence{cpuEv("CPU limit now", positive(x.c.Resources.Limits.CPU)), cpuEv("CPU limit suggested", limit)}
	}
	if procs > 0 {
		evidence = append(evidence, num("go_sched_gomaxprocs_threads", fmt.Sprint(procs), float64(procs), Count))
	}
	var a Advice
	env, set := x.c.LookupEnv("GOMAXPROCS")
	newGo, known := goAtLeast(x, 25)
	remove := false // the fix is to drop the env var, not to set it
	switch {
	case set && env.From != nil:
		return nil // resourceFieldRef limits.cpu: the limit's cores, rounded up
	case set:
		n, err := strconv.ParseInt(env.Value, 10, 64)
		switch {
		case err != nil || n < 1:
			a = x.advice(KindGOMAXPROCS, Warning, fmt.Sprintf(
				"GOMAXPROCS=%q is not a positive number: Go ignores it and runs one thread per CPU", env.Value))
		case n > want:
			a = x.advice(KindGOMAXPROCS, Warning, fmt.Sprintf(
				"GOMAXPROCS=%d runs more threads than the %s CPU limit allows: the container is throttled in bursts", n, formatCPU(limit)))
		case known && newGo:
			a = x.advice(KindGOMAXPROCS, Info, fmt.Sprintf(
				"GOMAXPROCS=%d pins the runtime: Go 1.25 and later size it from the %s CPU limit by themselves and follow the limit when it changes",
				n, formatCPU(limit)))
			a.Confidence = Confidence{Level: Medium, Score: 0.5, Note: "unless the binary's go.mod says go 1.24 or older"}
		default:
			return nil
		}
		a.Current = textValue(env.Value)
		remove = known && newGo
	case known && newGo:
		if procs <= want {
			return nil // Go 1.25+ follows the CPU limit by itself
		}
		ma, mi, _ := goVersion(x)
		a = x.advice(KindGOMAXPROCS, Warning, fmt.Sprintf(
			"Go %d.%d runs GOMAXPROCS=%d under a %s CPU limit: its go.mod says go 1.24 or older, or GODEBUG=containermaxprocs=0, so the runtime ignores the limit and the cgroup throttles the extra threads",
			ma, mi, procs, formatCPU(limit)))
		a.Notes = append(a.Notes, "a go 1.25 (or later) directive in the program's go.mod makes the runtime follow the limit by itself")
	case known:
		if procs > 0 && procs <= want {
			return nil // set in code already (automaxprocs, runtime.GOMAXPROCS)
		}
		ma, mi, _ := goVersion(x)
		a = x.advice(KindGOMAXPROCS, Warning, fmt.Sprintf(
			"Go %d.%d ignores the CPU limit (%s): GOMAXPROCS defaults to the node's CPUs and the cgroup throttles the extra threads",
			ma, mi, limitText(x, r)))
		a.Notes = append(a.Notes, "Go 1.25 and later size GOMAXPROCS from the limit by themselves; go.uber.org/automaxprocs does too, rounding down (at least 1)")
	case procs > want:
		a = x.advice(KindGOMAXPROCS, Warning, fmt.Sprintf(
			"the runtime runs GOMAXPROCS=%d under a %s CPU limit: the cgroup throttles the extra threads", procs, formatCPU(limit)))
		a.Confidence = Confidence{Level: Medium, Score: 0.5, Note: "Go version unknown; the runtime's own GOMAXPROCS shows the problem"}
	case procs > 0:
		return nil
	default:
		// Not offered as a patch: on Go 1.25+ the setting does harm.
		a = x.advice(KindGOMAXPROCS, Info, fmt.Sprintf(
			"Go version unknown: before Go 1.25 the runtime ignores the CPU limit (%s) and is throttled; on 1.25 and later GOMAXPROCS=%d only stops the runtime from following limit changes",
			limitText(x, r), want))
		a.Confidence = Confidence{Level: Low, Score: 0.25, Note: "Go version unknown: scrape go_info or use a versioned image tag to know"}
		a.Current, a.Suggested = textValue(""), textValue(fmt.Sprintf("%d, if it runs Go 1.24 or older", want))
		a.Evidence = evidence
		a.Code, a.CodeLang = fmt.Sprintf("env:\n- name: GOMAXPROCS\n  value: \"%d\"   # only for Go 1.24 and older", want), "yaml"
		return &a
	}
	if a.Current.Display == "" {
		a.Current = textValue("")
		if procs > 0 {
			a.Current = countValue(procs, fmt.Sprintf("not set (runtime %d)", procs))
		}
	}
	a.Evidence = evidence
	if remove {
		a.Suggested = textValue("")
		a.Changes = []Change{removeEnv(x.c.Name, "GOMAXPROCS")}
		a.Notes = append(a.Notes, "the runtime then picks the limit's cores rounded up, at least 2; an env change restarts the pods")
		return &a
	}
	a.Suggested = countValue(want, strconv.FormatInt(want, 10))
	a.Changes = []Change{setEnv(x.c.Name, "GOMAXPROCS", strconv.FormatInt(want, 10))}
	a.Notes = append(a.Notes, "the limit's cores rounded up, at least 2: what Go 1.25 picks by itself; an env change restarts the pods")
	if now := positive(x.c.Resources.Limits.CPU); r.cpuLimitID != "" && (now <= 0 || limitProcs(now) != want) {
		a.Requires = []string{r.cpuLimitID}
		a.Notes = append(a.Notes, fmt.Sprintf("sized to the suggested CPU limit %s: apply them together", formatCPU(limit)))
		a.Confidence = r.cpuLimitConf
	}
	return &a
}

// limitText names the CPU limit a GOMAXPROCS reason speaks of: "1" when it
// stays, "1 now, 1161m suggested" when the advice raises it.
func limitText(x wctx, r resources) string {
	if r.cpuLimitID == "" {
		return formatCPU(r.cpuLimit)
	}
	return formatCPU(positive(x.c.Resources.Limits.CPU)) + " now, " + formatCPU(r.cpuLimit) + " suggested"
}
