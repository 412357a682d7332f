package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The smallest terminal the dashboard draws in.
const (
	minWidth  = 80
	minHeight = 24
)

// panelLines is the advice panel under the table, with its rule.
const panelLines = 5

// tooSmall reports whether the terminal is too small to draw in (or its
// size is not known yet): then only q and ctrl+c do anything, since a key
// must never act on a screen the person cannot see.
func (m Model) tooSmall() bool {
	return m.width < minWidth || m.height < minHeight
}

// tooSmallView says the terminal is too small, wrapped to its width and
// centred in it.
func tooSmallView(width, height int) string {
	msg := fmt.Sprintf("kgotop needs at least %dx%d; this terminal is %dx%d. Enlarge it, or press q to quit.", minWidth, minHeight, width, height)
	lines := strings.Split(ansi.Wrap(msg, max(width, 1), ""), "\n")
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
		body = m.helpView()
	case m.view == viewDetail:
		body = m.detail.view(h, m.styles)
	case m.view == viewPatch:
		body = m.patch.view(h)
	default:
		body = append(m.table.view(m.width, h-panelLines, m.emptyTable(), m.styles), m.panelView()...)
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

// panelView is the advice panel under the table: why the selected workload
// stands out, what to change, and the keys that do it.
func (m Model) panelView() []string {
	st := m.styles
	out := []string{st.Rule.Render(strings.Repeat("─", m.width))}
	r, container, ok := m.table.current()
	if !ok {
		return out
	}
	as := r.advice
	if container != "" {
		as = forContainer(as, container)
	}
	name := r.cells[colName].Text
	if container != "" {
		name = r.ref.Name + "/" + container
	}
	if len(as) == 0 {
		if !r.sampled {
			return append(out, " "+st.Emphasis.Render(name)+"  "+st.Dim.Render("no advice yet: no usage samples to judge from (metrics come every window)"))
		}
		return append(out, " "+st.Emphasis.Render(name)+"  "+st.Good.Render("no advice: usage fits its requests and limits, nothing to change"))
	}
	a := as[0] // the most urgent, the first of them on a tie
	for _, b := range as[1:] {
		if b.Severity.Rank() > a.Severity.Rank() {
			a = b
		}
	}
	mark, lvl := severityMark(a.Severity)
	head := " " + st.render(lvl, mark+" "+string(a.Severity)) + " " + st.Emphasis.Render(name) + "  "
	reason := wrapLines(a.Reason, m.width-ansi.StringWidth(head)-1, 2)
	out = append(out, head+reason[0])
	indent := strings.Repeat(" ", ansi.StringWidth(head))
	if len(reason) > 1 {
		out = append(out, indent+reason[1])
	} else {
		out = append(out, "")
	}
	change := "   " + adviceChange(a) + " · confidence " + string(a.Confidence.Level)
	if a.Confidence.Note != "" {
		change += ": " + a.Confidence.Note
	}
	if len(as) > 1 {
		change = fmt.Sprintf("%s · and %d more", change, len(as)-1)
	}
	out = append(out, truncate(change, m.width))
	return append(out, st.Dim.Render("   enter details · "+r.patch.hint(r.ref.Kind)))
}

// wrapLines wraps text to width and keeps at most n lines, marking a cut.
func wrapLines(text string, width, n int) []string {
	lines := strings.Split(ansi.Wrap(text, max(width, 10), ""), "\n")
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1]+" …", width, "…")
	}
	return lines
}
