package ui

import (
	tea "charm.land/bubbletea/v2"
)

// wheelLines is how far one turn of the wheel scrolls the details and the
// patch view; in the table it moves the cursor one line.
const wheelLines = 3

// onMouse handles the mouse (Bubble Tea's mouse messages, cell motion
// mode): the wheel scrolls, a click selects a table line and a click on
// the selected line opens it, a click on a column title sorts by it, the
// mouse's back button goes back, and a click closes the help.
func (m Model) onMouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	if m.tooSmall() || m.mouseOff || m.command.Focused() || (m.view == viewTable && m.table.filtering()) {
		return m, nil
	}
	ev := msg.Mouse()
	switch msg.(type) {
	case tea.MouseWheelMsg:
		switch {
		case m.showHelp:
		case ev.Button == tea.MouseWheelUp:
			return m.wheel(-1), nil
		case ev.Button == tea.MouseWheelDown:
			return m.wheel(1), nil
		}
	case tea.MouseClickMsg:
		m.notice.Text = ""
		switch {
		case m.showHelp:
			m.showHelp = false
		case ev.Button == tea.MouseBackward && m.view != viewTable:
			return m.onKey(tea.KeyPressMsg{Code: tea.KeyEscape})
		case ev.Button == tea.MouseLeft && m.view == viewTable:
			return m.click(ev.X, ev.Y), nil
		}
	}
	return m, nil
}

// wheel scrolls the view shown by d turns of the wheel.
func (m Model) wheel(d int) Model {
	switch m.view {
	case viewDetail:
		m.detail = m.detail.scrollTo(m.detail.offset + d*wheelLines)
	case viewPatch:
		m.patch = m.patch.scroll(func(off, _, _ int) int { return off + d*wheelLines })
	default:
		m.table = m.table.moveTo(m.table.cursor + d)
	}
	return m
}

// click acts on a click at x, y in the table: on a column title it sorts
// by that column (again: reversed), on a line it selects the line, and on
// the selected line it opens the details.
func (m Model) click(x, y int) Model {
	top := 1 + len(m.statusLines()) // the column titles' line
	t := m.table
	switch line := y - top - 1; {
	case y == top:
		if c, ok := t.layout(m.width).columnAt(x); ok && c < numSortable {
			m.table = t.sortBy(c, c == t.sortCol && !t.reverse)
		}
	case line >= ifElse(t.moreAbove() > 0, 1, 0) && line < t.height-ifElse(t.moreBelow() > 0, 1, 0) && t.offset+line < len(t.lines):
		i := t.offset + line
		if i == t.cursor {
			if r, container, ok := t.current(); ok {
				return m.openDetails(r, container)
			}
		}
		m.table = t.moveTo(i)
	}
	return m
}

// columnAt returns the column drawn at cell x, or at the gap before it.
func (l layout) columnAt(x int) (column, bool) {
	at := 1 // the cursor mark
	for _, c := range l.shown() {
		at += l.span(c) + l.gap
		if x < at {
			return c, true
		}
	}
	return 0, false
}
