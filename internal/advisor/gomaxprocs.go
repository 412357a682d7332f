package advisor

import (
	"fmt"
	"strconv"
)

// adviseGOMAXPROCS sets GOMAXPROCS to the CPU limit's whole cores on Go
// before 1.25, whose runtime ignores the limit and runs one thread per node
// CPU, so the cgroup throttles it. Go 1.25 and later size it from the limit
// themselves; with an unknown version the advice only informs.
func adviseGOMAXPROCS(x wctx, r resources) *Advice {
	limit := r.cpuLimit
	if limit <= 0 {
		return nil
	}
	want := max(1, limit/1000)
	ceilCores := (limit + 999) / 1000
	var procs int64
	if rt := x.runtime(); rt != nil && rt.GOMAXPROCS > 0 {
		procs = rt.GOMAXPROCS
	}
	evidence := []Evidence{cpuEv("CPU limit", limit)}
	if procs > 0 {
		evidence = append(evidence, num("go_sched_gomaxprocs_threads", fmt.Sprint(procs), float64(procs), Count))
	}
	var a Advice
	env, set := x.c.LookupEnv("GOMAXPROCS")
	newGo, known := goAtLeast(x, 25)
	switch {
	case set && env.From != "":
		return nil // resourceFieldRef limits.cpu: the limit's cores, rounded up
	case set:
		n, err := strconv.ParseInt(env.Value, 10, 64)
		switch {
		case err != nil || n < 1:
			a = x.advice(KindGOMAXPROCS, Warning, fmt.Sprintf(
				"GOMAXPROCS=%q is not a positive number: Go ignores it and runs one thread per CPU", env.Value))
		case n > ceilCores:
			a = x.advice(KindGOMAXPROCS, Warning, fmt.Sprintf(
				"GOMAXPROCS=%d runs more threads than the %s CPU limit allows: the container is throttled in bursts", n, formatCPU(limit)))
		default:
			return nil
		}
		a.Current = textValue(env.Value)
	case known && newGo:
		return nil // Go 1.25+ follows the CPU limit by itself
	case known:
		ma, mi, _ := goVersion(x)
		a = x.advice(KindGOMAXPROCS, Warning, fmt.Sprintf(
			"Go %d.%d ignores the %s CPU limit: GOMAXPROCS defaults to the node's CPUs and the cgroup throttles the extra threads",
			ma, mi, formatCPU(limit)))
		if procs > 0 && procs <= ceilCores {
			return nil // set in code already (automaxprocs, runtime.GOMAXPROCS)
		}
		a.Notes = append(a.Notes, "Go 1.25 and later do this by themselves; so does go.uber.org/automaxprocs")
	case procs > ceilCores:
		a = x.advice(KindGOMAXPROCS, Warning, fmt.Sprintf(
			"the runtime runs GOMAXPROCS=%d under a %s CPU limit: the cgroup throttles the extra threads", procs, formatCPU(limit)))
		a.Confidence = Confidence{Level: Medium, Score: 0.5, Note: "Go version unknown; the runtime's own GOMAXPROCS shows the problem"}
	case procs > 0:
		return nil
	default:
		a = x.advice(KindGOMAXPROCS, Info, fmt.Sprintf(
			"Go version unknown: before Go 1.25 the runtime ignores the %s CPU limit and is throttled; setting GOMAXPROCS is harmless on newer Go",
			formatCPU(limit)))
		a.Confidence = Confidence{Level: Low, Score: 0.25, Note: "Go version unknown: scrape go_info or use a versioned image tag to know"}
	}
	if a.Current.Display == "" {
		a.Current = textValue("")
		if procs > 0 {
			a.Current = countValue(procs, fmt.Sprintf("not set (runtime %d)", procs))
		}
	}
	a.Suggested = countValue(want, strconv.FormatInt(want, 10))
	a.Evidence = evidence
	a.Changes = []Change{setEnv(x.c.Name, "GOMAXPROCS", strconv.FormatInt(want, 10))}
	a.Notes = append(a.Notes, "an env change restarts the pods")
	if r.cpuLimitID != "" {
		a.Requires = []string{r.cpuLimitID}
		a.Notes = append(a.Notes, fmt.Sprintf("sized to the suggested CPU limit %s: apply them together", formatCPU(limit)))
	}
	return &a
}
