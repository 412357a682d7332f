package advisor

import (
	"fmt"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// maxStart is the longest start-to-ready time taken as a start. The Ready
// condition's transition time moves each time readiness flaps, so a pod up
// for days whose readiness failed once would look like a days-long start.
const maxStart = 10 * time.Minute

// worstStart returns the longest start-to-ready time among the pods, or 0
// when none is known.
func worstStart(w model.Workload) time.Duration {
	var d time.Duration
	for _, p := range w.Pods {
		if s := p.StartToReady(); s <= maxStart {
			d = max(d, s)
		}
	}
	return d
}

// longestKilledRun returns the longest run a probe ended while the program
// was starting: the last terminations by a signal (killedBySignal) that
// lasted less than maxStart. 0 when none is known.
func longestKilledRun(c model.Container) time.Duration {
	var d time.Duration
	for _, in := range c.Instances {
		t := in.LastTermination
		if t == nil || !killedBySignal(*t) || t.StartedAt.IsZero() {
			continue
		}
		if run := t.FinishedAt.Sub(t.StartedAt); run > 0 && run <= maxStart {
			d = max(d, run)
		}
	}
	return d
}

// startupVerdict is what adviseStartup decided: the probe that judges a
// start now, what it allows, what was seen of starts and kills, and the
// startup probe that covers them.
type startupVerdict struct {
	guard  model.ProbeType
	budget time.Duration
	fails  model.ProbeFailure
	// worst is the slowest start seen to become ready; killedRun the
	// longest run the guard killed while starting (0 when unknown).
	worst, killedRun time.Duration
	// cover is what the startup probe allows: period x failures.
	cover            time.Duration
	from             string
	period, failures int32
	sev              Severity
}

// startupCover is how long a startup probe should allow, and from what. A
// kill says a start takes longer than the run it ended, and than the
// probe's budget. With a start seen to finish: about twice the slowest
// start, counting a killed one as that lower bound. With none: three times
// the lower bound; and so too when the slowest start seen ends within a
// probe period of the kill: only starts faster than the kill can be seen
// to finish, so the slowest seen is censored by it, as CPU usage is by its
// limit. Never less than the liveness probe allows already.
func startupCover(v startupVerdict, live time.Duration) (time.Duration, string) {
	killedStart, from := v.killedRun, "the longest run the probe killed"
	if v.fails.Kills > 0 && v.budget > killedStart {
		killedStart, from = v.budget, "the probe's budget, which a killed start outlasts"
	}
	if v.fails.Kills == 0 {
		killedStart = 0
	}
	var cover time.Duration
	period := time.Duration(v.period) * time.Second
	switch {
	case killedStart > 0 && v.worst >= killedStart && v.worst <= killedStart+period:
		cover, from = 3*v.worst, "three times the slowest start, which the kills cut: starts slower than the kill were never seen to finish"
	case v.worst >= killedStart:
		cover, from = 2*v.worst, "twice the slowest start"
	case v.worst > 0:
		cover, from = 2*killedStart, "twice "+from
	default:
		cover, from = 3*killedStart, "no start seen: three times "+from
	}
	if cover < live {
		return live, "the liveness probe's budget"
	}
	return cover, from
}

// decideStartup decides whether the container needs a startup probe (or a
// longer one): when the probe that guards the start kills containers that
// are still starting, or when starts come close to what it allows.
func decideStartup(x wctx) (startupVerdict, bool) {
	live, startup := x.c.Probes.Liveness, x.c.Probes.Startup
	if live == nil {
		return startupVerdict{}, false
	}
	// Whichever probe guards the start is the one that kills slow starters.
	v := startupVerdict{guard: model.Liveness, budget: live.Budget(), period: live.PeriodSeconds}
	if startup != nil {
		v.guard, v.budget, v.period = model.Startup, startup.Budget(), startup.PeriodSeconds
	}
	v.period = max(v.period, 1)
	v.fails = probeFailure(x.c, v.guard)
	v.worst = worstStart(x.w)
	killed := v.fails.Kills > 0
	// A start that took longer than the budget and was not killed shows the
	// probe passes while the program warms up: nothing to fix.
	nearBudget := v.worst > v.budget*8/10 && v.worst <= v.budget
	if !killed && !nearBudget {
		return v, false
	}
	if killed {
		v.killedRun = longestKilledRun(x.c)
	}
	v.cover, v.from = startupCover(v, live.Budget())
	var delay time.Duration
	if startup != nil {
		delay = time.Duration(startup.InitialDelaySeconds) * time.Second
	}
	period := time.Duration(v.period) * time.Second
	v.failures = int32((max(v.cover-delay, period) + period - 1) / period)
	v.cover = delay + time.Duration(v.failures)*period
	if startup != nil && v.failures <= startup.FailureThreshold {
		return v, false
	}
	v.sev = Info
	switch {
	case killed && crashLooping(x):
		v.sev = Critical
	case killed:
		v.sev = Warning
	}
	return v, true
}

// adviseStartup adds (or lengthens) a startupProbe sized from the starts
// seen. The startup probe holds liveness off until the program is up, so
// the liveness probe can stay strict.
func adviseStartup(x wctx) *Advice {
	v, ok := decideStartup(x)
	if !ok {
		return nil
	}
	a := x.advice(KindStartupProbe, v.sev, startupReason(x, v))
	startup := x.c.Probes.Startup
	a.Current = textValue("")
	if startup != nil {
		a.Current = textValue(startup.String())
	}
	a.Suggested = textValue(fmt.Sprintf("startupProbe %ds x %d = %s", v.period, v.failures, formatDuration(v.cover)))
	a.Evidence = []Evidence{
		num(string(v.guard)+" kills", fmt.Sprint(v.fails.Kills), float64(v.fails.Kills), Count),
		num(string(v.guard)+" failures", fmt.Sprint(v.fails.Count), float64(v.fails.Count), Count),
		num("probe budget", formatDuration(v.budget), v.budget.Seconds(), Seconds),
	}
	if v.worst > 0 {
		a.Evidence = append(a.Evidence, num("slowest start to ready", formatDuration(v.worst), v.worst.Seconds(), Seconds))
	} else {
		a.Confidence = Confidence{Level: Medium, Score: 0.5,
			Note: "no start was seen to finish: sized from the kills; the next starts show whether it is enough"}
	}
	if v.killedRun > 0 {
		a.Evidence = append(a.Evidence, num("longest killed run", formatDuration(v.killedRun), v.killedRun.Seconds(), Seconds))
	}
	if v.fails.LastMessage != "" {
		a.Evidence = append(a.Evidence, ev("last failure", v.fails.LastMessage))
	}
	set := map[string]any{"periodSeconds": v.period, "failureThreshold": v.failures}
	if startup == nil {
		live := x.c.Probes.Liveness
		handler, ok := handlerFields(live.Handler)
		if !ok {
			a.Code, a.CodeLang = fmt.Sprintf("startupProbe:\n  # the liveness probe's handler: %s\n  periodSeconds: %d\n  failureThreshold: %d",
				live.Handler, v.period, v.failures), "yaml"
			return &a
		}
		for k, val := range handler {
			set[k] = val
		}
		if live.TimeoutSeconds > 1 {
			set["timeoutSeconds"] = live.TimeoutSeconds
		}
	}
	a.Changes = []Change{{Container: x.c.Name, Probe: &ProbeChange{Probe: model.Startup, Set: set}}}
	a.Notes = append(a.Notes, "a probe change restarts the pods")
	return &a
}

// startupReason says what the starts and kills showed and what the startup
// probe is sized from.
func startupReason(x wctx, v startupVerdict) string {
	var reason string
	killed := v.fails.Kills > 0
	switch {
	case killed && v.worst > 0:
		reason = fmt.Sprintf("the %s probe killed containers %s; pods take up to %s to become ready but it allows %s",
			v.guard, times(v.fails.Kills), formatDuration(v.worst), formatDuration(v.budget))
	case killed:
		reason = fmt.Sprintf("the %s probe killed containers %s and no start was seen to finish: a start takes longer than %s",
			v.guard, times(v.fails.Kills), formatDuration(max(v.killedRun, v.budget)))
		if v.killedRun > v.budget {
			reason += ", the longest run it ended"
		} else {
			reason += ", what it allows"
		}
	default:
		reason = fmt.Sprintf("pods take up to %s to become ready, close to the %s the %s probe allows",
			formatDuration(v.worst), formatDuration(v.budget), v.guard)
	}
	what := "add a startup probe"
	if x.c.Probes.Startup != nil {
		what = "lengthen the startup probe"
	}
	return fmt.Sprintf("%s; %s that allows %s (%s)", reason, what, formatDuration(v.cover), v.from)
}

// handlerFields turns a probe handler into the fields of the pod spec's
// probe, copied whole: an HTTP GET keeps its scheme, host, path, port and
// headers; gRPC its service; exec its command.
func handlerFields(h model.ProbeHandler) (map[string]any, bool) {
	port := func(p model.PortRef) any {
		if p.Number == 0 {
			return p.Name
		}
		return int(p.Number)
	}
	valid := func(p model.PortRef) bool { return p.Number > 0 && p.Number < 65536 || p.Number == 0 && p.Name != "" }
	switch {
	case h.HTTPGet != nil:
		g := h.HTTPGet
		get := map[string]any{"port": port(g.Port), "path": g.Path}
		if g.Scheme != "" {
			get["scheme"] = g.Scheme
		}
		if g.Host != "" {
			get["host"] = g.Host
		}
		if len(g.Headers) > 0 {
			var headers []any
			for _, hd := range g.Headers {
				headers = append(headers, map[string]any{"name": hd.Name, "value": hd.Value})
			}
			get["httpHeaders"] = headers
		}
		return map[string]any{"httpGet": get}, valid(g.Port)
	case h.TCPSocket != nil:
		tcp := map[string]any{"port": port(h.TCPSocket.Port)}
		if h.TCPSocket.Host != "" {
			tcp["host"] = h.TCPSocket.Host
		}
		return map[string]any{"tcpSocket": tcp}, valid(h.TCPSocket.Port)
	case h.GRPC != nil:
		grpc := map[string]any{"port": int(h.GRPC.Port)}
		if h.GRPC.Service != "" {
			grpc["service"] = h.GRPC.Service
		}
		return map[string]any{"grpc": grpc}, valid(model.PortRef{Number: h.GRPC.Port})
	case h.Exec != nil && len(h.Exec.Command) > 0:
		cmd := make([]any, len(h.Exec.Command))
		for i, s := range h.Exec.Command {
			cmd[i] = s
		}
		return map[string]any{"exec": map[string]any{"command": cmd}}, true
	}
	return nil, false
}
