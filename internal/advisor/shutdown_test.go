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
		// A Go program as PID 1 (a container's entrypoint) that does not
		// handle SIGTERM exits 2: the kernel ignores the runtime's re-raise.
		{name: "exit 2 with no panic after serving: SIGTERM as PID 1", c: withProbes(model.Container{Instances: ended(2, "Error", 6*time.Hour)}),
			sev: Warning, reason: "most likely it died of SIGTERM as PID 1"},
		{name: "exit 2 with a panic in the termination message is a panic", c: withProbes(model.Container{Instances: withMessage(ended(2, "Error", 6*time.Hour),
			"panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:")})},
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

func withMessage(ins []model.ContainerInstance, msg string) []model.ContainerInstance {
	t := *ins[0].LastTermination
	t.Message = msg
	ins[0].LastTermination = &t
	return ins
}

// The restart advice for exit 2 names both causes and points at the
// kubelet's Killing events, which say who sent a signal; exit 143 names no
// eviction (an eviction deletes the pod, it never restarts a container).
func TestRestartsByASignal(t *testing.T) {
	for _, tc := range []struct {
		code    int32
		msg     string
		want    []string
		without string
	}{
		{code: 2, want: []string{"SIGTERM the program does not handle while it runs as PID 1", "reason=Killing"}},
		{code: 2, msg: "panic: boom", want: []string{"a Go panic"}, without: "reason=Killing"},
		{code: 143, want: []string{"a liveness probe kill", "find who stopped it: the kubelet's Killing events", "reason=Killing"}, without: "eviction"},
	} {
		c := withProbes(model.Container{Instances: withMessage([]model.ContainerInstance{{Pod: "api-1", RestartCount: 1,
			LastTermination: &model.Termination{ExitCode: tc.code, Reason: "Error", StartedAt: t0.Add(-6 * time.Hour), FinishedAt: t0}}}, tc.msg)})
		a := find(AdviseWorkload(deployment(c), Options{Now: t0}), KindRestarts)
		if a == nil {
			t.Fatalf("exit %d: no restart advice", tc.code)
		}
		text := a.Reason + "\n" + a.Suggested.Display + "\n" + a.Code
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("exit %d %q: %q lacks %q", tc.code, tc.msg, text, w)
			}
		}
		if tc.without != "" && strings.Contains(text, tc.without) {
			t.Errorf("exit %d %q: %q says %q", tc.code, tc.msg, text, tc.without)
		}
	}
}
