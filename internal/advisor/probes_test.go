package advisor

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

func TestProbeRules(t *testing.T) {
	live := &model.Probe{Handler: "http GET :8080/healthz", PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}
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
	}{
		{name: "no readiness probe on a server", want: KindReadinessProbe, sev: Warning, c: model.Container{Ports: http}},
		{name: "no liveness probe on a server", want: KindLivenessProbe, sev: Info, c: model.Container{Ports: http}},
		{name: "a worker with no ports needs no readiness", want: KindReadinessProbe, absent: true, c: model.Container{}},
		{name: "jobs take no traffic", kind: model.KindJob, want: KindReadinessProbe, absent: true, c: model.Container{Ports: http}},
		{name: "liveness kills a slow starter of known start time", want: KindStartupProbe, sev: Warning, pods: slowPods,
			reason: "up to 1m20s",
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 9, Kills: 3, LastMessage: "Liveness probe failed: connection refused"}}},
			// After kills: max(80s x 1.5, twice the budget, 5 min) = 5 min at 10s periods.
			set: map[string]any{"httpGet": map[string]any{"port": 8080, "path": "/healthz"}, "periodSeconds": int32(10), "failureThreshold": int32(30)}},
		{name: "liveness kills a starter that never gets ready", want: KindStartupProbe, sev: Critical,
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live},
				Instances:     []model.ContainerInstance{{Pod: "a", RestartCount: 5, Waiting: "CrashLoopBackOff"}},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 30, Kills: 5}}},
			set: map[string]any{"httpGet": map[string]any{"port": 8080, "path": "/healthz"}, "periodSeconds": int32(10), "failureThreshold": int32(30)}},
		{name: "a start past the budget that was never killed: liveness passes while it warms up", want: KindStartupProbe, absent: true,
			pods: []model.Pod{{Started: t0, ReadySince: t0.Add(45 * time.Second)}},
			c:    model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live}}},
		{name: "readiness that came back days later is not a start", want: KindStartupProbe, sev: Warning,
			reason: "killed containers 2 times before", // the 3-day "start" is not taken as one
			pods:   []model.Pod{{Started: t0, ReadySince: t0.Add(72 * time.Hour)}},
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Liveness, Count: 6, Kills: 2}}},
			set: map[string]any{"httpGet": map[string]any{"port": 8080, "path": "/healthz"}, "periodSeconds": int32(10), "failureThreshold": int32(30)}},
		{name: "a start close to the budget informs", want: KindStartupProbe, sev: Info, pods: []model.Pod{{Started: t0, ReadySince: t0.Add(28 * time.Second)}},
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live}}},
		{name: "fast starts need nothing", want: KindStartupProbe, absent: true, pods: []model.Pod{{Started: t0, ReadySince: t0.Add(5 * time.Second)}},
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live}}},
		{name: "a short startup probe is lengthened", want: KindStartupProbe, sev: Warning, pods: slowPods,
			c: model.Container{Ports: http, Probes: model.Probes{Liveness: live, Readiness: live,
				Startup: &model.Probe{Handler: "tcp :8080", PeriodSeconds: 5, FailureThreshold: 6, TimeoutSeconds: 1}},
				ProbeFailures: []model.ProbeFailure{{Probe: model.Startup, Count: 12, Kills: 2}}},
			set: map[string]any{"periodSeconds": int32(5), "failureThreshold": int32(60)}},
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
			if a.Code == "" && !a.Patchable() {
				t.Errorf("%s gives neither a change nor a snippet", a.Kind)
			}
		})
	}
}

func TestProbeHandler(t *testing.T) {
	for in, want := range map[string]map[string]any{
		"http GET :8080/healthz":      {"httpGet": map[string]any{"port": 8080, "path": "/healthz"}},
		"https GET :8443/":            {"httpGet": map[string]any{"port": 8443, "path": "/", "scheme": "HTTPS"}},
		"http GET :http/ready":        {"httpGet": map[string]any{"port": "http", "path": "/ready"}},
		"tcp :8080":                   {"tcpSocket": map[string]any{"port": 8080}},
		"grpc :9090":                  {"grpc": map[string]any{"port": 9090}},
		"exec cat /tmp/ready":         nil,
		"http GET 10.0.0.1:99999/x":   nil,
		"":                            nil,
		"grpc :grpc":                  nil,
		"http GET host.example:80/ok": {"httpGet": map[string]any{"port": 80, "path": "/ok"}},
	} {
		got, ok := probeHandler(in)
		if ok != (want != nil) || ok && !reflect.DeepEqual(got, want) {
			t.Errorf("probeHandler(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
}
