package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// oomWorkload is shop/api, one pod api-a, OOMKilled at killed at its
// memory limit, now limit (the template's and the pod's).
func oomWorkload(limit int64, killed time.Time) model.Workload {
	c := withProbes(model.Container{Resources: res(100, 200*mi, 500, limit)})
	c.Instances = []model.ContainerInstance{{Pod: "api-a", RestartCount: 1,
		LastTermination: &model.Termination{Reason: "OOMKilled", ExitCode: 137, StartedAt: killed.Add(-time.Hour), FinishedAt: killed}}}
	w := deployment(c)
	w.Desired, w.Ready = 1, 1
	w.Pods = []model.Pod{{Name: "api-a", Created: t0}}
	return w
}

// raise is the record of kgotop raising api's memory limit from 256Mi to
// 356Mi, starting at at: api-a resized in place at resized (zero: not
// resized), the template patched if template.
func raise(at, resized time.Time, template bool) model.AppliedChange {
	ch := model.AppliedChange{Ref: model.WorkloadRef{Kind: model.KindDeployment, Namespace: "shop", Name: "api"}, Way: model.ChangeResize,
		At: at, Template: template, Restarts: map[string]int32{"api-a": 1},
		Fields: []model.ChangedField{{Container: "app", Field: "resources.limits.memory", Before: "256Mi", After: "356Mi", Undo: &model.FieldUndo{Amount: 256 * mi}}}}
	if !resized.IsZero() {
		ch.Pods, ch.Resized = []string{"api-a"}, map[string]time.Time{"api-a": resized}
	}
	return ch
}

// A pod resized in place keeps its last state: the OOMKill kgotop raised
// the limit for stays on the pod. It was at the old limit, and asks for no
// second bump; a kill after the change does, over the new limit. A kill
// the change did not reach (the run stopped before the pod, the template
// not patched) still counts.
func TestOOMKillAnsweredByARaise(t *testing.T) {
	killed := t0.Add(2 * time.Hour)
	now := killed.Add(time.Hour)
	limitAdvice := func(w model.Workload) string {
		if a := find(AdviseWorkload(w, Options{Now: now}), KindMemoryLimit); a != nil {
			return a.Reason
		}
		return ""
	}

	before := oomWorkload(256*mi, killed)
	if got := limitAdvice(before); !strings.HasPrefix(got, "OOMKilled at the 256Mi limit: raise it to 356Mi") {
		t.Fatalf("before the change: %q", got)
	}

	resized := oomWorkload(356*mi, killed)
	resized.Changes = []model.AppliedChange{raise(killed.Add(5*time.Minute), killed.Add(6*time.Minute), true)}
	if got := limitAdvice(resized); strings.Contains(got, "OOMKilled") {
		t.Errorf("the OOMKill the resize answered bumps the new limit: %q", got)
	}
	if a := find(AdviseWorkload(resized, Options{Now: now}), KindRestarts); a != nil {
		t.Errorf("restarts advice: %s", a.Reason)
	}

	// Killed while it waited its turn: the run had begun, this pod not yet resized.
	waited := oomWorkload(356*mi, killed)
	waited.Changes = []model.AppliedChange{raise(killed.Add(-5*time.Minute), killed.Add(time.Minute), true)}
	if got := limitAdvice(waited); strings.Contains(got, "OOMKilled") {
		t.Errorf("a kill before the pod's own resize: %q", got)
	}

	again := oomWorkload(356*mi, killed.Add(30*time.Minute))
	again.Changes = []model.AppliedChange{raise(killed.Add(5*time.Minute), killed.Add(6*time.Minute), true)}
	if got := limitAdvice(again); !strings.HasPrefix(got, "OOMKilled at the 356Mi limit: raise it to 456Mi") {
		t.Errorf("killed again at the new limit: %q", got)
	}

	stopped := oomWorkload(256*mi, killed)
	stopped.Changes = []model.AppliedChange{raise(killed.Add(5*time.Minute), time.Time{}, false)}
	if got := limitAdvice(stopped); !strings.HasPrefix(got, "OOMKilled at the 256Mi limit: raise it to 356Mi") {
		t.Errorf("a change that reached neither the pod nor the template: %q", got)
	}
}

// A pod that ran briefly and was OOMKilled a minute ago looks like a crash
// loop; once kgotop raised its limit in place since, it is not one.
func TestOOMKillAnsweredEndsTheLoop(t *testing.T) {
	killed := t0.Add(2 * time.Hour)
	now := killed.Add(3 * time.Minute)
	w := oomWorkload(256*mi, killed)
	in := &w.Containers[0].Instances[0]
	in.RestartCount, in.StartedAt = 5, killed.Add(10*time.Second)
	in.LastTermination.StartedAt = killed.Add(-2 * time.Minute)
	if a := find(AdviseWorkload(w, Options{Now: now}), KindRestarts); a == nil || a.Severity != Critical {
		t.Fatalf("a brief run ended by an OOMKill: %+v", a)
	}
	w.Containers[0].Resources.Limits.Memory = 356 * mi
	w.Changes = []model.AppliedChange{raise(killed.Add(time.Minute), killed.Add(2*time.Minute), true)}
	if a := find(AdviseWorkload(w, Options{Now: now}), KindRestarts); a != nil {
		t.Errorf("the raise answered the kill, yet: %s", a.Reason)
	}
}
