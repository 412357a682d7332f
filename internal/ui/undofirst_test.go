package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/model"
)

// When the undo of kgotop's change is the top advice, the row says so
// before the raise it holds back, and the footer offers u at 80x24 and
// 60x15; a dry-runs the undo, not the patch that holds the raise back.
func TestUndoIsTheTopAdvice(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}} {
		f := &fakeApply{}
		m := start(t, resizeDeps(cutTooDeep(), f, &fakeResize{}, &recorder{}), size[0], size[1])
		m = selectRow(t, m, "mailer")
		r, _, _ := m.table.current()
		if got := r.cells[colTop].Text; got != "undo kgotop's change" {
			t.Errorf("%v: top advice %q", size, got)
		}
		if as := m.panelAdvice(); len(as) == 0 || !as[0].Undoes() {
			t.Errorf("%v: the panel does not lead with the undo", size)
		}
		if !strings.Contains(footer(m), "u undo the change") {
			t.Errorf("%v: footer %q", size, footer(m))
		}
		m = drain(t, m, func() tea.Msg { return keyPress("a") })
		if m.patch.undo == nil || len(f.calls) != 1 || !f.calls[0].dryRun || !strings.Contains(string(f.calls[0].patch.Data), `"limits":{"memory":"640Mi"}`) {
			t.Errorf("%v: a did not dry-run the undo: calls %+v", size, f.calls)
		}
	}
}

// The patch view that holds advice back behind the undo says u opens it:
// u does, and the footer offers it.
func TestUndoOpensFromThePatchView(t *testing.T) {
	m := start(t, resizeDeps(cutTooDeep(), &fakeApply{}, &fakeResize{}, &recorder{}), 80, 24)
	m = press(t, selectRow(t, m, "mailer"), "p")
	if !strings.Contains(flat(m), "u opens it") || !strings.Contains(footer(m), "u undo the change") {
		t.Fatalf("the patch view does not offer u: footer %q\n%s", footer(m), screen(m))
	}
	m = press(t, m, "u")
	if m.view != viewPatch || m.patch.undo == nil || !strings.Contains(flat(m), "UNDO: deployment mailer in shop") {
		t.Errorf("u did not open the undo:\n%s", screen(m))
	}
	if strings.Contains(footer(m), "u undo") {
		t.Errorf("the undo offers itself: %q", footer(m))
	}
	if m = press(t, m, "esc"); m.view != viewTable {
		t.Errorf("esc from the undo: view %v", m.view)
	}
}

// The patch view's help explains both reasons advice is held: too little
// history, and an alternative to the undo (which holds even an OOMKill's raise).
func TestPatchHelpExplainsBothHolds(t *testing.T) {
	m := start(t, resizeDeps(cutTooDeep(), &fakeApply{}, &fakeResize{}, &recorder{}), 200, 60)
	m = press(t, selectRow(t, m, "mailer"), "p", "?")
	v := flat(m)
	for _, want := range []string{"Held for too little history", "Held as an alternative to the undo", "even an OOMKill's raise"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q:\n%s", want, screen(m))
		}
	}
}

// A rollout kgotop made reads "since kgotop rolled it out", in the details
// and in the undo's title.
func TestRolloutIsWordedInOrder(t *testing.T) {
	s := cutTooDeep()
	workloadOf(&s, "mailer").Changes[0].Way = model.ChangeRollout
	m := start(t, resizeDeps(s, &fakeApply{}, &fakeResize{}, &recorder{}), 200, 50)
	m = press(t, selectRow(t, m, "mailer"), "enter")
	if v := flat(m); !strings.Contains(v, "since kgotop rolled it out 12m ago") || strings.Contains(v, "rolled out it") {
		t.Errorf("details:\n%s", screen(m))
	}
	if v := flat(press(t, m, "u")); !strings.Contains(v, "as before kgotop rolled it out") {
		t.Errorf("undo:\n%s", screen(m))
	}
}

// Where the undo can go in place, i in the table resizes the crashing pods
// back (a dry run first), and the template-only undo's confirmation says
// plainly that the running pods keep crashing until they are resized.
func TestUndoInPlaceFromTheTable(t *testing.T) {
	s := cutTooDeep() // mailer as ledger is: an OnDelete StatefulSet, whose template patch replaces no pod
	w := workloadOf(&s, "mailer")
	w.Ref.Kind, w.UpdateStrategy, w.Changes[0].Ref.Kind = model.KindStatefulSet, "OnDelete", model.KindStatefulSet
	f, rz := &fakeApply{}, &fakeResize{}
	m := selectRow(t, start(t, resizeDeps(s, f, rz, &recorder{}), 80, 24), "mailer")
	if !strings.Contains(footer(m), "i undo in place") {
		t.Errorf("footer %q", footer(m))
	}
	m = drain(t, m, func() tea.Msg { return keyPress("i") })
	if m.patch.undo == nil || m.patch.ip.state != ipConfirm || len(rz.calls) == 0 || !strings.HasSuffix(rz.calls[0], " dry") {
		t.Fatalf("i did not dry-run the undo in place: resizes %v\n%s", rz.calls, screen(m))
	}
	m = press(t, m, "esc", "esc")
	m = drain(t, m, func() tea.Msg { return keyPress("a") })
	v := flat(m)
	if m.patch.state != patchConfirm || !strings.Contains(v, "running pods keep crashing until resized; i resizes them in place") {
		t.Errorf("the template-only undo's confirmation:\n%s", screen(m))
	}
	if !strings.Contains(footer(m), "i resize in place") {
		t.Errorf("the confirmation's footer %q", footer(m))
	}
}

// i and the number keys say in the table what to do instead of nothing.
func TestTableKeysThatWorkElsewhereSaySo(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 120, 30)
	for k, want := range map[string]string{"i": "i resizes in place from the patch view: p opens it", "1": "enter opens the details"} {
		if got := footer(press(t, m, k)); !strings.Contains(got, want) {
			t.Errorf("%s in the table: footer %q", k, got)
		}
	}
}

// The details of a workload whose sizing waits behind the undo name p for
// what it opens, not "held sizing".
func TestDetailFooterNamesTheAlternativeToTheUndo(t *testing.T) {
	m := press(t, selectRow(t, start(t, resizeDeps(cutTooDeep(), &fakeApply{}, &fakeResize{}, &recorder{}), 200, 50), "mailer"), "enter")
	m.detail.patch = patchAvail{undoHeld: true, held: 2} // ledger's: nothing but the raise held behind the undo
	if f := footer(m); !strings.Contains(f, "p the alternative to the undo") || strings.Contains(f, "held sizing") {
		t.Errorf("details footer %q", f)
	}
}
