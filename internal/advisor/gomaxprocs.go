package advisor

import (
	"fmt"
	"strconv"
	"strings"
)

// limitProcs is the GOMAXPROCS Go 1.25 and later pick by themselves under a
// CPU limit: the limit's cores rounded up, and at least 2 so that the GC's
// background work still runs beside the program (and at most the node's
// CPUs, which kgotop does not see). Advice for older Go asks for the same
// number, so that an upgrade changes nothing.
func limitProcs(limit int64) int64 { return max(2, (limit+999)/1000) }

// automaxprocs says what go.uber.org/automaxprocs would set under a CPU
// limit beside what Go 1.25 picks (want): the limit's cores rounded down,
// at least 1, so under a limit of less than two cores it gives fewer. What
// Go 1.25 picks is said once, in the note of the env change.
func automaxprocs(limit, want int64) string {
	auto := max(1, limit/1000)
	if auto == want {
		return fmt.Sprintf("go.uber.org/automaxprocs picks the same %d (the limit rounded down to whole cores)", auto)
	}
	return fmt.Sprintf("go.uber.org/automaxprocs would pick %d (the limit rounded down to whole cores, at least 1)", auto)
}

// procsAction is what GOMAXPROCS advice does to the env.
type procsAction int

const (
	procsInform procsAction = iota // explain; no change
	procsSet                       // set GOMAXPROCS to want
)

// procsVerdict is what adviseGOMAXPROCS decided, before any words.
type procsVerdict struct {
	action procsAction
	sev    Severity
	reason string
	// want is the GOMAXPROCS the advice asks for (procsSet), procs what the
	// runtime reports (0 unknown) and limit the CPU limit in force after the
	// advice (0 none).
	want, procs, limit int64
	conf               *Confidence
	notes              []string
	// current overrides the current value shown ("" = from the env and
	// procs); suggested says what to do when the advice informs, and yaml
	// shows it, if it can.
	current, suggested, yaml string
}

// procsFacts are what the GOMAXPROCS rule looks at.
type procsFacts struct {
	// limit is the CPU limit in force after the advice and want what Go 1.25
	// picks under it; predicted is what it picks under the limit the running
	// pods have, which is what the runtime's number answers to.
	limit, procs, want, predicted int64
	env                           string
	envSet, envFrom               bool
	newGo, known                  bool
	major, minor                  int
}

func gomaxprocsFacts(x wctx, r resources) procsFacts {
	f := procsFacts{limit: r.cpuLimit, want: limitProcs(r.cpuLimit), predicted: limitProcs(r.cpuLimit)}
	if now := positive(x.c.Resources.Limits.CPU); now > 0 {
		f.predicted = limitProcs(now)
	}
	if rt := x.runtime(); rt != nil && rt.GOMAXPROCS > 0 {
		f.procs = rt.GOMAXPROCS
	}
	if e, ok := x.c.LookupEnv("GOMAXPROCS"); ok {
		f.env, f.envSet, f.envFrom = e.Value, true, e.From != nil
	}
	f.newGo, f.known = goAtLeast(x, 25)
	f.major, f.minor, _ = goVersion(x)
	return f
}

// decideGOMAXPROCS keeps the runtime's threads within the CPU limit. Before
// Go 1.25 the runtime ignores the limit and runs one thread per node CPU, so
// the cgroup throttles it: set GOMAXPROCS. Go 1.25 and later follow the
// limit (and its changes) unless the binary's go.mod says an older go or
// GODEBUG=containermaxprocs=0 turns it off, which only the runtime's own
// number shows; there an explicit GOMAXPROCS only pins the value, so the
// advice removes it rather than setting it. A deliberate GOMAXPROCS=1 under
// a limit of a core or less is kept. Without a limit, a runtime far wider
// than its request is worth a line. ok is false when there is nothing to say.
func decideGOMAXPROCS(x wctx, r resources) (v procsVerdict, ok bool) {
	f := gomaxprocsFacts(x, r)
	v = procsVerdict{want: f.want, procs: f.procs, limit: f.limit, action: procsSet, sev: Warning}
	switch {
	case f.limit <= 0:
		return procsWithoutLimit(x, f)
	case f.envFrom:
		return v, false // resourceFieldRef limits.cpu: the limit's cores, rounded up
	case f.envSet:
		return procsFromEnv(f, v)
	case f.known && f.newGo:
		return procsMismatch(x, f, v)
	case f.known:
		if f.procs > 0 && f.procs <= f.want {
			return v, false // set in code already (automaxprocs, runtime.GOMAXPROCS)
		}
		v.reason = fmt.Sprintf("Go %d.%d ignores the CPU limit (%s): GOMAXPROCS defaults to the node's CPUs, %s",
			f.major, f.minor, limitText(x, r), burstThreads(f))
		v.notes = []string{"Go 1.25 and later size GOMAXPROCS from the limit by themselves once the program's go.mod says go 1.25 or later; " +
			automaxprocs(f.limit, f.want)}
	case f.procs > f.want:
		v.reason = fmt.Sprintf("the runtime runs GOMAXPROCS=%d under a %s CPU limit: %s", f.procs, cpuAdj(f.limit), burstThreads(f))
		v.conf = &Confidence{Level: Medium, Score: 0.5, Note: "Go version unknown; the runtime's own GOMAXPROCS shows the problem"}
	case f.procs > 0:
		return v, false
	case crashLooping(x):
		return v, false // a container that never runs long shows no Go version and wastes no CPU: fix the crash first
	default:
		// Not offered as a patch: on Go 1.25+ the setting does harm. Only
		// where throttling shows is it a line of its own (unknownVersion).
		say, seen := unknownVersion(x, positive(x.c.Resources.Limits.CPU))
		if say != unknownSpeak {
			return v, false
		}
		v.action, v.sev = procsInform, Info
		v.reason = fmt.Sprintf("Go version unknown, and %s: before Go 1.25 the runtime ignores the CPU limit (%s) and can be throttled in bursts; on 1.25 and later GOMAXPROCS=%d only stops the runtime from following limit changes",
			seen, limitText(x, r), f.want)
		v.conf = &Confidence{Level: Low, Score: 0.25, Note: "Go version unknown: scrape go_info or use a versioned image tag to know"}
		v.suggested = fmt.Sprintf("%d, if it runs Go 1.24 or older", f.want)
		v.yaml = fmt.Sprintf("env:\n- name: GOMAXPROCS\n  value: \"%d\"   # only for Go 1.24 and older", f.want)
	}
	return v, true
}

// procsFromEnv judges a GOMAXPROCS the env sets.
func procsFromEnv(f procsFacts, v procsVerdict) (procsVerdict, bool) {
	n, err := strconv.ParseInt(f.env, 10, 64)
	v.current = f.env
	// A wrong value is set right rather than dropped: without it a Go 1.25
	// runtime follows the limit only if its go.mod says go 1.25 or later.
	dropOK := "on Go 1.25 and later, with a go 1.25 (or later) go.mod, dropping GOMAXPROCS lets the runtime follow the limit by itself"
	switch {
	case err != nil || n < 1:
		v.reason = fmt.Sprintf("GOMAXPROCS=%q is not a positive number: Go ignores it and runs one thread per CPU", f.env)
		v.notes = []string{dropOK}
	case n > f.want:
		v.reason = fmt.Sprintf("GOMAXPROCS=%d runs more threads than the %s CPU limit allows: the container is throttled in bursts", n, cpuAdj(f.limit))
		v.notes = []string{dropOK}
	case n == 1 && f.limit <= 1000:
		return v, false // one thread under a core or less: a deliberate choice that throttles least
	case f.known && f.newGo:
		// Not a patch: whether the runtime would follow the limit without it
		// depends on the go.mod, which only a run without it shows, and a
		// GOMAXPROCS that fits the limit costs nothing until the limit changes.
		v.action, v.sev = procsInform, Info
		v.reason = fmt.Sprintf("GOMAXPROCS=%d pins the runtime: Go 1.25 and later size it from the %s CPU limit by themselves and follow the limit when it changes",
			n, cpuAdj(f.limit))
		v.suggested = "drop it, if the go.mod says go 1.25 or later"
		v.conf = &Confidence{Level: Medium, Score: 0.5, Note: "unless the binary's go.mod says go 1.24 or older"}
	default:
		return v, false
	}
	return v, true
}

// procsMismatch compares what Go 1.25 or later reports with what it picks
// under the limit: min(CPUs, max(2, ceil(limit))). More threads than that
// means the runtime does not follow the limit: the go.mod's go line (or a
// GODEBUG) turned it off, or the limit is one the runtime cannot see. Fewer
// means code set it (automaxprocs rounds down), or a smaller node.
func procsMismatch(x wctx, f procsFacts, v procsVerdict) (procsVerdict, bool) {
	switch {
	case f.procs == 0 || f.procs == f.predicted:
		return v, false
	case f.procs > f.predicted:
		cause := fmt.Sprintf("most likely its go.mod says go 1.24 or older, which keeps the old default (GODEBUG containermaxprocs=0); "+
			"a limit the runtime cannot see (on the pod, or a parent cgroup) looks the same, but this %s limit is the container's own, which it reads",
			cpuAdj(positive(x.c.Resources.Limits.CPU)))
		if e, ok := x.c.LookupEnv("GODEBUG"); ok && strings.Contains(e.Value, "containermaxprocs=0") {
			cause = "GODEBUG=" + e.Value + " turns it off"
		}
		v.reason = fmt.Sprintf("Go %d.%d runs GOMAXPROCS=%d under a %s CPU limit, where it would pick %d: the runtime ignores the limit, %s; %s",
			f.major, f.minor, f.procs, cpuAdj(positive(x.c.Resources.Limits.CPU)), f.predicted, burstThreads(f), cause)
		v.notes = []string{"a go 1.25 (or later) directive in the program's go.mod makes the runtime follow the limit by itself"}
	case f.procs == 1 && f.limit <= 1000:
		return v, false // one thread under a core or less, set in code: a choice
	default:
		v.action, v.sev = procsInform, Info
		v.reason = fmt.Sprintf("Go %d.%d runs GOMAXPROCS=%d under a %s CPU limit, where it would pick %d: code sets it (go.uber.org/automaxprocs rounds down, or runtime.GOMAXPROCS), "+
			"which also stops it from following limit changes, or the node has only %d CPUs",
			f.major, f.minor, f.procs, cpuAdj(positive(x.c.Resources.Limits.CPU)), f.predicted, f.procs)
		v.conf = &Confidence{Level: Medium, Score: 0.5, Note: "a node with fewer CPUs than the limit shows the same"}
		v.notes = []string{"on Go 1.25 and later, drop automaxprocs and runtime.GOMAXPROCS calls: the runtime sizes itself from the limit"}
		v.suggested = "what the runtime picks (drop the call)"
	}
	return v, true
}

// procsWithoutLimit informs when, with no CPU limit, the runtime runs far
// more threads than the CPU request: on a busy node they all compete for
// the request's share, and GC pauses and scheduling latency grow.
func procsWithoutLimit(x wctx, f procsFacts) (procsVerdict, bool) {
	req := positive(x.c.Resources.Requests.CPU)
	cores := max(1, (req+999)/1000)
	if f.envSet || f.procs == 0 || req == 0 || f.procs < 8 || f.procs < 4*cores {
		return procsVerdict{}, false
	}
	want := max(2, 2*cores)
	return procsVerdict{action: procsInform, sev: Info, want: want, procs: f.procs, suggested: fmt.Sprintf("%d, if latency suffers", want),
		reason: fmt.Sprintf("no CPU limit, and the runtime runs GOMAXPROCS=%d (the node's CPUs) for a %s CPU request: when the node is busy, "+
			"%d threads share what the request guarantees, and GC and scheduling latency grow; if tail latency suffers, set GOMAXPROCS near the request (%d)",
			f.procs, cpuAdj(req), f.procs, want),
		conf:  &Confidence{Level: Medium, Score: 0.5, Note: "harmless while the node has idle CPU"},
		notes: []string{"without a limit the extra threads are also what lets the pod use idle CPU: this is a trade, not a fix"},
	}, true
}

// adviseGOMAXPROCS writes the GOMAXPROCS verdict as advice: reason,
// evidence and the env change.
func adviseGOMAXPROCS(x wctx, r resources) *Advice {
	v, ok := decideGOMAXPROCS(x, r)
	if !ok {
		return nil
	}
	a := x.advice(KindGOMAXPROCS, v.sev, v.reason)
	if v.conf != nil {
		a.Confidence = *v.conf
	}
	a.Notes = v.notes
	switch {
	case v.current != "":
		a.Current = textValue(v.current)
	case v.procs > 0:
		a.Current = countValue(v.procs, fmt.Sprintf("not set (runtime %d)", v.procs))
	default:
		a.Current = textValue("")
	}
	switch {
	case v.limit <= 0:
		a.Evidence = []Evidence{cpuEv("CPU request", positive(x.c.Resources.Requests.CPU))}
	case r.cpuLimitID != "":
		a.Evidence = []Evidence{cpuEv("CPU limit now", positive(x.c.Resources.Limits.CPU)), cpuEv("CPU limit suggested", v.limit)}
	default:
		a.Evidence = []Evidence{cpuEv("CPU limit", v.limit)}
	}
	if v.procs > 0 {
		a.Evidence = append(a.Evidence, num("go_sched_gomaxprocs_threads", fmt.Sprint(v.procs), float64(v.procs), Count))
	}
	switch v.action {
	case procsInform:
		a.Suggested = textValue(v.suggested)
		if v.yaml != "" {
			a.Code, a.CodeLang = v.yaml, "yaml"
		}
	case procsSet:
		a.Suggested = countValue(v.want, strconv.FormatInt(v.want, 10))
		a.Changes = []Change{setEnv(x.c.Name, "GOMAXPROCS", strconv.FormatInt(v.want, 10))}
		a.Notes = append(a.Notes, "the limit's cores rounded up, at least 2: what Go 1.25 picks by itself; an env change restarts the pods")
		if now := positive(x.c.Resources.Limits.CPU); r.cpuLimitID != "" && (now <= 0 || limitProcs(now) != v.want) {
			a.Requires = []string{r.cpuLimitID}
			a.Notes = append(a.Notes, fmt.Sprintf("sized to the suggested CPU limit %s: apply them together", cpuWords(v.limit)))
			a.Confidence = r.cpuLimitConf
		}
	}
	return &a
}

// burstThreads says what more threads than the CPU limit does: the GC and
// busy moments run them all against the quota and are throttled in bursts,
// whatever the average usage shows.
func burstThreads(f procsFacts) string {
	if f.procs > 0 {
		return fmt.Sprintf("so the GC and busy moments run up to %d threads against a quota of %s CPU and can be throttled in bursts", f.procs, formatCPU(f.limit))
	}
	return fmt.Sprintf("so the GC and busy moments run one thread per node CPU against a quota of %s CPU and can be throttled in bursts", formatCPU(f.limit))
}

// limitText names the CPU limit a GOMAXPROCS reason speaks of: "1 core"
// when it stays, "1 core now, 1161m suggested" when the advice raises it.
func limitText(x wctx, r resources) string {
	if r.cpuLimitID == "" {
		return cpuWords(r.cpuLimit)
	}
	return cpuWords(positive(x.c.Resources.Limits.CPU)) + " now, " + cpuWords(r.cpuLimit) + " suggested"
}
