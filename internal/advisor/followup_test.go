package advisor

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// cutWorkload is "shop/api" with its memory at 512Mi request, 1Gi limit,
// a GOMEMLIMIT, two pods, and the patch that cuts memory to 160Mi/192Mi
// and sets GOMEMLIMIT to 170MiB.
func cutWorkload(t *testing.T) (model.Workload, Patch) {
	t.Helper()
	c := withProbes(model.Container{Resources: res(100, 512*mi, 0, 1024*mi),
		Env: []model.EnvVar{{Name: "GOMEMLIMIT", Value: "900MiB"}, {Name: "POD", From: &model.EnvSource{Kind: model.EnvField, Resource: "metadata.name"}}}})
	c.Instances = []model.ContainerInstance{{Pod: "api-a", RestartCount: 1}, {Pod: "api-b"}}
	w := deployment(c)
	w.Pods = []model.Pod{{Name: "api-a", Created: t0}, {Name: "api-b", Created: t0}}
	a := Advice{ID: "deploy/shop/api/app/memory-limit", Kind: KindMemoryLimit, Target: Target{Kind: w.Ref.Kind, Namespace: "shop", Name: "api", Container: "app"},
		Changes: []Change{setResource("app", Requests, Memory, 160*mi), setResource("app", Limits, Memory, 192*mi), setEnv("app", "GOMEMLIMIT", "170MiB")}}
	p, err := BuildPatch(w, []Advice{a})
	if err != nil {
		t.Fatal(err)
	}
	return w, p
}

// after returns w as the patch left it, with the change on record.
func after(w model.Workload, ch model.AppliedChange) model.Workload {
	w.Containers = slices.Clone(w.Containers)
	c := &w.Containers[0]
	c.Instances = slices.Clone(c.Instances)
	c.Resources = res(100, 160*mi, 0, 192*mi)
	c.Env = []model.EnvVar{{Name: "GOMEMLIMIT", Value: "170MiB"}, c.Env[1]}
	w.Changes = []model.AppliedChange{ch}
	return w
}

// The record of an applied patch holds each field before and after and how
// to put it back; its undo patch puts back exactly the values before.
func TestAppliedAndUndo(t *testing.T) {
	w, p := cutWorkload(t)
	at := t0.Add(2 * time.Hour)
	ch := Applied(w, p, model.ChangeResize, at)
	if ch.Ref != w.Ref || !ch.At.Equal(at) || ch.Way != model.ChangeResize || !ch.Template || len(ch.Fields) != 3 {
		t.Fatalf("record %+v", ch)
	}
	if ch.Restarts["api-a"] != 1 || ch.Restarts["api-b"] != 0 {
		t.Errorf("restarts at the change %v", ch.Restarts)
	}
	if f := ch.Fields[1]; f.Field != "resources.limits.memory" || f.Before != "1Gi" || f.After != "192Mi" || f.Undo == nil || f.Undo.Amount != 1024*mi {
		t.Errorf("limit field %+v %+v", f, f.Undo)
	}
	undo, err := UndoPatch(after(w, ch), ch)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"spec":{"template":{"spec":{"containers":[{"env":[{"name":"GOMEMLIMIT","value":"900MiB"}],"name":"app","resources":{"limits":{"memory":"1Gi"},"requests":{"memory":"512Mi"}}}]}}}}`
	var doc any
	_ = json.Unmarshal(undo.Data, &doc)
	if got, _ := json.Marshal(doc); string(got) != want {
		t.Errorf("undo patch\n got %s\nwant %s", got, want)
	}
	if f := undo.Fields[1]; f.Before != "192Mi" || f.After != "1Gi" {
		t.Errorf("undo fields %+v", undo.Fields)
	}
}

// A field that was not set is removed by the undo; one from valueFrom cannot
// be put back by a patch, and the undo says so.
func TestUndoUnsetAndValueFrom(t *testing.T) {
	w, _ := cutWorkload(t)
	ch := model.AppliedChange{Ref: w.Ref, Way: model.ChangeRollout, At: t0, Fields: []model.ChangedField{
		{Container: "app", Field: "resources.limits.cpu", Before: "not set", After: "1", Undo: &model.FieldUndo{Unset: true}},
		{Container: "app", Field: "env[POD]", Before: "from fieldRef metadata.name", After: "x"},
	}}
	undo, err := UndoPatch(w, ch)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(undo.Data), `"limits":{"cpu":null}`) || len(undo.Warnings) != 1 || !strings.Contains(undo.Warnings[0], "app env[POD] stays x: a patch cannot put back from fieldRef metadata.name") {
		t.Errorf("undo %s, warnings %q", undo.Data, undo.Warnings)
	}
	ch.Fields = ch.Fields[1:]
	if _, err := UndoPatch(w, ch); err != ErrNoUndo {
		t.Errorf("nothing to put back: %v", err)
	}
}

// A change followed by an OOMKill, a crash loop or throttling is raised as
// critical, with the undo patch's command; one followed by nothing is not,
// and neither is trouble from before the change.
func TestAfterChange(t *testing.T) {
	w, p := cutWorkload(t)
	at := t0.Add(2 * time.Hour)
	ch := Applied(w, p, model.ChangeResize, at)
	ch.Pods = []string{"api-a", "api-b"}
	quiet := after(w, ch)
	if a := find(AdviseWorkload(quiet, Options{Now: at.Add(time.Hour)}), KindAfterChange); a != nil {
		t.Errorf("nothing followed, yet: %s", a.Reason)
	}

	oom := after(w, ch)
	oom.Containers[0].Instances[1] = model.ContainerInstance{Pod: "api-b", RestartCount: 2, Waiting: "CrashLoopBackOff",
		LastTermination: &model.Termination{Reason: "OOMKilled", ExitCode: 137, FinishedAt: at.Add(20 * time.Minute)}}
	a := find(AdviseWorkload(oom, Options{Now: at.Add(time.Hour)}), KindAfterChange)
	if a == nil || a.Severity != Critical {
		t.Fatalf("an OOMKill after the cut is critical: %+v", a)
	}
	for _, want := range []string{"OOMKilled in 1 pod", "app in CrashLoopBackOff", "2 restarts", "since kgotop resized it", "memory limit 1Gi → 192Mi"} {
		if !strings.Contains(a.Reason, want) {
			t.Errorf("reason lacks %q: %s", want, a.Reason)
		}
	}
	if a.CodeLang != "shell" || !strings.Contains(a.Code, `"limits":{"memory":"1Gi"}`) || a.Patchable() {
		t.Errorf("the undo is one command away, not in the advice's own patch: %q %v", a.Code, a.Changes)
	}

	before := after(w, ch)
	before.Containers[0].Instances[0].LastTermination = &model.Termination{Reason: "OOMKilled", FinishedAt: at.Add(-time.Minute)}
	if a := find(AdviseWorkload(before, Options{Now: at.Add(time.Hour)}), KindAfterChange); a != nil {
		t.Errorf("an OOMKill before the change is not its doing: %s", a.Reason)
	}

	// api-b was resized ten minutes into the run; it was OOMKilled while
	// it waited its turn, with its old values.
	waited := after(w, ch)
	waited.Changes[0].Resized = map[string]time.Time{"api-a": at.Add(time.Minute), "api-b": at.Add(10 * time.Minute)}
	waited.Changes[0].Restarts = map[string]int32{"api-a": 1, "api-b": 1}
	waited.Containers[0].Instances[1] = model.ContainerInstance{Pod: "api-b", RestartCount: 1,
		LastTermination: &model.Termination{Reason: "OOMKilled", ExitCode: 137, FinishedAt: at.Add(5 * time.Minute)}}
	if a := find(AdviseWorkload(waited, Options{Now: at.Add(time.Hour)}), KindAfterChange); a != nil {
		t.Errorf("an OOMKill before the pod's own resize is not the change's doing: %s", a.Reason)
	}
	waited.Containers[0].Instances[1].LastTermination.FinishedAt = at.Add(15 * time.Minute)
	waited.Containers[0].Instances[1].RestartCount = 2
	if a := find(AdviseWorkload(waited, Options{Now: at.Add(time.Hour)}), KindAfterChange); a == nil || !strings.Contains(a.Reason, "OOMKilled in 1 pod, 1 restart since") {
		t.Errorf("an OOMKill after the pod's resize is: %+v", a)
	}
}

// Throttling follows a CPU cut when the metrics windows since it sit at
// the new limit; it does not when the change left CPU alone.
func TestAfterChangeThrottled(t *testing.T) {
	c := withProbes(model.Container{Resources: res(200, 256*mi, 500, 512*mi)})
	c.Usage = usage(time.Hour, time.Minute, 1, 200, steady(490, 200*mi))
	c.Instances = []model.ContainerInstance{{Pod: "api-a"}}
	w := deployment(c)
	w.Pods = []model.Pod{{Name: "api-a", Created: t0}}
	ch := model.AppliedChange{Ref: w.Ref, Way: model.ChangeRollout, At: t0.Add(30 * time.Minute), Template: true,
		Fields: []model.ChangedField{{Container: "app", Field: "resources.limits.cpu", Before: "1", After: "500m", Undo: &model.FieldUndo{Amount: 1000}}}}
	w.Changes = []model.AppliedChange{ch}
	s, _ := FollowUp(w)
	if s.Throttled != 30 || !strings.Contains(s.Trouble(), "CPU at its limit in 30 metrics windows") {
		t.Errorf("throttled %d: %q", s.Throttled, s.Trouble())
	}
	ch.Fields[0].Field = "resources.limits.memory"
	w.Changes = []model.AppliedChange{ch}
	if s, _ := FollowUp(w); s.Throttled != 0 {
		t.Errorf("a memory change is not followed by throttling: %d", s.Throttled)
	}
}

// The follow-up counts the rollout's new pods, the pods resized in place and
// what holds the others, and the restarts since.
func TestFollowUpProgress(t *testing.T) {
	w, p := cutWorkload(t)
	at := t0.Add(2 * time.Hour)
	ch := Applied(w, p, model.ChangeResize, at)
	ch.Pods = []string{"api-a", "api-b"}
	w = after(w, ch)
	w.Pods[1].Resize = model.PodResize{Generation: 2, ObservedGeneration: 2, Pending: &model.Condition{Reason: model.ResizeDeferred, Message: "no room"}}
	w.Pods = append(w.Pods, model.Pod{Name: "api-c", Created: at.Add(time.Minute), Ready: true})
	w.Containers[0].Instances = append(w.Containers[0].Instances, model.ContainerInstance{Pod: "api-c", RestartCount: 1})
	w.Containers[0].Instances[0].RestartCount = 3
	s, ok := FollowUp(w)
	if !ok || s.Resized != 1 || len(s.Waiting) != 1 || s.Waiting[0] != "api-b: Deferred: no room" {
		t.Errorf("resize progress %d %q", s.Resized, s.Waiting)
	}
	if s.NewPods != 1 || s.NewReady != 1 || s.OldPods != 2 || s.Restarts != 3 {
		t.Errorf("rollout %d/%d new, %d old, %d restarts since (2 in api-a, 1 in the new api-c)", s.NewReady, s.NewPods, s.OldPods, s.Restarts)
	}
	// The rollout after the template patch replaces api-b: resized, then
	// replaced, not waiting for anything.
	w.Pods = slices.Delete(w.Pods, 1, 2)
	if s, _ := FollowUp(w); s.Resized != 1 || s.Replaced != 1 || len(s.Waiting) != 0 {
		t.Errorf("resized %d, replaced %d, waiting %q", s.Resized, s.Replaced, s.Waiting)
	}
}
