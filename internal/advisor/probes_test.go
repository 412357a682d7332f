package advisor

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

func TestProbeRules(t *testing.T) {
	live := &model.Probe{Handler: model.HTTPGet(8080, "/healthz"), PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}
	http := []model.Port{{Name: "metrics", Port: 9090, Protocol: "TCP"}, {Name: "http", Port: 8080, Protocol: "TCP"}}
	slowPods := []model.Pod{
		{Name: "a", Started: t0, ReadySince: t0.Add(20 * time.Second)},
		{Name: "b", Started: t0, ReadySince: t0.Add(80 * time.Second)},
	}
	cases := []struct {
		name   string
		kind   model.Kind
		c      model.Container
		pods   []model.Pod
		want   Kind
		absent bool
		sev    Severity
		reason string
		set    map[string]any // the probe change's fields
		code   string         // in the snippet
	}{
		{name: "no readiness probe on a server", want: KindReadinessProbe, sev: Warning, c: model.Container{Ports: http}},
		{name: "no liveness probe on a server", want: KindLivenessProbe, sev: Info, c: model.Container{Ports: http}},
		{name: "no liveness probe and no port declared: the readiness probe shows it serves", want: KindLivenessProbe, sev: Info,
			reason: "no liveness probe", code: "port: 8080",
			c: model.Container{Probes: model.Probes{Readiness: &model.Probe{Handler: model.HTTPGet(8080, "/readyz"), PeriodSeconds: 5, FailureThreshold: 3}}}},
		{name: "no readiness probe and no port declared: a gRPC liveness probe shows it serves", want: KindReadinessProbe, sev: Warning,
			code: "grpc:\n    port: 9090",
			c:    model.Container{Probes: model.Probes{Liveness: &model.Probe{Handler: model.ProbeHandler{GRPC: &model.GRPCAction{Port: 9090}}, PeriodSeconds: 10, FailureThreshold: 3}}}},
		{name: "an exec probe shows no port", want: KindLivenessProbe, absent: true,
			c: model.Container{Probes: model.Probes{Readiness: &model.Probe{Handler: model.ProbeHandler{Exec: &model.ExecAction{Command: []string{"true"}}}}}}},
		{name: "a worker with no ports needs no readiness", want: KindReadinessProbe, absent: true, c: model.Container{}},
		{name: "jobs take no traffic", kind: model.KindJob, want: KindReadinessProbe, absent: true, c: model.Container{Ports: http}},
		{name: "liveness kills a slow starter of known start time", want: KindStartupProbe, sev: Warning, pods: slowPods,
			reason: "up to 1m20s to become ready but it allows 30s; add a startup probe that allows 2m40s (twice the slowest start)",
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 9, Kills: 3, LastMessage: "Liveness probe failed: connection refused"}}},
			// Twice the slowest start, 80s: 16 periods of 10s (not a fixed 5 minutes).
			set: map[string]any{"httpGet": map[string]any{"port": 8080, "path": "/healthz"}, "periodSeconds": int32(10), "failureThreshold": int32(16)}},
		{name: "liveness kills a starter that never gets ready", want: KindStartupProbe, sev: Critical,
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live},
				Instances:     []model.ContainerInstance{{Pod: "a", RestartCount: 5, Waiting: "CrashLoopBackOff"}},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 30, Kills: 5}}},
			// No start seen, no run times: a start takes longer than the 30s budget; three times that.
			set: map[string]any{"httpGet": map[string]any{"port": 8080, "path": "/healthz"}, "periodSeconds": int32(10), "failureThreshold": int32(9)}},
		{name: "no start seen: sized from how long the killed runs lasted", want: KindStartupProbe, sev: Critical,
			reason: "no start was seen to finish: a start takes longer than 50s, the longest run it ended; add a startup probe that allows 2m30s",
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live},
				Instances: []model.ContainerInstance{{Pod: "a", RestartCount: 5, Waiting: "CrashLoopBackOff",
					LastTermination: &model.Termination{Reason: "Error", ExitCode: 137, StartedAt: t0, FinishedAt: t0.Add(50 * time.Second)}}},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 30, Kills: 5}}},
			set: map[string]any{"httpGet": map[string]any{"port": 8080, "path": "/healthz"}, "periodSeconds": int32(10), "failureThreshold": int32(15)}},
		// Review finding 11: the slowest start seen (45s) is the longest
		// run the probe killed: slower starts were cut before they could
		// finish, so it is a lower bound: three times it, not twice.
		{name: "a slowest start the kills censor", want: KindStartupProbe, sev: Warning,
			pods:   []model.Pod{{Name: "a", Started: t0, ReadySince: t0.Add(45 * time.Second)}},
			reason: "allows 2m20s (three times the slowest start, which the kills cut: starts slower than the kill were never seen to finish)",
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live},
				Instances: []model.ContainerInstance{{Pod: "a", RestartCount: 8,
					LastTermination: &model.Termination{Reason: "Error", ExitCode: 143, StartedAt: t0.Add(-time.Hour), FinishedAt: t0.Add(-time.Hour + 45*time.Second)}}},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 24, Kills: 8}}},
			set: map[string]any{"httpGet": map[string]any{"port": 8080, "path": "/healthz"}, "periodSeconds": int32(10), "failureThreshold": int32(14)}},
		{name: "an exec liveness probe is copied whole", want: KindStartupProbe, sev: Warning, pods: slowPods,
			c: model.Container{Probes: model.Probes{Liveness: &model.Probe{Handler: model.ProbeHandler{Exec: &model.ExecAction{Command: []string{"/bin/check", "--live"}}},
				PeriodSeconds: 10, TimeoutSeconds: 5, FailureThreshold: 3}},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 9, Kills: 3}}},
			set: map[string]any{"exec": map[string]any{"command": []any{"/bin/check", "--live"}}, "timeoutSeconds": int32(5),
				"periodSeconds": int32(10), "failureThreshold": int32(16)}},
		{name: "never shorter than the liveness budget", want: KindStartupProbe, sev: Warning,
			c: model.Container{Ports: http, Probes: model.Probes{Readiness: live,
				Liveness: &model.Probe{Handler: model.HTTPGet(8080, "/healthz"), PeriodSeconds: 20, TimeoutSeconds: 1, FailureThreshold: 6},
				Startup:  &model.Probe{Handler: model.HTTPGet(8080, "/healthz"), PeriodSeconds: 5, TimeoutSeconds: 1, FailureThreshold: 2}},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Startup, Count: 4, Kills: 2}}},
			// Three times the 10s startup budget is 30s, less than liveness's 2m.
			set: map[string]any{"periodSeconds": int32(5), "failureThreshold": int32(24)}},
		{name: "a start past the budget that was never killed: liveness passes while it warms up", want: KindStartupProbe, absent: true,
			pods: []model.Pod{{Started: t0, ReadySince: t0.Add(45 * time.Second)}},
			c:    model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live}}},
		{name: "readiness that came back days later is not a start", want: KindStartupProbe, sev: Warning,
			reason: "no start was seen to finish", // the 3-day "start" is not taken as one
			pods:   []model.Pod{{Started: t0, ReadySince: t0.Add(72 * time.Hour)}},
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 6, Kills: 2}}},
			set: map[string]any{"httpGet": map[string]any{"port": 8080, "path": "/healthz"}, "periodSeconds": int32(10), "failureThreshold": int32(9)}},
		{name: "a start close to the budget informs", want: KindStartupProbe, sev: Info, pods: []model.Pod{{Started: t0, ReadySince: t0.Add(28 * time.Second)}},
			c:   model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live}},
			set: map[string]any{"httpGet": map[string]any{"port": 8080, "path": "/healthz"}, "periodSeconds": int32(10), "failureThreshold": int32(6)}},
		{name: "fast starts need nothing", want: KindStartupProbe, absent: true, pods: []model.Pod{{Started: t0, ReadySince: t0.Add(5 * time.Second)}},
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live}}},
		{name: "a short startup probe is lengthened", want: KindStartupProbe, sev: Warning, pods: slowPods,
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live,
				Startup: &model.Probe{Handler: model.ProbeHandler{TCPSocket: &model.TCPSocketAction{Port: model.PortRef{Number: 8080}}}, PeriodSeconds: 5, FailureThreshold: 6, TimeoutSeconds: 1}},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Startup, Count: 12, Kills: 2}}},
			set: map[string]any{"periodSeconds": int32(5), "failureThreshold": int32(32)}},
		{name: "liveness timeouts", want: KindProbeTimeout, sev: Warning, reason: "allow 3s",
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 4,
					LastMessage: `Liveness probe failed: Get "http://10.0.0.1:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`}}}},
		{name: "refused connections are not timeouts", want: KindProbeTimeout, absent: true,
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Readiness, Count: 4, LastMessage: "Readiness probe failed: connection refused"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := deployment(tc.c)
			if tc.kind != "" {
				w.Ref.Kind = tc.kind
			}
			w.Pods = tc.pods
			got := AdviseWorkload(w, Options{Now: t0})
			a := find(got, tc.want)
			if tc.absent {
				if a != nil {
					t.Fatalf("unexpected %s: %s", tc.want, a.Reason)
				}
				return
			}
			if a == nil {
				t.Fatalf("no %s; got %v", tc.want, kinds(got))
			}
			if a.Severity != tc.sev || !strings.Contains(a.Reason, tc.reason) {
				t.Errorf("%s %q, want %s with %q", a.Severity, a.Reason, tc.sev, tc.reason)
			}
			if tc.set != nil {
				if len(a.Changes) != 1 || a.Changes[0].Probe == nil || !reflect.DeepEqual(a.Changes[0].Probe.Set, tc.set) {
					t.Errorf("changes %v, want probe fields %v", a.Changes, tc.set)
				}
			}
			if !strings.Contains(a.Code, tc.code) {
				t.Errorf("code %q, want %q in it", a.Code, tc.code)
			}
			if a.Code == "" && !a.Patchable() {
				t.Errorf("%s gives neither a change nor a snippet", a.Kind)
			}
		})
	}
}

// A startup probe copies the liveness probe's handler whole.
func TestHandlerFields(t *testing.T) {
	port := func(n int32) model.PortRef { return model.PortRef{Number: n} }
	for _, tc := range []struct {
		in   model.ProbeHandler
		want map[string]any
	}{
		{model.HTTPGet(8080, "/healthz"), map[string]any{"httpGet": map[string]any{"port": 8080, "path": "/healthz"}}},
		{model.ProbeHandler{HTTPGet: &model.HTTPGetAction{Scheme: "HTTPS", Host: "localhost", Path: "/", Port: port(8443),
			Headers: []model.HTTPHeader{{Name: "X-Probe", Value: "1"}}}},
			map[string]any{"httpGet": map[string]any{"port": 8443, "path": "/", "scheme": "HTTPS", "host": "localhost",
				"httpHeaders": []any{map[string]any{"name": "X-Probe", "value": "1"}}}}},
		{model.ProbeHandler{HTTPGet: &model.HTTPGetAction{Path: "/ready", Port: model.PortRef{Name: "http"}}},
			map[string]any{"httpGet": map[string]any{"port": "http", "path": "/ready"}}},
		{model.ProbeHandler{TCPSocket: &model.TCPSocketAction{Port: port(8080)}}, map[string]any{"tcpSocket": map[string]any{"port": 8080}}},
		{model.ProbeHandler{GRPC: &model.GRPCAction{Port: 9090, Service: "orders.v1.Orders"}},
			map[string]any{"grpc": map[string]any{"port": 9090, "service": "orders.v1.Orders"}}},
		{model.ProbeHandler{Exec: &model.ExecAction{Command: []string{"sh", "-c", "test -f '/tmp/ready'"}}},
			map[string]any{"exec": map[string]any{"command": []any{"sh", "-c", "test -f '/tmp/ready'"}}}},
		{model.ProbeHandler{HTTPGet: &model.HTTPGetAction{Path: "/x", Port: port(99999)}}, nil},
		{model.ProbeHandler{}, nil},
		{model.ProbeHandler{Exec: &model.ExecAction{}}, nil},
	} {
		got, ok := handlerFields(tc.in)
		if ok != (tc.want != nil) || ok && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("handlerFields(%s) = %v, %v; want %v", tc.in, got, ok, tc.want)
		}
	}
}
