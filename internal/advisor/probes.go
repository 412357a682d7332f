package advisor

import (
	"fmt"
	"strconv"
	"strings"

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
	s, serves := servingPort(x.c)
	if x.c.Probes.Readiness == nil && serves {
		a := x.advice(KindReadinessProbe, Warning,
			"no readiness probe: the Service sends traffic to a pod as soon as it starts, and keeps sending while it is overloaded or shutting down")
		a.Current, a.Suggested = textValue(""), textValue("readinessProbe on a health endpoint")
		a.Evidence = []Evidence{ev("port", s.evidence)}
		a.Code, a.CodeLang = probeSnippet("readinessProbe", s, "/readyz   # ready to take traffic: may check what requests need"), "yaml"
		out = append(out, a)
	}
	if x.c.Probes.Liveness == nil && serves {
		a := x.advice(KindLivenessProbe, Info,
			"no liveness probe: a deadlocked or wedged process is never restarted; probe a cheap endpoint that checks the process, not its dependencies")
		a.Current, a.Suggested = textValue(""), textValue("livenessProbe on a health endpoint")
		a.Evidence = []Evidence{ev("port", s.evidence)}
		a.Code, a.CodeLang = probeSnippet("livenessProbe", s, "/healthz   # answers fast without calling dependencies"), "yaml"
		out = append(out, a)
	}
	if a := adviseStartup(x); a != nil {
		out = append(out, *a)
	}
	return append(out, adviseProbeTimeouts(x)...)
}

// serving is the port a container serves on and how kgotop knows it.
type serving struct {
	port model.PortRef
	// handler is the probe that showed the port (nil for a declared port).
	handler  *model.ProbeHandler
	evidence string
}

// servingPort returns the port a new probe should use: a declared port
// named like http, else the first declared TCP port, else the port another
// probe checks (container ports are informational: a readiness probe on
// 8080 shows the container serves there). ok is false when nothing shows
// the container serves.
func servingPort(c model.Container) (s serving, ok bool) {
	var first *model.Port
	for i, p := range c.Ports {
		if p.Protocol != "" && p.Protocol != "TCP" {
			continue
		}
		if strings.Contains(p.Name, "http") && !strings.Contains(p.Name, "metrics") {
			first = &c.Ports[i]
			break
		}
		if first == nil {
			first = &c.Ports[i]
		}
	}
	if first != nil {
		s := serving{port: model.PortRef{Number: first.Port}, evidence: strconv.Itoa(int(first.Port))}
		if first.Name != "" {
			s.evidence = fmt.Sprintf("%s (%d)", first.Name, first.Port)
		}
		return s, true
	}
	for _, t := range []model.ProbeType{model.Readiness, model.Liveness, model.Startup} {
		if p := c.Probes.Get(t); p != nil {
			if port, ok := p.Handler.Port(); ok {
				return serving{port: port, handler: &p.Handler, evidence: fmt.Sprintf("%s (the %s probe's; no port declared)", port, t)}, true
			}
		}
	}
	return serving{}, false
}

// probeSnippet is a probe of the kind the port is known to answer: HTTP on a
// declared port or where another probe gets HTTP, else the other probe's
// TCP or gRPC check.
func probeSnippet(field string, s serving, path string) string {
	port := s.port.String()
	if s.port.Number == 0 {
		port = fmt.Sprintf("%q", s.port.Name)
	}
	handler := fmt.Sprintf("httpGet:\n    path: %s\n    port: %s", path, port)
	switch h := s.handler; {
	case h == nil:
	case h.HTTPGet != nil && strings.EqualFold(h.HTTPGet.Scheme, "HTTPS"):
		handler += "\n    scheme: HTTPS"
	case h.TCPSocket != nil:
		handler = "tcpSocket:\n    port: " + port
	case h.GRPC != nil:
		handler = "grpc:\n    port: " + port
	}
	return fmt.Sprintf("%s:\n  %s\n  periodSeconds: 10\n  failureThreshold: 3", field, handler)
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
