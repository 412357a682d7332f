package model

import (
	"testing"
	"time"
)

func TestRestartSummary(t *testing.T) {
	now := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	oom := &Termination{Reason: "OOMKilled", ExitCode: 137, FinishedAt: now.Add(-3 * time.Minute)}
	for _, c := range []struct {
		name    string
		in      []ContainerInstance
		short   bool
		want    string
		restart bool
		severe  bool
	}{
		{"never", []ContainerInstance{{}}, false, "0", false, false},
		{"oom", []ContainerInstance{{RestartCount: 4, LastTermination: oom}}, false, "4 OOMKilled 3m", true, true},
		{"crash loop", []ContainerInstance{{RestartCount: 7, Waiting: "CrashLoopBackOff", LastTermination: &Termination{Reason: "Error", ExitCode: 1}}}, false, "7 CrashLoopBackOff (exit 1)", true, true},
		{"crash loop, short", []ContainerInstance{{RestartCount: 7, Waiting: "CrashLoopBackOff", LastTermination: &Termination{Reason: "Error", ExitCode: 1}}}, true, "7 CrashLoop (exit 1)", true, true},
		{"image pull", []ContainerInstance{{Waiting: "ImagePullBackOff"}}, false, "0 ImagePullBackOff", true, false},
		{"across replicas", []ContainerInstance{{RestartCount: 1}, {RestartCount: 2, LastTermination: &Termination{Reason: "Completed", FinishedAt: now.Add(-time.Hour)}}}, false, "3 Completed 1h", true, false},
	} {
		text, restarted, severe := Container{Instances: c.in}.RestartSummary(now, c.short)
		if text != c.want || restarted != c.restart || severe != c.severe {
			t.Errorf("%s: %q %v %v, want %q %v %v", c.name, text, restarted, severe, c.want, c.restart, c.severe)
		}
	}
}

func TestProbeSummary(t *testing.T) {
	c := Container{ProbeFailures: []ProbeFailure{{Probe: Liveness, Count: 9, Kills: 3}, {Probe: Readiness, Count: 4}}}
	if text, f, k := c.ProbeSummary(); text != "L✗9 k3 R✗4" || f != 13 || k != 3 {
		t.Errorf("%q %d %d", text, f, k)
	}
	if text, _, _ := (Container{}).ProbeSummary(); text != "" {
		t.Errorf("no failures: %q", text)
	}
}
