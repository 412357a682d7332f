package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/model"
)

// selectRow moves the table's cursor to the workload named name.
func selectRow(t *testing.T, m Model, name string) Model {
	t.Helper()
	for range m.table.rows {
		if r, _, ok := m.table.current(); ok && r.ref.Name == name {
			return m
		}
		m = press(t, m, "down")
	}
	t.Fatalf("no row %s", name)
	return m
}

// A template patch applied from the dashboard is filed as a rollout, with
// its fields before and after, the restarts then, and the time.
func TestAppliedPatchIsFiled(t *testing.T) {
	f, rec := &fakeApply{}, &recorder{}
	m := start(t, resizeDeps(fixture(), f, &fakeResize{}, rec), 120, 40)
	m = press(t, m, "down")
	m = drain(t, m, func() tea.Msg { return keyPress("a") })
	m = drain(t, m, func() tea.Msg { return keyPress("Y") })
	if m.patch.state != patchApplied || len(rec.changes) != 1 {
		t.Fatalf("state %v, filed %+v", m.patch.state, rec.changes)
	}
	ch := rec.changes[0]
	if ch.Way != model.ChangeRollout || ch.Ref.Name != "orders" || !ch.At.Equal(t0) || len(ch.Fields) != 2 || ch.Restarts["orders-0"] != 4 ||
		ch.Fields[0].Field != "resources.limits.memory" || ch.Fields[0].Before != "384Mi" || ch.Fields[0].Undo == nil {
		t.Errorf("filed %+v", ch)
	}
}

// A workload kgotop changed is marked in the table; its details open on
// what followed: the resize's progress, the OOMKill since, the usage
// against the new limit, and the undo; the critical advice says it too.
func TestChangedWorkloadIsFollowedUp(t *testing.T) {
	m := start(t, resizeDeps(cutTooDeep(), &fakeApply{}, &fakeResize{}, &recorder{}), 200, 50)
	if v := screen(m); !strings.Contains(v, "mailer · resized 12m ago") {
		t.Errorf("no mark in the table:\n%s", v)
	}
	m = selectRow(t, m, "mailer")
	if v := flat(m); !strings.Contains(v, "OOMKilled in 1 pod, 2 restarts since kgotop resized it, lowering the memory request 512Mi → 320Mi, memory limit 640Mi → 420Mi") {
		t.Errorf("the panel lacks the critical follow-up:\n%s", screen(m))
	}
	if !strings.Contains(footer(m), "u undo the change") {
		t.Errorf("footer %q", footer(m))
	}
	m = press(t, m, "enter")
	v := flat(m)
	for _, want := range []string{"since kgotop resized it 12m ago", "CHANGED mailer resources.requests.memory 512Mi → 320Mi · mailer resources.limits.memory 640Mi → 420Mi; the template carries it",
		"RESIZED 1 of 1 pod in place", "SINCE OOMKilled in 1 pod, 2 restarts", "USAGE mailer uses CPU 60m/100m/500m, memory 410Mi/320Mi/420Mi",
		"UNDO u opens the patch"} {
		if !strings.Contains(v, want) {
			t.Errorf("details lack %q", want)
		}
	}
	if t.Failed() {
		t.Log(screen(m))
	}
	// Older than a day, the table no longer marks it; the details still follow it.
	old := cutTooDeep()
	workloadOf(&old, "mailer").Changes[0].At = t0.Add(-25 * time.Hour)
	if v := screen(refreshWith(t, press(t, m, "esc"), old)); strings.Contains(v, "resized 1d") {
		t.Errorf("a day-old change is still marked:\n%s", v)
	}
}

// u opens the patch that puts the values from before back, offering to do
// it in place too; a dry-runs it like any patch.
func TestUndoKeyOpensTheUndoPatch(t *testing.T) {
	f := &fakeApply{}
	m := start(t, resizeDeps(cutTooDeep(), f, &fakeResize{}, &recorder{}), 120, 40)
	m = press(t, selectRow(t, m, "mailer"), "u")
	v := flat(m)
	for _, want := range []string{"UNDO: deployment mailer in shop as before kgotop resized it", "mailer resources.limits.memory 420Mi 640Mi",
		"IN PLACE i resizes 1 running pod in place, then applies this patch"} {
		if !strings.Contains(v, want) {
			t.Errorf("undo view lacks %q:\n%s", want, screen(m))
		}
	}
	m = drain(t, m, func() tea.Msg { return keyPress("a") })
	if len(f.calls) != 1 || !f.calls[0].dryRun || !strings.Contains(string(f.calls[0].patch.Data), `"limits":{"memory":"640Mi"}`) {
		t.Errorf("apply calls %+v", f.calls)
	}
	// Nothing to undo on a workload kgotop never changed.
	m = press(t, m, "esc", "esc", "g", "u") // the first esc cancels the confirmation
	if m.view != viewTable || !strings.Contains(m.notice.Text, "nothing to undo") {
		t.Errorf("u on an unchanged workload: view %v, notice %q", m.view, m.notice.Text)
	}
}

// A Deployment resized in place rolls after the template patch: its
// resized pods are replaced by pods made from the patched template, which
// the follow-up says instead of counting them as not resized.
func TestFollowUpAfterTheRollout(t *testing.T) {
	s := resizable()
	w := workloadOf(&s, "mailer")
	w.Changes = []model.AppliedChange{cutChange()}
	w.Pods[0].Name, w.Pods[0].Created = "mailer-1", t0.Add(-5*time.Minute)
	w.Containers[0].Instances[0].Pod = "mailer-1"
	m := press(t, selectRow(t, start(t, resizeDeps(s, &fakeApply{}, &fakeResize{}, &recorder{}), 200, 50), "mailer"), "enter")
	if v := flat(m); !strings.Contains(v, "RESIZED 1 of 1 pod in place, 1 since replaced by pods made from the patched template") ||
		!strings.Contains(v, "ROLLOUT done: 1 pod new and ready since") {
		t.Errorf("details:\n%s", screen(m))
	}
}

// An applied undo is filed as putting back the change it undid, and u then
// does not offer to undo the undo: that would put back the values that
// failed (newcomer round 4: after ledger's undo, u opened "as before kgotop
// resized it" with the OOMKilled values and no warning).
func TestAnUndoIsNotUndone(t *testing.T) {
	f, rec := &fakeApply{}, &recorder{}
	s := cutTooDeep()
	m := start(t, resizeDeps(s, f, &fakeResize{}, rec), 120, 40)
	m = press(t, selectRow(t, m, "mailer"), "u")
	m = drain(t, m, func() tea.Msg { return keyPress("a") })
	m = drain(t, m, func() tea.Msg { return keyPress("Y") })
	if len(rec.changes) != 1 {
		t.Fatalf("filed %+v", rec.changes)
	}
	undone := workloadOf(&s, "mailer").Changes[0]
	if got := rec.changes[0].Reverts; !got.Equal(undone.At) {
		t.Fatalf("the undo is filed reverting %v, want the change of %v", got, undone.At)
	}
	w := workloadOf(&s, "mailer")
	w.Changes = append([]model.AppliedChange{rec.changes[0]}, w.Changes...)
	m = refreshWith(t, press(t, m, "esc"), s)
	m = selectRow(t, m, "mailer")
	if strings.Contains(footer(m), "u undo") {
		t.Errorf("the footer offers to undo the undo: %q", footer(m))
	}
	m = press(t, m, "u")
	if m.view != viewTable || !strings.Contains(m.notice.Text, "was an undo: u would put back the values that failed") {
		t.Errorf("u after the undo: view %v, notice %q", m.view, m.notice.Text)
	}
}
