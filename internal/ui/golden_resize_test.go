package ui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/kgotop/kgotop/internal/model"
)

// The in-place resize and the follow-up of applied changes, at the classic
// size and a wide monitor's: the patch view offering the resize, the run
// waiting for a pod and stopped at an Infeasible one, the table marking a
// changed workload, its details following the change up, and the undo.
// Regenerate with: go test ./internal/ui -update
func TestGoldenResize(t *testing.T) {
	waiting := confirmed
	infeasible := func(t *testing.T, m Model) Model {
		m = waiting(t, m)
		s := resizable()
		workloadOf(&s, "orders").Pods[0].Resize = model.PodResize{Generation: 2, ObservedGeneration: 2,
			Pending: &model.Condition{Reason: model.ResizeInfeasible, Message: `Resize is infeasible for Guaranteed Pods alongside CPU Manager policy "static"`, ObservedGeneration: 2}}
		next, cmd := m.Update(snapshotFor(t, m, s))
		return drain(t, next.(Model), cmd)
	}
	mailer := func(keys ...string) func(*testing.T, Model) Model {
		return func(t *testing.T, m Model) Model { return press(t, selectRow(t, m, "mailer"), keys...) }
	}
	for _, c := range []struct {
		name string
		snap model.Snapshot
		w, h int
		do   func(*testing.T, Model) Model
	}{
		{"inplace_offered_80x24", resizable(), 80, 24, func(t *testing.T, m Model) Model { return press(t, m, "down", "p", "pgdown") }},
		{"inplace_offered_200x50", resizable(), 200, 50, func(t *testing.T, m Model) Model { return press(t, m, "down", "p") }},
		{"inplace_waiting_80x24", resizable(), 80, 24, waiting},
		{"inplace_waiting_200x50", resizable(), 200, 50, waiting},
		{"inplace_infeasible_80x24", resizable(), 80, 24, infeasible},
		{"changed_main_80x24", cutTooDeep(), 80, 24, mailer()},
		{"changed_main_200x50", cutTooDeep(), 200, 50, mailer()},
		{"changed_detail_80x24", cutTooDeep(), 80, 24, mailer("enter")},
		{"changed_detail_200x50", cutTooDeep(), 200, 50, mailer("enter")},
		{"undo_80x24", cutTooDeep(), 80, 24, mailer("u")},
		{"undo_200x50", cutTooDeep(), 200, 50, mailer("u")},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := c.do(t, start(t, resizeDeps(c.snap, &fakeApply{}, &fakeResize{}, &recorder{}), c.w, c.h))
			golden.RequireEqual(t, ansi.Strip(m.View().Content))
		})
	}
}
