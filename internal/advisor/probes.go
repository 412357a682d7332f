package advisor

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// adviseProbes checks a serving container's probes: missing readiness and
// liveness probes, a liveness probe that kills slow starters, and probes
// failing on timeouts.
func adviseProbes(x wctx) []Advice {
	if x.w.Ref.Kind == model.KindJob || x.w.Ref.Kind == model.KindCronJob {
		return nil // run-to-completion pods take no traffic
	}
	var out []Advice
	port := servingPort(x.c)
	if x.c.Probes.Readiness == nil && port != nil {
		a := x.advice(KindReadinessProbe, Warning,
			"no readiness probe: the Service sends traffic to a pod as soon as it starts, and keeps sending while it is overloaded or shutting down")
		a.Current, a.Suggested = textValue(""), textValue("readinessProbe on a health endpoint")
		a.Evidence = []Evidence{ev("port", portString(*port))}
		a.Code, a.CodeLang = probeSnippet("readinessProbe", *port, 10, 3), "yaml"
		out = append(out, a)
	}
	if x.c.Probes.Liveness == nil && port != nil {
		a := x.advice(KindLivenessProbe, Info,
			"no liveness probe: a deadlocked or wedged process is never restarted; probe a cheap endpoint that checks the process, not its dependencies")
		a.Current, a.Suggested = textValue(""), textValue("livenessProbe on a health endpoint")
		a.Evidence = []Evidence{ev("port", portString(*port))}
		a.Code, a.CodeLang = probeSnippet("livenessProbe", *port, 10, 3), "yaml"
		out = append(out, a)
	}
	if a := adviseStartup(x); a != nil {
		out = append(out, *a)
	}
	return append(out, adviseProbeTimeouts(x)...)
}

// servingPort returns the container port a probe should use: one named like
// http, else the first TCP port; nil when the container serves nothing.
func servingPort(c model.Container) *model.Port {
	var first *model.Port
	for i, p := range c.Ports {
		if p.Protocol != "" && p.Protocol != "TCP" {
			continue
		}
		if strings.Contains(p.Name, "http") && !strings.Contains(p.Name, "metrics") {
			return &c.Ports[i]
		}
		if first == nil {
			first = &c.Ports[i]
		}
	}
	return first
}

func portString(p model.Port) string {
	if p.Name != "" {
		return fmt.Sprintf("%s (%d)", p.Name, p.Port)
	}
	return strconv.Itoa(int(p.Port))
}

func probeSnippet(field string, p model.Port, period, failures int) string {
	return fmt.Sprintf(`%s:
  httpGet:
    path: /healthz   # an endpoint that answers fast without calling dependencies
    port: %d
  periodSeconds: %d
  failureThreshold: %d`, field, p.Port, period, failures)
}

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

// probeFailure returns the failures recorded for a probe type.
func probeFailure(c model.Container, t model.ProbeType) model.ProbeFailure {
	var f model.ProbeFailure
	for _, pf := range c.ProbeFailures {
		if pf.Probe == t {
			f.Probe = t
			f.Count += pf.Count
			f.Kills += pf.Kills
			if pf.LastSeen.After(f.LastSeen) || f.LastMessage == "" {
				f.LastMessage, f.LastSeen = pf.LastMessage, pf.LastSeen
			}
		}
	}
	return f
}

// adviseStartup adds (or lengthens) a startupProbe when the liveness probe
// kills containers that are still starting, or when starts come close to
// the liveness probe's budget. The startup probe holds liveness off until
// the program is up, so the liveness probe can stay strict.
func adviseStartup(x wctx) *Advice {
	live := x.c.Probes.Liveness
	if live == nil {
		return nil
	}
	startup := x.c.Probes.Startup
	// Whichever probe guards the start is the one that kills slow starters.
	guard, budget := model.Liveness, live.Budget()
	if startup != nil {
		guard, budget = model.Startup, startup.Budget()
	}
	f := probeFailure(x.c, guard)
	worst := worstStart(x.w)
	killed := f.Kills > 0
	// A start that took longer than the budget and was not killed shows the
	// probe passes while the program warms up: nothing to fix.
	nearBudget := worst > budget*8/10 && worst <= budget
	if !killed && !nearBudget {
		return nil
	}
	// The slowest start seen is one that won the race; the killed ones took
	// longer than the budget. After a kill, cover well past both, and at
	// least the 5 minutes of the Kubernetes docs' example: a startup probe
	// costs nothing once the program is up, only a slower restart of a
	// process that hangs while starting.
	cover := max(time.Minute, worst*3/2)
	if killed {
		cover = max(cover, 2*budget, 5*time.Minute)
	}
	period := live.PeriodSeconds
	if startup != nil {
		period = startup.PeriodSeconds
	}
	period = max(period, 1)
	failures := int32((cover + time.Duration(period)*time.Second - 1) / (time.Duration(period) * time.Second))
	if startup != nil && failures <= startup.FailureThreshold {
		return nil
	}

	sev := Info
	switch {
	case killed && crashLooping(x):
		sev = Critical
	case killed:
		sev = Warning
	}
	var reason string
	switch {
	case killed && worst > 0:
		reason = fmt.Sprintf("the %s probe killed containers %s; pods take up to %s to become ready but it allows %s",
			guard, times(f.Kills), formatDuration(worst), formatDuration(budget))
	case killed:
		reason = fmt.Sprintf("the %s probe killed containers %s before they became ready (it allows %s): a slow start is being restarted",
			guard, times(f.Kills), formatDuration(budget))
	default:
		reason = fmt.Sprintf("pods take up to %s to become ready, close to the %s the %s probe allows",
			formatDuration(worst), formatDuration(budget), guard)
	}
	if startup != nil {
		reason += "; lengthen the startup probe"
	} else {
		reason += "; add a startup probe"
	}
	a := x.advice(KindStartupProbe, sev, reason)
	a.Current = textValue("")
	if startup != nil {
		a.Current = textValue(startup.String())
	}
	a.Suggested = textValue(fmt.Sprintf("startupProbe %ds x %d = %s", period, failures, formatDuration(time.Duration(period*failures)*time.Second)))
	a.Evidence = []Evidence{
		num(string(guard)+" kills", fmt.Sprint(f.Kills), float64(f.Kills), Count),
		num(string(guard)+" failures", fmt.Sprint(f.Count), float64(f.Count), Count),
		num("probe budget", formatDuration(budget), budget.Seconds(), Seconds),
	}
	if worst > 0 {
		a.Evidence = append(a.Evidence, num("slowest start to ready", formatDuration(worst), worst.Seconds(), Seconds))
	} else {
		a.Confidence = Confidence{Level: Medium, Score: 0.5, Note: "start time unknown (no pod became ready): the startup budget is a generous 5 minutes"}
	}
	if f.LastMessage != "" {
		a.Evidence = append(a.Evidence, ev("last failure", f.LastMessage))
	}
	set := map[string]any{"periodSeconds": period, "failureThreshold": failures}
	if startup == nil {
		handler, ok := probeHandler(live.Handler)
		if !ok {
			a.Code, a.CodeLang = fmt.Sprintf("startupProbe:\n  # the liveness probe's handler: %s\n  periodSeconds: %d\n  failureThreshold: %d", live.Handler, period, failures), "yaml"
			return &a
		}
		for k, v := range handler {
			set[k] = v
		}
	}
	a.Changes = []Change{{Container: x.c.Name, Probe: &ProbeChange{Probe: model.Startup, Set: set}}}
	a.Notes = append(a.Notes, "a probe change restarts the pods")
	return &a
}

// probeHandler turns the model's handler description back into the probe
// fields of the pod spec: "http GET :8080/healthz", "tcp :8080", "grpc :9090".
// Exec handlers are not rebuilt: their command's quoting is lost.
func probeHandler(h string) (map[string]any, bool) {
	f := strings.Fields(h)
	port := func(s string) (any, bool) {
		s = strings.TrimPrefix(s, ":")
		if s == "" {
			return nil, false
		}
		if n, err := strconv.Atoi(s); err == nil {
			return n, n > 0 && n < 65536
		}
		return s, true // a named port
	}
	switch {
	case len(f) == 3 && (f[0] == "http" || f[0] == "https") && f[1] == "GET":
		hostPort, path, _ := strings.Cut(f[2], "/")
		i := strings.LastIndex(hostPort, ":")
		if i < 0 {
			return nil, false
		}
		p, ok := port(hostPort[i+1:])
		get := map[string]any{"port": p, "path": "/" + path}
		if f[0] == "https" {
			get["scheme"] = "HTTPS"
		}
		return map[string]any{"httpGet": get}, ok
	case len(f) == 2 && f[0] == "tcp":
		p, ok := port(f[1][strings.LastIndex(f[1], ":")+1:])
		return map[string]any{"tcpSocket": map[string]any{"port": p}}, ok
	case len(f) == 2 && f[0] == "grpc":
		p, ok := port(f[1][strings.LastIndex(f[1], ":")+1:])
		if _, named := p.(string); named {
			return nil, false // grpc probes take a number only
		}
		return map[string]any{"grpc": map[string]any{"port": p}}, ok
	}
	return nil, false
}

// timeoutWords are the words kubelet failure messages use for a probe that
// did not answer in time.
var timeoutWords = []string{"context deadline exceeded", "Client.Timeout", "timeout", "timed out"}

// adviseProbeTimeouts raises timeoutSeconds of probes that fail by timing out.
func adviseProbeTimeouts(x wctx) []Advice {
	var out []Advice
	for _, t := range []model.ProbeType{model.Liveness, model.Readiness, model.Startup} {
		p := x.c.Probes.Get(t)
		f := probeFailure(x.c, t)
		if p == nil || f.Count == 0 || !containsAny(f.LastMessage, timeoutWords) {
			continue
		}
		want := max(p.TimeoutSeconds*3, 3)
		if p.PeriodSeconds > 1 {
			want = min(want, p.PeriodSeconds-1)
		}
		if want <= p.TimeoutSeconds {
			continue
		}
		sev := Info
		if f.Count >= 3 || f.Kills > 0 {
			sev = Warning
		}
		a := x.advice(KindProbeTimeout, sev, fmt.Sprintf(
			"the %s probe fails by timing out (%s) with timeoutSeconds %d: allow %ds, and keep the endpoint cheap",
			t, times(f.Count), p.TimeoutSeconds, want))
		a.ID += "/" + string(t)
		a.Current = Value{Display: fmt.Sprintf("%ds", p.TimeoutSeconds), Set: true, Amount: int64(p.TimeoutSeconds), Unit: Seconds}
		a.Suggested = Value{Display: fmt.Sprintf("%ds", want), Set: true, Amount: int64(want), Unit: Seconds}
		a.Evidence = []Evidence{num("failures", fmt.Sprint(f.Count), float64(f.Count), Count), ev("last failure", f.LastMessage)}
		a.Changes = []Change{{Container: x.c.Name, Probe: &ProbeChange{Probe: t, Set: map[string]any{"timeoutSeconds": want}}}}
		a.Notes = append(a.Notes, "a probe change restarts the pods")
		out = append(out, a)
	}
	return out
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
