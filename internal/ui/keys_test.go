package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// cmdMsgs runs a command, and the commands of a batch it makes, and
// returns their messages.
func cmdMsgs(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, cmdMsgs(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// quits reports whether a command quits the program.
func quits(cmd tea.Cmd) bool {
	for _, msg := range cmdMsgs(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			return true
		}
	}
	return false
}

// typeText types text into whatever takes keys, a key a rune.
func typeText(t *testing.T, m Model, text string) Model {
	t.Helper()
	for _, r := range text {
		m = press(t, m, string(r))
	}
	return m
}

// q quits from the table only; in a view it goes back one level, as in k9s
// and less, and ctrl+c quits from anywhere.
func TestQuitOnlyFromTheTop(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 120, 30)
	if _, cmd := pressCmd(t, m, "q"); !quits(cmd) {
		t.Fatal("q in the table should quit")
	}
	for _, c := range []struct {
		keys []string
		back view
	}{{[]string{"enter"}, viewTable}, {[]string{"p"}, viewTable}, {[]string{"enter", "p"}, viewDetail}, {[]string{"?"}, viewTable}} {
		in := press(t, m, c.keys...)
		out, cmd := pressCmd(t, in, "q")
		if quits(cmd) || out.view != c.back || out.showHelp {
			t.Errorf("q after %v: quit %v, view %v, help %v; want back to view %v", c.keys, quits(cmd), out.view, out.showHelp, c.back)
		}
		if _, cmd := pressCmd(t, in, "ctrl+c"); !quits(cmd) {
			t.Errorf("ctrl+c after %v should quit", c.keys)
		}
	}
}

// esc, ←, h and backspace go back one level from the details and the patch view.
func TestBackKeys(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 120, 30)
	for _, k := range []string{"esc", "left", "h", "backspace"} {
		if got := press(t, m, "down", "enter", k); got.view != viewTable || selected(got) != "orders" {
			t.Errorf("%s in the details: view %v on %q, want the table on orders", k, got.view, selected(got))
		}
		if got := press(t, m, "down", "enter", "p", k); got.view != viewDetail {
			t.Errorf("%s in a patch opened from the details: view %v, want the details", k, got.view)
		}
		if got := press(t, m, "down", "p", k); got.view != viewTable {
			t.Errorf("%s in a patch opened from the table: view %v", k, got.view)
		}
	}
	// In the table ← and h fold containers, and esc clears the filter.
	folded := press(t, m, "down", "down", "right", "down", "left")
	if selected(folded) != "web" || len(folded.table.lines) != 7 {
		t.Errorf("← on a container folds its workload: on %q, %d lines", selected(folded), len(folded.table.lines))
	}
	if got := press(t, m, "/", "o", "enter", "esc"); got.table.filter.Value() != "" {
		t.Error("esc in the table should clear the filter")
	}
}

// n declines the apply prompt as esc does, and the prompt says so.
func TestApplyPromptCancel(t *testing.T) {
	f := &fakeApply{}
	m := start(t, deps(fixture(), f), 120, 30)
	m, cmd := pressCmd(t, press(t, m, "down"), "a")
	m, _ = run(t, m, cmd)
	if m.patch.state != patchConfirm || !strings.Contains(screen(m), "Press Y to apply; n or esc cancels") {
		t.Fatalf("the prompt:\n%s", screen(m))
	}
	m, cmd = pressCmd(t, m, "n")
	if cmd != nil || m.patch.state != patchPreview || m.view != viewPatch || len(f.calls) != 1 {
		t.Fatalf("n at the prompt: state %v, view %v, %d calls", m.patch.state, m.view, len(f.calls))
	}
	if m = press(t, m, "n"); m.view != viewPatch {
		t.Fatal("n with no prompt does nothing")
	}
}

// A key that does nothing anywhere says where the keys are.
func TestUnknownKeyHint(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 120, 30)
	for _, keys := range [][]string{{"z"}, {"enter", "z"}, {"p", "z"}} {
		got := press(t, m, keys...)
		if f := footer(got); !strings.Contains(f, "z does nothing here: ? shows the keys") {
			t.Errorf("after %v the footer is %q", keys, f)
		}
		if f := footer(press(t, got, "j")); strings.Contains(f, "does nothing") {
			t.Errorf("the hint should go with the next key: %q", f)
		}
	}
	if f := footer(press(t, m, "j")); strings.Contains(f, "does nothing") {
		t.Error("a key that works gives no hint")
	}
}

// The command line: :q quits, :NAME jumps to a workload from any view, and
// what it does not know it says.
func TestCommandLine(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 120, 30)
	typing := typeText(t, press(t, m, ":"), "pay")
	if !typing.command.Focused() || !strings.HasPrefix(footer(typing), ":pay") {
		t.Fatalf("typing a command: %q", footer(typing))
	}
	if got := press(t, typing, "enter"); got.command.Focused() || selected(got) != "payments" {
		t.Errorf(":pay jumps to payments, not %q", selected(got))
	}
	if got := press(t, m, "enter", ":", "m", "a", "i", "l", "enter"); got.view != viewTable || selected(got) != "mailer" {
		t.Errorf(":mail from the details: view %v on %q", got.view, selected(got))
	}
	if got := press(t, m, "/", "t", "h", "enter", ":", "e", "d", "g", "e", "enter"); selected(got) != "edge" || got.table.filter.Value() != "" {
		t.Errorf(":edge under a filter that hides it: on %q, filter %q", selected(got), got.table.filter.Value())
	}
	if _, cmd := pressCmd(t, press(t, m, ":", "q"), "enter"); !quits(cmd) {
		t.Error(":q should quit")
	}
	if f := footer(press(t, typeText(t, press(t, m, ":"), "nosuch"), "enter")); !strings.Contains(f, "no workload or command nosuch") {
		t.Errorf("an unknown command: %q", f)
	}
	for _, k := range []string{"esc", "backspace"} {
		if got := press(t, m, ":", k); got.command.Focused() || got.view != viewTable {
			t.Errorf(": then %s should leave the command line", k)
		}
	}
	if f := footer(press(t, typeText(t, press(t, m, ":"), "ns other"), "enter")); !strings.Contains(f, "watches only namespace shop: run kgotop -n other") {
		t.Errorf(":ns of a namespace not watched: %q", f)
	}
}

// Under -A, :ns NAME shows one namespace, and :ns all all of them again.
func TestCommandNamespace(t *testing.T) {
	s := fixture()
	s.Namespace = ""
	s.Workloads[2].Ref.Namespace = "mail"
	d := deps(s, &fakeApply{})
	m := start(t, d, 160, 30)
	one := press(t, typeText(t, press(t, m, ":"), "ns mail"), "enter")
	if got := names(one); len(got) != 1 || got[0] != "mailer" {
		t.Errorf(":ns mail shows %v", got)
	}
	if got := names(press(t, typeText(t, press(t, one, ":"), "ns all"), "enter")); len(got) != 7 {
		t.Errorf(":ns all shows %v", got)
	}
}

// :mouse gives the mouse back to the terminal, and takes it again.
func TestCommandMouse(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 120, 30)
	if m.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("the dashboard should ask for mouse clicks and the wheel")
	}
	off := press(t, typeText(t, press(t, m, ":"), "mouse"), "enter")
	if off.View().MouseMode != tea.MouseModeNone {
		t.Fatal(":mouse should turn the mouse off")
	}
	if got := send(t, off, tea.MouseWheelMsg{Button: tea.MouseWheelDown}); selected(got) != "thumbs" {
		t.Error("the wheel should do nothing with the mouse off")
	}
	if on := press(t, typeText(t, press(t, off, ":"), "mouse"), "enter"); on.View().MouseMode != tea.MouseModeCellMotion {
		t.Error(":mouse again should turn it back on")
	}
}

// The filter matches names, the workload's and its containers'; kinds and
// namespaces only when asked for with kind: and ns:.
func TestFilterMatchesNamesNotKinds(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 120, 30)
	for filter, want := range map[string]string{
		"o":           "orders accounts",
		"kind:sts":    "orders",
		"ng":          "web",
		"kind:deploy": "thumbs web payments accounts mailer edge",
		"kind:dep o":  "accounts",
		"ns:shop pay": "payments",
		"ns:other":    "",
	} {
		got := press(t, typeText(t, press(t, m, "/"), filter), "enter")
		kept := names(got)
		slices.Sort(kept)
		wanted := strings.Fields(want)
		slices.Sort(wanted)
		if g := strings.Join(kept, " "); g != strings.Join(wanted, " ") {
			t.Errorf("/%s keeps %q, want %q", filter, g, want)
		}
	}
}

// s and > sort by the next column, < by the one before, a column's shift
// key by that column (again: reversed); the status line names the basis.
func TestSortKeys(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 160, 30)
	status := func(m Model) string { return strings.Split(screen(m), "\n")[1] }
	cpu := press(t, m, "C")
	if cpu.table.sortCol != colCPU || cpu.table.reverse || !strings.Contains(status(cpu), "sorted by CPU, % of limit (or request), fullest first") {
		t.Errorf("C: %v, %q", cpu.table.sortCol, status(cpu))
	}
	if again := press(t, cpu, "C"); again.table.sortCol != colCPU || !again.table.reverse || !strings.Contains(status(again), "(reversed)") {
		t.Errorf("C again should reverse: %q", status(again))
	}
	for k, want := range map[string]column{"N": colName, "M": colMem, "R": colRestarts, "P": colProbes, "A": colAdvice} {
		if got := press(t, m, k); got.table.sortCol != want {
			t.Errorf("%s sorts by %v, want %v", k, got.table.sortCol, want)
		}
	}
	if got := press(t, m, "M", ">"); got.table.sortCol != colRestarts {
		t.Errorf("> after M: %v", got.table.sortCol)
	}
	if got := press(t, m, "M", "<"); got.table.sortCol != colCPU {
		t.Errorf("< after M: %v", got.table.sortCol)
	}
	if got := press(t, m, "s"); got.table.sortCol != colName {
		t.Errorf("s from advice wraps to the name: %v", got.table.sortCol)
	}
	if got := names(press(t, m, "N")); strings.Join(got, " ") != "accounts edge mailer orders payments thumbs web" {
		t.Errorf("N: %v", got)
	}
}

// The help scrolls when it is longer than the screen; any other key, q
// included, closes it and does nothing else.
func TestHelpScrollsAndCloses(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), minWidth, minHeight)
	m = press(t, m, "?")
	if !m.showHelp || !strings.Contains(screen(m), "more lines below") {
		t.Fatalf("help at the smallest size:\n%s", screen(m))
	}
	m = press(t, m, "j", "pgdown")
	if !m.showHelp || m.helpOffset <= 1 {
		t.Fatalf("j and pgdown should scroll the help: offset %d", m.helpOffset)
	}
	for _, k := range []string{"x", "q", "esc"} {
		got, cmd := pressCmd(t, m, k)
		if got.showHelp || quits(cmd) || selected(got) != "thumbs" {
			t.Errorf("%s should close the help and do nothing else", k)
		}
	}
	big := press(t, start(t, deps(fixture(), &fakeApply{}), 200, 50), "?", "j")
	if big.showHelp || selected(big) != "thumbs" {
		t.Error("a help that fits closes on any key, j too, which then moves nothing")
	}
}

// Down to 60x15 the dashboard draws; below, it says what it needs without
// breaking a phrase across lines where the phrases fit, and names --report.
func TestSmallestTerminal(t *testing.T) {
	m := start(t, deps(fixture(), nil), minWidth, minHeight)
	if v := screen(m); strings.Contains(v, "needs at least") || !strings.Contains(v, "WORKLOAD") || len(strings.Split(v, "\n")) != minHeight {
		t.Fatalf("at %dx%d the dashboard should draw:\n%s", minWidth, minHeight, v)
	}
	for _, size := range [][2]int{{59, 30}, {120, 14}, {79, 30}, {30, 10}} {
		v := screen(send(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]}))
		if size[0] >= minWidth && size[1] >= minHeight {
			if strings.Contains(v, "needs at least") {
				t.Errorf("%dx%d should draw, not refuse", size[0], size[1])
			}
			continue
		}
		for _, phrase := range []string{"kgotop needs at least 60x15;", fmt.Sprintf("this terminal is %dx%d.", size[0], size[1]), "Enlarge it, or press q to quit;", "kgotop --report prints the same as text."} {
			if len(phrase) <= size[0] && !strings.Contains(v, phrase) {
				t.Errorf("%dx%d: %q is not whole on a line:\n%s", size[0], size[1], phrase, v)
			}
		}
	}
}
