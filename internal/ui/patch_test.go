package ui

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// run executes a command and hands its message to Update.
func run(t *testing.T, m Model, cmd tea.Cmd) (Model, tea.Cmd) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command to run")
	}
	next, cmd := m.Update(cmd())
	return next.(Model), cmd
}

func screen(m Model) string { return ansi.Strip(m.View().Content) }

func TestPatchPreview(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 120, 30)
	m = press(t, m, "down", "p") // orders
	if m.view != viewPatch || m.patch.err != nil {
		t.Fatalf("p: view %v, err %v", m.view, m.patch.err)
	}
	p := m.patch.patch
	if !strings.HasPrefix(p.Command, "kubectl patch statefulset orders -n shop --type=strategic -p '") {
		t.Fatalf("command %q", p.Command)
	}
	v := screen(m)
	for _, want := range []string{"PATCH statefulset orders in shop", "resources.limits.memory", "384Mi", "Applying restarts the pods", "kubectl patch statefulset orders", "[x]"} {
		if !strings.Contains(v, want) {
			t.Errorf("patch view lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(v)
	}
	// Leaving advice out rebuilds the patch without its fields.
	fields := len(p.Fields)
	m = press(t, m, "space")
	if len(m.patch.patch.Fields) >= fields || m.patch.accepted[0] {
		t.Fatalf("space left nothing out: %d fields", len(m.patch.patch.Fields))
	}
	m = press(t, m, "space", "esc")
	if m.view != viewTable {
		t.Fatal("esc leaves the patch view")
	}
}

func TestDryRunConfirmApply(t *testing.T) {
	f := &fakeApply{}
	m := start(t, deps(fixture(), f), 120, 30)
	m = press(t, m, "down", "p", "Y") // Y before a dry run does nothing
	if len(f.calls) != 0 || m.patch.state != patchPreview {
		t.Fatal("Y before a dry run applied something")
	}
	m, cmd := pressCmd(t, m, "a")
	if m.patch.state != patchDryRun || !strings.Contains(screen(m), "dry run in progress") {
		t.Fatal("a should start a dry run and say so")
	}
	m, _ = run(t, m, cmd)
	if len(f.calls) != 1 || !f.calls[0].dryRun || f.calls[0].patch.Command != m.patch.patch.Command {
		t.Fatalf("calls after a: %+v", f.calls)
	}
	v := screen(m)
	if m.patch.state != patchConfirm || !strings.Contains(v, "dry run passed: server would keep orders") || !strings.Contains(v, "Press Y to apply") || !strings.Contains(v, "the pods restart") {
		t.Fatalf("after the dry run:\n%s", v)
	}
	m, cmd = pressCmd(t, m, "Y")
	if m.patch.state != patchApplying {
		t.Fatal("Y should apply")
	}
	m, cmd = run(t, m, cmd)
	if len(f.calls) != 2 || f.calls[1].dryRun || !reflect.DeepEqual(f.calls[1].patch, f.calls[0].patch) {
		t.Fatalf("the real apply must send what was dry-run: %+v", f.calls)
	}
	if m.patch.state != patchApplied || !strings.Contains(screen(m), "applied: orders generation 5") {
		t.Fatalf("after applying:\n%s", screen(m))
	}
	if cmd == nil {
		t.Fatal("a successful apply should refresh at once")
	}
	if _, ok := cmd().(snapshotMsg); !ok {
		t.Fatal("the refresh after applying should fetch a snapshot")
	}
}

func TestApplyFromTheTableIsTwoKeys(t *testing.T) {
	f := &fakeApply{}
	m := start(t, deps(fixture(), f), 120, 30)
	m, cmd := pressCmd(t, press(t, m, "down"), "a")
	m, _ = run(t, m, cmd)
	m, cmd = pressCmd(t, m, "Y")
	m, _ = run(t, m, cmd)
	if len(f.calls) != 2 || m.patch.state != patchApplied {
		t.Fatalf("a, Y from the table: %d calls, state %v", len(f.calls), m.patch.state)
	}
}

func TestEscCancelsTheConfirmation(t *testing.T) {
	f := &fakeApply{}
	m := start(t, deps(fixture(), f), 120, 30)
	m, cmd := pressCmd(t, press(t, m, "down"), "a")
	m, _ = run(t, m, cmd)
	m = press(t, m, "esc")
	if m.view != viewPatch || m.patch.state != patchPreview {
		t.Fatal("esc at the prompt should cancel it and stay on the patch")
	}
	m = press(t, m, "Y", "esc")
	if len(f.calls) != 1 || m.view != viewTable {
		t.Fatalf("nothing is applied once cancelled: %d calls", len(f.calls))
	}
}

func TestReadOnlyRefusesToApply(t *testing.T) {
	f := &fakeApply{}
	d := deps(fixture(), f)
	d.ReadOnly = true
	m := start(t, d, 120, 30)
	m, cmd := pressCmd(t, press(t, m, "down"), "a")
	if cmd != nil || len(f.calls) != 0 {
		t.Fatal("read-only must not send anything")
	}
	if v := screen(m); !strings.Contains(v, "read-only (--read-only): applying is off") {
		t.Fatalf("read-only should say so:\n%s", v)
	}
	m, cmd = pressCmd(t, m, "a")
	if cmd != nil || len(f.calls) != 0 || !strings.Contains(screen(m), "read-only") {
		t.Fatal("a in the patch view must not apply either")
	}
	if _, cmd = pressCmd(t, m, "y"); cmd == nil {
		t.Fatal("copying still works when read-only")
	}
}

func TestApplyErrorsShownPlainly(t *testing.T) {
	cases := []struct {
		name   string
		errs   []error
		keys   int // how many requests to make: 1 dry run, 2 dry run then apply
		want   string
		dryRun bool
	}{
		{"conflict in the dry run", []error{fmt.Errorf("statefulsets shop/orders changed meanwhile: %w", advisor.ErrConflict)}, 1,
			"Conflict: statefulset orders in shop changed on the server since kgotop read it; nothing was changed. Press r to refresh", true},
		{"forbidden apply", []error{nil, fmt.Errorf("patching: %w: user cannot patch", advisor.ErrForbidden)}, 2,
			"Forbidden: your credentials may not patch statefulsets in shop; nothing was changed", false},
		{"invalid", []error{fmt.Errorf("%w: spec.template.spec.containers[0].resources.limits: bad", advisor.ErrInvalid)}, 1, "rejected the patch of statefulset orders in shop as invalid", true},
		{"anything else", []error{errors.New("dial tcp: connection refused")}, 1, "Applying to statefulset orders in shop failed: dial tcp: connection refused", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeApply{errs: c.errs}
			m := start(t, deps(fixture(), f), 200, 30)
			m, cmd := pressCmd(t, press(t, m, "down"), "a")
			m, _ = run(t, m, cmd)
			if c.keys == 2 {
				m, cmd = pressCmd(t, m, "Y")
				m, _ = run(t, m, cmd)
			}
			v := screen(m)
			if m.patch.state != patchFailed || !strings.Contains(strings.Join(strings.Fields(v), " "), c.want) {
				t.Fatalf("state %v, want %q in:\n%s", m.patch.state, c.want, v)
			}
			if got := strings.Contains(v, "The dry run failed."); got != c.dryRun {
				t.Fatalf("says the dry run failed: %v, want %v", got, c.dryRun)
			}
		})
	}
}

func TestStaleApplyReplyDropped(t *testing.T) {
	f := &fakeApply{}
	m := start(t, deps(fixture(), f), 120, 30)
	m, first := pressCmd(t, press(t, m, "down"), "a") // orders
	m = press(t, m, "esc", "esc", "down", "down")     // leave, then payments
	if selected(m) != "payments" {
		t.Fatalf("on %q", selected(m))
	}
	m, second := pressCmd(t, m, "a")
	m, _ = run(t, m, first) // the answer about orders arrives late
	if m.patch.state != patchDryRun || m.patch.w.Ref.Name != "payments" {
		t.Fatalf("a late answer for another patch changed this one: state %v", m.patch.state)
	}
	m, _ = run(t, m, second)
	if m.patch.state != patchConfirm {
		t.Fatalf("the current answer was dropped: state %v", m.patch.state)
	}
}

func TestAnswerAfterLeavingThePatchView(t *testing.T) {
	f := &fakeApply{}
	m := start(t, deps(fixture(), f), 120, 30)
	m, cmd := pressCmd(t, press(t, m, "down"), "a")
	m, _ = run(t, m, cmd)
	m, cmd = pressCmd(t, m, "Y")
	m = press(t, m, "esc") // back to the table while the apply runs
	m, _ = run(t, m, cmd)
	if m.view != viewTable || !strings.Contains(screen(m), "applied to statefulset orders") {
		t.Fatalf("the result of an apply must be told even after leaving:\n%s", screen(m))
	}
}

func TestNothingToPatch(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 120, 30)
	m = press(t, m, ":", "e", "d", "g", "e", "enter", "p") // edge: only image advice, which is not a template change
	if !strings.Contains(screen(m), "Nothing to patch") {
		t.Fatalf("no patch should say why:\n%s", screen(m))
	}
	m, cmd := pressCmd(t, m, "a")
	if cmd != nil {
		t.Fatal("a with nothing to patch must not call the server")
	}
	if _, cmd = pressCmd(t, m, "y"); cmd != nil || !strings.Contains(screen(m), "Nothing to patch") {
		t.Fatal("y with nothing to patch copies nothing")
	}
}

// TestCommandOnScreenIsWhole reads the command back from the patch view:
// the lines under COMMAND, joined as the shell joins them, are the command
// y copies, at any width (and model.BreakCode's tests say a break inside
// the JSON keeps the same JSON).
func TestCommandOnScreenIsWhole(t *testing.T) {
	for _, size := range [][2]int{{60, 15}, {80, 24}, {120, 30}, {160, 48}} {
		m := press(t, start(t, deps(fixture(), &fakeApply{}), size[0], size[1]), "down", "p")
		lines := m.patch.lines.rest
		var got string
		for i, l := range lines {
			if strings.HasPrefix(ansi.Strip(l), " COMMAND") {
				for _, c := range lines[i+1:] {
					c = strings.TrimLeft(ansi.Strip(c), " ")
					if c == "" {
						break
					}
					if w := ansi.StringWidth(c) + 3; w > size[0] {
						t.Errorf("%dx%d: a command line is %d wide: %q", size[0], size[1], w, c)
					}
					got += strings.TrimSuffix(c, "\\")
				}
			}
		}
		if got != m.patch.patch.Command {
			t.Errorf("%dx%d: the command on screen is\n%q\nwant\n%q", size[0], size[1], got, m.patch.patch.Command)
		}
	}
}

// Advice BuildPatch leaves out because it assumes advice left out is not
// ticked on screen: the box says what the patch holds.
func TestLeftOutAdviceIsNotTicked(t *testing.T) {
	s := fixture()
	// Prometheus' trend of orders' working set is flat: its growth is
	// judged, so GOMEMLIMIT goes into the patch with the limit.
	workloadOf(&s, "orders").Containers[0].Past = &model.PastEvents{Source: "Prometheus",
		Growth: &model.Growth{PerHour: 1 << 10, Tail: 0, Climbing: 0.5, Over: 24 * time.Hour}}
	m := start(t, deps(s, &fakeApply{}), 120, 30)
	m = press(t, m, "down", "p", "space") // orders: leave the memory limit out
	var gomemlimit string
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.Contains(l, "GOMEMLIMIT not set") {
			gomemlimit = l
		}
	}
	if !m.patch.leftOut(1) {
		t.Fatalf("GOMEMLIMIT should be left out with the limit it assumes:\n%s", screen(m))
	}
	if !strings.Contains(gomemlimit, "[-]") || strings.Contains(gomemlimit, "[x]") {
		t.Fatalf("left-out advice drawn as %q", gomemlimit)
	}
	if st := DefaultStyles(); !strings.Contains(m.View().Content, strings.TrimSuffix(st.Dim.Render("[-] ▲"), "\x1b[m")) {
		t.Error("left-out advice should be dim")
	}
}
