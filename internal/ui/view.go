package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// The smallest terminal the dashboard draws in.
const (
	minWidth  = 80
	minHeight = 24
)

// panelLines is the advice panel under the table, with its rule.
const panelLines = 5

// bodyHeight is the lines between the status line and the footer.
func (m Model) bodyHeight() int { return max(m.height-2-len(m.statusLines()), 1) }

// statusLines are the status line, or two when the sources have problems
// that one line cannot hold.
func (m Model) statusLines() []string {
	return statusView(&m.snap, m.loaded, &m.table, m.width, m.styles)
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
		return "kgotop: starting…"
	case m.width < minWidth || m.height < minHeight:
		msg := fmt.Sprintf("kgotop needs at least %dx%d; this terminal is %dx%d.\nEnlarge it, or press q to quit.", minWidth, minHeight, m.width, m.height)
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, msg)
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
		body = m.detail.view(h)
	case m.view == viewPatch:
		body = m.patch.view(h, m.deps.ReadOnly, m.styles)
	default:
		body = append(m.table.view(m.width, h-panelLines, m.styles), m.panelView()...)
	}
	out = append(out, fitLines(body, h, m.width)...)
	out = append(out, m.footerView())
	return strings.Join(out, "\n")
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
	name := r.cells[colName].text
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
	return append(out, st.Dim.Render("   enter details · "+m.patchHint(r.ref, r.advice)))
}

// patchHint says what p and a would do for a workload.
func (m Model) patchHint(ref model.WorkloadRef, as []advisor.Advice) string {
	w := m.workload(ref)
	if w == nil {
		return ""
	}
	_, err := advisor.BuildPatch(*w, advisor.Patchable(as))
	switch {
	case err == nil:
		return "p patch · a dry run, then apply · y copy the kubectl command"
	case errors.Is(err, advisor.ErrNotPatchable):
		return "a " + strings.ToLower(string(ref.Kind)) + " cannot be patched in place: change its manifest (the details say what)"
	case len(advisor.Patchable(as)) == 0:
		return "nothing here is a pod template change: the details say what to do"
	}
	return "p shows why this advice makes no patch"
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

// footerView is the bottom line: the filter being typed, a notice, or the keys.
func (m Model) footerView() string {
	switch {
	case m.view == viewTable && m.table.filtering():
		return m.table.filter.view(m.styles) + m.styles.Dim.Render("   enter keep · esc clear")
	case m.notice.text != "":
		return truncate(" "+m.styles.render(m.notice.lvl, m.notice.text), m.width)
	}
	var keys help.KeyMap = m.keys
	switch m.view {
	case viewDetail:
		keys = keyHelp{m.keys.Down, m.keys.PageDown, m.keys.Patch, m.keys.Apply, m.keys.Copy, m.keys.Back, m.keys.Help, m.keys.Quit}
	case viewPatch:
		keys = keyHelp{m.keys.Toggle, m.keys.Copy, m.keys.Apply, m.keys.Confirm, m.keys.Back, m.keys.Help, m.keys.Quit}
	}
	return truncate(" "+m.help.View(keys), m.width)
}

// helpView is the key map with a legend of the symbols and colours.
func (m Model) helpView() []string {
	st := m.styles
	h := m.help
	h.ShowAll = true
	out := []string{st.Emphasis.Render(" Keys"), ""}
	for _, l := range strings.Split(h.View(m.keys), "\n") {
		out = append(out, " "+l)
	}
	out = append(out, "", st.Emphasis.Render(" What the table shows"), "")
	legend := []string{
		st.Bad.Render("● critical") + " " + st.Warn.Render("▲ warning") + " · info: advice counts. " +
			st.Bad.Render("Red") + ": over a limit, OOMKilled, crash-looping. " +
			st.Warn.Render("Yellow") + ": past 90% of a limit, failing probes, restarts. " +
			st.Dim.Render("Dim") + ": idle (under 10% of the request) or unknown.",
		"CPU, MEM: used/request/limit of the busiest replica; the bar fills to the limit (or the request).",
		"GO: the version from go_info (1.22? from an image tag), likely (Go env vars), ? (no sign).",
		"PROBES: L✗9 = nine liveness failures, k3 = three restarts by the liveness probe, none = no probes.",
	}
	for _, l := range legend {
		for i, w := range strings.Split(ansi.Wrap(l, m.width-5, ""), "\n") {
			out = append(out, pick(i == 0, "  ", "    ")+w)
		}
	}
	return append(out, st.Dim.Render(" any key closes this help"))
}

// helpStyles are the help bubble's styles drawn from ours.
func helpStyles(st Styles) help.Styles {
	s := help.DefaultDarkStyles()
	s.ShortKey, s.FullKey = st.Key, st.Key
	s.ShortDesc, s.FullDesc = st.Plain, st.Plain
	s.ShortSeparator, s.FullSeparator, s.Ellipsis = st.Dim, st.Dim, st.Dim
	return s
}
