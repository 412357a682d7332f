package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// rowY is the screen line of the table's i-th line (the table unscrolled).
func rowY(m Model, i int) int { return 1 + len(m.statusLines()) + 1 + i }

func click(t *testing.T, m Model, x, y int) Model {
	t.Helper()
	return send(t, m, tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
}

// The wheel moves the cursor in the table and scrolls the details and the
// patch view; a click selects a line, a click on the selected line opens
// it, a click on a column title sorts by it; the back button goes back.
func TestMouse(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 160, 30)
	if got := send(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelDown}); selected(got) != "orders" {
		t.Errorf("the wheel down moves to %q", selected(got))
	}
	if got, all := send(t, press(t, m, "G"), tea.MouseWheelMsg{Button: tea.MouseWheelUp}), names(m); selected(got) != all[len(all)-2] {
		t.Errorf("the wheel up from the bottom moves to %q", selected(got))
	}
	fourth := names(m)[3]
	picked := click(t, m, 5, rowY(m, 3))
	if selected(picked) != fourth || picked.view != viewTable {
		t.Fatalf("a click on the 4th line selects %q", selected(picked))
	}
	opened := click(t, picked, 30, rowY(m, 3))
	if opened.view != viewDetail || opened.detail.ref.Name != fourth {
		t.Fatalf("a click on the selected line should open it: view %v", opened.view)
	}
	scrolled := send(t, opened, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if scrolled.detail.offset != wheelLines {
		t.Errorf("the wheel scrolls the details by %d, not %d", wheelLines, scrolled.detail.offset)
	}
	if back := send(t, scrolled, tea.MouseClickMsg{Button: tea.MouseBackward}); back.view != viewTable {
		t.Errorf("the mouse's back button should go back, view %v", back.view)
	}
	if below := click(t, m, 5, rowY(m, 12)); selected(below) != "thumbs" || below.view != viewTable {
		t.Error("a click below the lines selects nothing")
	}
	titles := ansi.Strip(strings.Split(m.View().Content, "\n")[rowY(m, -1)])
	x := strings.Index(titles, "RESTARTS")
	if x < 0 {
		t.Fatalf("no RESTARTS title in %q", titles)
	}
	sorted := click(t, m, x+2, rowY(m, -1))
	if sorted.table.sortCol != colRestarts || sorted.table.reverse {
		t.Errorf("a click on RESTARTS sorts by %v", sorted.table.sortCol)
	}
	if again := click(t, sorted, x+2, rowY(m, -1)); !again.table.reverse {
		t.Error("a second click on the title should reverse the sort")
	}
	if closed := click(t, press(t, m, "?"), 5, 5); closed.showHelp || selected(closed) != "thumbs" {
		t.Error("a click closes the help and does nothing else")
	}
}

// The selected line keeps its colours, in reverse video: a critical
// workload selected shows red, not plain reverse.
func TestSelectedLineKeepsItsColours(t *testing.T) {
	m := start(t, deps(fixture(), &fakeApply{}), 160, 30) // thumbs, 0/1 ready, crash-looping, selected
	sel := DefaultStyles().selected()
	line := strings.Split(m.View().Content, "\n")[rowY(m, 0)]
	r, _, _ := m.table.current()
	for _, want := range []string{"0/1", "3 CrashLoop (exit 2)", r.cells[colAdvice].Text} {
		if !strings.Contains(line, strings.TrimSuffix(sel.Bad.Render(want), "\x1b[m")) {
			t.Errorf("the selected line lacks %q in red reverse video: %q", want, line)
		}
	}
	if !strings.Contains(line, strings.TrimSuffix(sel.Plain.Render("▌"), "\x1b[m")) {
		t.Errorf("the cursor mark should be in reverse video: %q", line)
	}
}
