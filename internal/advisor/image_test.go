package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

func TestImageRules(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	cases := []struct {
		name      string
		image     string
		instances []model.ContainerInstance
		want      []Kind
		pinned    string
	}{
		{name: "toolchain image", image: "golang:1.16", want: []Kind{KindImageToolchain}},
		{name: "toolchain image from a registry, untagged", image: "docker.io/library/golang", want: []Kind{KindImageToolchain, KindImageLatest}},
		{name: "a registry port is not a tag", image: "localhost:5000/api", want: []Kind{KindImageLatest}},
		{name: "latest with one running digest", image: "registry.example/api:latest",
			instances: []model.ContainerInstance{{Pod: "a", ImageID: "registry.example/api@" + digest}, {Pod: "b", ImageID: "docker-pullable://registry.example/api@" + digest}},
			want:      []Kind{KindImageLatest}, pinned: "registry.example/api@" + digest},
		{name: "latest with differing digests", image: "api",
			instances: []model.ContainerInstance{{Pod: "a", ImageID: "api@sha256:1"}, {Pod: "b", ImageID: "api@sha256:2"}},
			want:      []Kind{KindImageLatest}},
		{name: "config digest is not pullable", image: "api:latest",
			instances: []model.ContainerInstance{{Pod: "a", ImageID: "sha256:" + strings.Repeat("cd", 32)}},
			want:      []Kind{KindImageLatest}},
		{name: "pinned by digest", image: "api:latest@" + digest},
		{name: "version tag", image: "registry.example/golangci/api:1.2.3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := deployment(withProbes(model.Container{Image: tc.image, Instances: tc.instances}))
			var got []Kind
			for _, a := range AdviseWorkload(w, Options{Now: t0}) {
				if a.Kind == KindImageLatest || a.Kind == KindImageToolchain {
					got = append(got, a.Kind)
					if a.Kind == KindImageToolchain && !strings.Contains(a.Code, "FROM gcr.io/distroless/static") {
						t.Errorf("toolchain advice without a multi-stage Dockerfile: %q", a.Code)
					}
					if a.Kind == KindImageLatest {
						switch {
						case tc.pinned == "" && a.Patchable():
							t.Errorf("pins %v with no common digest", a.Changes)
						case tc.pinned != "" && (!a.Patchable() || a.Changes[0].Image.Image != tc.pinned):
							t.Errorf("changes %v, want image %s", a.Changes, tc.pinned)
						}
					}
				}
			}
			if strings.Join(kindStrings(got), ",") != strings.Join(kindStrings(tc.want), ",") {
				t.Errorf("image advice %v, want %v", got, tc.want)
			}
		})
	}
}

func kindStrings(ks []Kind) []string {
	var s []string
	for _, k := range ks {
		s = append(s, string(k))
	}
	return s
}

func TestRestarts(t *testing.T) {
	term := func(code int32, reason string) *model.Termination {
		return &model.Termination{ExitCode: code, Reason: reason, FinishedAt: t0}
	}
	cases := []struct {
		name   string
		kind   model.Kind
		in     []model.ContainerInstance
		kills  int32 // liveness kills in the kubelet's events
		sev    Severity
		reason string // "" = no advice
		memory bool   // the advice points at memory, not at the log
	}{
		{name: "killed by liveness", in: []model.ContainerInstance{{Pod: "a", RestartCount: 4, LastTermination: term(143, "Error")}}, kills: 4,
			sev: Warning, reason: "liveness probe killed it 4 times"},
		{name: "panic loop", in: []model.ContainerInstance{{Pod: "a", RestartCount: 7, Waiting: "CrashLoopBackOff", LastTermination: term(2, "Error")}},
			sev: Critical, reason: "Go panic"},
		{name: "SIGKILL", in: []model.ContainerInstance{{Pod: "a", RestartCount: 4, LastTermination: term(137, "Error")}}, sev: Warning, reason: "SIGKILL"},
		{name: "SIGTERM", in: []model.ContainerInstance{{Pod: "a", RestartCount: 1, LastTermination: term(143, "Error")}}, sev: Info, reason: "SIGTERM"},
		{name: "exit 1", in: []model.ContainerInstance{{Pod: "a", RestartCount: 3, LastTermination: term(1, "Error")}}, sev: Warning, reason: "log.Fatal"},
		{name: "main returned", in: []model.ContainerInstance{{Pod: "a", RestartCount: 3, LastTermination: term(0, "Completed")}}, sev: Warning, reason: "main must not return"},
		{name: "OOM without a loop is the memory rule's", in: []model.ContainerInstance{oomInstance("a")}},
		{name: "OOM loop", in: []model.ContainerInstance{{Pod: "a", RestartCount: 9, Waiting: "CrashLoopBackOff", LastTermination: term(137, "OOMKilled")}},
			sev: Critical, reason: "OOM killer", memory: true},
		{name: "a job's success", kind: model.KindJob, in: []model.ContainerInstance{{Pod: "a", RestartCount: 1, LastTermination: term(0, "Completed")}}},
		{name: "no restarts", in: []model.ContainerInstance{{Pod: "a"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := withProbes(model.Container{Instances: tc.in})
			if tc.kills > 0 {
				c.ProbeFailures = []model.ProbeFailure{{Probe: model.Liveness, Count: 3 * tc.kills, Kills: tc.kills}}
			}
			w := deployment(c)
			if tc.kind != "" {
				w.Ref.Kind = tc.kind
			}
			a := find(AdviseWorkload(w, Options{Now: t0}), KindRestarts)
			if tc.reason == "" {
				if a != nil {
					t.Fatalf("unexpected advice: %s", a.Reason)
				}
				return
			}
			if a == nil || a.Severity != tc.sev || !strings.Contains(a.Reason, tc.reason) {
				t.Fatalf("got %+v, want %s with %q", a, tc.sev, tc.reason)
			}
			// An OOMKill's SIGKILL leaves nothing in the log: that advice points at memory.
			if oom := tc.memory; oom != (a.Code == "") || oom && !strings.Contains(a.Suggested.Display, "memory") {
				t.Errorf("code %q, suggested %q", a.Code, a.Suggested.Display)
			} else if !oom && !strings.Contains(a.Code, "kubectl logs a -n shop -c app --previous") {
				t.Errorf("code %q", a.Code)
			}
		})
	}
}

// A container that crashes at start is not right-sized: its few samples
// say nothing of its needs.
func TestNoSizingWhileCrashLooping(t *testing.T) {
	c := withProbes(model.Container{
		Resources: model.Resources{Requests: model.ResourceList{CPU: 500, Memory: 512 * mi}},
		Usage:     usage(time.Hour, time.Minute, 1, 500, steady(5, 20*mi)),
		Instances: []model.ContainerInstance{{Pod: "a", RestartCount: 40, Waiting: "CrashLoopBackOff", LastTermination: &model.Termination{ExitCode: 1, Reason: "Error"}}},
	})
	for _, a := range AdviseWorkload(deployment(c), Options{Now: t0.Add(time.Hour)}) {
		switch a.Kind {
		case KindCPURequest, KindMemoryRequest, KindWatchLonger:
			t.Errorf("a crash-looping container got %s advice: %s", a.Kind, a.Reason)
		}
	}
}
