package advisor

import (
	"strings"
	"testing"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// Finding 1 of the second review: the after-change advice offers the undo
// only when the change lowered what then failed (memory cut -> OOMKill, CPU
// cut -> throttling, a probe change -> kills); after a raise, the undo
// would put back the values that failed (on main: "undo the change",
// critical, for a raise followed by an OOMKill).
func TestAfterChangeUndoesOnlyWhatItLowered(t *testing.T) {
	at := t0.Add(30 * time.Minute)
	field := func(name, before, after string, undo int64) model.ChangedField {
		return model.ChangedField{Container: "app", Field: name, Before: before, After: after, Undo: &model.FieldUndo{Amount: undo}}
	}
	oom := model.ContainerInstance{Pod: "api-a", RestartCount: 2, Waiting: "CrashLoopBackOff",
		LastTermination: &model.Termination{Reason: "OOMKilled", ExitCode: 137, FinishedAt: at.Add(20 * time.Minute)}}
	crash := model.ContainerInstance{Pod: "api-a", RestartCount: 4, Waiting: "CrashLoopBackOff",
		LastTermination: &model.Termination{Reason: "Error", ExitCode: 1, FinishedAt: at.Add(20 * time.Minute)}}
	for _, tc := range []struct {
		name  string
		field model.ChangedField
		cpu   int64 // CPU used after the change
		in    model.ContainerInstance
		undo  bool
		says  string
	}{
		{name: "a memory cut, then an OOMKill", field: field("resources.limits.memory", "1Gi", "192Mi", 1<<30), in: oom, undo: true, says: "lowering the memory limit 1Gi → 192Mi"},
		{name: "a memory raise, then an OOMKill", field: field("resources.limits.memory", "128Mi", "192Mi", 128*mi), in: oom, says: "the raise was not enough"},
		{name: "a CPU limit cut, then throttling", field: field("resources.limits.cpu", "1", "500m", 1000), cpu: 490, undo: true, says: "lowering the CPU limit 1 → 500m"},
		{name: "a CPU limit raise, then throttling", field: field("resources.limits.cpu", "250m", "500m", 250), cpu: 490, says: "still not enough"},
		{name: "a probe change, then a crash loop", field: model.ChangedField{Container: "app", Field: "livenessProbe", Before: "http-get :8080/healthz", After: "{}"},
			in: crash, undo: true, says: "changing the livenessProbe"},
		{name: "a memory raise, then a crash loop", field: field("resources.limits.memory", "128Mi", "192Mi", 128*mi), in: crash, says: "the restarts advice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := withProbes(model.Container{Resources: res(200, 128*mi, 500, 192*mi)})
			c.Usage = usage(time.Hour, time.Minute, 1, 200, steady(max(tc.cpu, 100), 100*mi))
			c.Instances = []model.ContainerInstance{tc.in}
			if c.Instances[0].Pod == "" {
				c.Instances[0].Pod = "api-a"
			}
			w := deployment(c)
			w.Pods = []model.Pod{{Name: "api-a", Created: at.Add(time.Minute)}} // the rollout's
			w.Changes = []model.AppliedChange{{Ref: w.Ref, Way: model.ChangeRollout, At: at, Template: true, Fields: []model.ChangedField{tc.field}}}
			a := find(AdviseWorkload(w, Options{Now: t0.Add(time.Hour)}), KindAfterChange)
			switch {
			case a == nil:
				t.Fatal("no after-change advice")
			case tc.undo != (a.Suggested.Display == "undo the change") || tc.undo != (a.Severity == Critical):
				t.Errorf("undo %v: %s -> %s (%s)", tc.undo, a.Current.Display, a.Suggested.Display, a.Severity)
			case !tc.undo && a.Code != "":
				t.Errorf("an undo command after a raise: %s", a.Code)
			case !strings.Contains(a.Reason, tc.says):
				t.Errorf("reason %q lacks %q", a.Reason, tc.says)
			}
		})
	}
}

// Finding 3: while the undo stands, forward sizing of the same fields is
// an alternative to it, held out of the patch with GOMEMLIMIT sized to it,
// and the undo names it: one answer, not two patches for the same values.
func TestForwardSizingIsAnAlternativeToTheUndo(t *testing.T) {
	w, p := cutWorkload(t)
	at := t0.Add(2 * time.Hour)
	ch := Applied(w, p, model.ChangeResize, at)
	ch.Pods = []string{"api-a", "api-b"}
	w = after(w, ch)
	w.Containers[0].Go = goRuntime("1.26.2", nil)
	w.Containers[0].Instances[1] = model.ContainerInstance{Pod: "api-b", RestartCount: 2,
		LastTermination: &model.Termination{Reason: "OOMKilled", ExitCode: 137, FinishedAt: at.Add(20 * time.Minute)}}
	as := AdviseWorkload(w, Options{Now: at.Add(time.Hour)})
	undo, lim := find(as, KindAfterChange), find(as, KindMemoryLimit)
	if undo == nil || undo.Suggested.Display != undoSuggested || lim == nil || lim.Suggested.Amount <= 192*mi {
		t.Fatalf("want the undo and a raise of the 192Mi limit: %s", describeAll(as))
	}
	if !lim.Held || lim.HeldWhy != HeldBehindUndo || !strings.Contains(strings.Join(lim.Notes, " "), "undo first") {
		t.Errorf("the raise is not held behind the undo: %+v", lim)
	}
	for _, a := range Patchable(as) {
		for _, c := range a.Changes {
			if c.Field() == "resources.limits.memory" || c.Field() == "resources.requests.memory" || c.Field() == "env[GOMEMLIMIT]" {
				t.Errorf("%s still in the patch beside the undo: %s", a.ID, c)
			}
		}
	}
	if !strings.Contains(strings.Join(undo.Notes, " "), "or, instead of the undo: memory limit 192Mi -> "+lim.Suggested.Display) {
		t.Errorf("the undo does not name the alternative: %q", undo.Notes)
	}
}
