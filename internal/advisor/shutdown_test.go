package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

func TestShutdown(t *testing.T) {
	ended := func(code int32, reason string, run time.Duration) []model.ContainerInstance {
		return []model.ContainerInstance{{Pod: "api-1", RestartCount: 1,
			LastTermination: &model.Termination{ExitCode: code, Reason: reason, StartedAt: t0.Add(-run), FinishedAt: t0}}}
	}
	cases := []struct {
		name   string
		kind   model.Kind
		c      model.Container
		sev    Severity // "" = no advice
		reason string
	}{
		{name: "exit 143 after serving: SIGTERM is not handled", c: withProbes(model.Container{Instances: ended(143, "Error", 3*time.Hour)}),
			sev: Warning, reason: "died of SIGTERM (exit 143)"},
		{name: "exit 137 not from the OOM killer: past the grace period", c: withProbes(model.Container{Instances: ended(137, "Error", 3*time.Hour)}),
			sev: Warning, reason: "still running when the grace period ended"},
		{name: "a worker that serves nothing informs", c: model.Container{Instances: ended(143, "Error", 3*time.Hour)}, sev: Info, reason: "SIGTERM"},
		{name: "the OOM killer is the memory rules'", c: withProbes(model.Container{Instances: ended(137, "OOMKilled", 3*time.Hour)})},
		{name: "killed while starting: its handler may not be installed yet", c: withProbes(model.Container{Instances: ended(143, "Error", 40*time.Second)})},
		{name: "a clean exit", c: withProbes(model.Container{Instances: ended(0, "Completed", 3*time.Hour)})},
		{name: "jobs run to completion", kind: model.KindJob, c: withProbes(model.Container{Instances: ended(143, "Error", 3*time.Hour)})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := deployment(tc.c)
			if tc.kind != "" {
				w.Ref.Kind = tc.kind
			}
			a := find(AdviseWorkload(w, Options{Now: t0}), KindShutdown)
			if tc.sev == "" {
				if a != nil {
					t.Fatalf("unexpected: %s", a.Reason)
				}
				return
			}
			if a == nil || a.Severity != tc.sev || !strings.Contains(a.Reason, tc.reason) || !strings.Contains(a.Code, "signal.NotifyContext") {
				t.Fatalf("got %+v, want %s with %q", a, tc.sev, tc.reason)
			}
		})
	}
}
