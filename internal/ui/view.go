package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The smallest terminal the dashboard draws in: below 80x24 it draws a
// compact table (see fit) and a shorter advice panel.
const (
	minWidth  = 60
	minHeight = 15
)

// The advice panel under the table, with its rule: panelLines tall, or
// compactPanel on a short terminal; on a tall one it grows into the room
// the table leaves, up to panelMax, to list more of the advice.
const (
	panelLines   = 5
	compactPanel = 3
	panelMax     = 30
	compactBody  = 19 // bodies shorter than this get the compact panel
)

// tooSmall reports whether the terminal is too small to draw in (or its
// size is not known yet): then only q and ctrl+c do anything, since a key
// must never act on a screen the person cannot see.
func (m Model) tooSmall() bool {
	return m.width < minWidth || m.height < minHeight
}

// tooSmallView says the terminal is too small, centred in it, a phrase to
// a line when the phrases do not fit on one: a line breaks between
// phrases, and inside one only when it is wider than the terminal.
func tooSmallView(width, height int) string {
	phrases := []string{
		fmt.Sprintf("kgotop needs at least %dx%d;", minWidth, minHeight),
		fmt.Sprintf("this terminal is %dx%d.", width, height),
		"Enlarge it, or press q to quit;",
		"kgotop --report prints the same as text.",
	}
	var lines []string
	for _, p := range phrases {
		switch n := len(lines); {
		case n > 0 && ansi.StringWidth(lines[n-1])+1+ansi.StringWidth(p) <= width:
			lines[n-1] += " " + p
		default:
			lines = append(lines, strings.Split(ansi.Wrap(p, max(width, 1), ""), "\n")...)
		}
	}
	for i, l := range lines {
		lines[i] = truncate(l, width)
	}
	if len(lines) > height {
		lines = lines[:max(height, 1)]
	}
	return lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, strings.Join(lines, "\n"))
}

// bodyHeight is the lines between the status line and the footer.
func (m Model) bodyHeight() int { return max(m.height-2-len(m.statusLines()), 1) }

// statusLines are the status line, or two when the sources have problems
// that one line cannot hold.
func (m Model) statusLines() []string {
	return statusView(&m.snap, m.loaded, m.loadingWhat(), &m.table, m.width, m.styles)
}

// loadingWhat says what is being loaded before the first snapshot.
func (m Model) loadingWhat() string {
	if m.deps.Loading != "" {
		return m.deps.Loading
	}
	return "reading the cluster"
}

// View draws the whole screen in the alternate screen buffer.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "kgotop"
	if !m.mouseOff {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// render draws the screen as text, exactly width x height once the size is known.
func (m Model) render() string {
	switch {
	case m.width == 0 || m.height == 0:
		return "kgotop: loading: " + m.loadingWhat() + "… (q quits)"
	case m.tooSmall():
		return tooSmallView(m.width, m.height)
	}
	out := make([]string, 0, m.height)
	status := m.statusLines()
	out = append(out, headerView(&m.deps, &m.snap, m.loaded, m.counts, m.now, m.deps.Refresh, m.width, m.styles))
	out = append(out, status...)
	h := max(m.height-2-len(status), 1) // as bodyHeight, without making the status twice
	var body []string
	switch {
	case m.showHelp:
		body = scrolled(m.helpView(), m.helpOffset, h, m.styles)
	case m.view == viewDetail:
		body = m.detail.view(h, m.styles)
	case m.view == viewPatch:
		body = m.patch.view(h)
	default:
		panel := m.panelHeight(h)
		lines := m.panelView(panel)
		for len(lines) < panel {
			lines = append([]string{""}, lines...) // the panel sits on the footer
		}
		body = append(m.table.view(m.width, h-panel, m.emptyTable(), m.styles), lines...)
	}
	out = append(out, fitLines(body, h, m.width)...)
	out = append(out, m.footerView())
	return strings.Join(out, "\n")
}

// emptyTable is what the table says while it has no rows because the
// workloads are not listed yet ("" once they are).
func (m Model) emptyTable() string {
	switch {
	case !m.loaded:
		return "  Loading…"
	case !m.snap.Sources.Synced:
		return "  Listing workloads…"
	}
	return ""
}

// fitLines makes body exactly h lines, none wider than width.
func fitLines(body []string, h, width int) []string {
	if len(body) > h {
		body = body[:h]
	}
	out := make([]string, h)
	for i := range out {
		if i < len(body) {
			out[i] = truncate(body[i], width)
		}
	}
	return out
}
