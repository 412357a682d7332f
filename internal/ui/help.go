package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// helpView is the help of the view under it: its keys, and what its
// symbols and colours mean.
func (m Model) helpView() []string {
	st := m.styles
	k := m.keys
	var title string
	var groups [][]key.Binding
	var legend []string
	back := helpEntry("q/esc/←", "")
	switch m.view {
	case viewDetail:
		title = "Keys in the details"
		groups = [][]key.Binding{
			{relabel(k.Up, "scroll up"), relabel(k.Down, "scroll down"), helpEntry("pgup/pgdn", "page"), helpEntry("g/G", "top, bottom")},
			{relabel(k.Copy, "copy the patch's command, or [1]"), relabel(k.CopyBlock, "copy that command or code"), relabel(k.Patch, "show the patch"), relabel(k.Apply, "dry run; Y applies"), relabel(k.Undo, "undo kgotop's last change"), relabel(k.Resize, "undo it in the running pods (in place)")},
			{relabel(back, "back to the table"), relabel(k.Command, "command (:q :NAME)"), relabel(k.Refresh, "refresh now"), relabel(k.Help, "this help"), relabel(k.Interrupt, "quit")},
		}
		legend = []string{
			"CPU, MEM: now, P90 and peak of the busiest replica. Sparkline: each bar the highest usage of the metrics windows it stands for, full at the limit (at the request when there is no limit: higher bars stop there); ┤ names the scale. Red at the limit, yellow past 90% of it.",
			st.Bad.Render("●") + " critical, " + st.Warn.Render("▲") + " warning, · info advice; ✗ failed probes; " + st.Key.Render("[1]") + " a command or code that 1 copies.",
			"p, a and y act on the patch of the whole workload, every container's changes in it.",
			unitsLegend, copyLegend, mouseLegend,
		}
	case viewPatch:
		title = "Keys in the patch view"
		groups = [][]key.Binding{
			{relabel(k.Up, "previous advice"), relabel(k.Down, "next advice"), relabel(k.Toggle, "include or leave out"), relabel(k.Held, "include held sizing")},
			{relabel(k.Copy, "copy the command"), relabel(k.Apply, "dry run (changes nothing)"), relabel(k.Resize, "dry run the resize in place, then the patch"), relabel(k.Confirm, "apply, once a dry run passed"), relabel(k.Cancel, "cancel the apply")},
			{relabel(back, "cancel, or go back"), relabel(k.Refresh, "refresh now"), relabel(k.Help, "this help"), relabel(k.Interrupt, "quit")},
		}
		legend = []string{
			"Nothing changes in the cluster until a dry run passes and you press Y; what is applied is the patch shown.",
			"[x] advice in the patch, [ ] left out; ! advice that assumes advice left out.",
			"held: listed but left out of the patch, for one of two reasons. Held for too little history: sizing on less history than the minimum kgotop patches from (3h and 100 samples, or what --sizing-min says); an OOMKill's raise is never held for that. Held as an alternative to the undo: advice that changes what the undo of kgotop's last change puts back, even an OOMKill's raise; the undo (u) comes first, the last state known to work. H includes held advice in this patch, which then says what it rests on.",
			"IN PLACE (where the cluster serves pods/resize): i resizes the running pods' CPU and memory one pod at a time, each dry-run first, then applies the template patch, all on one Y; ✓ done, … being applied, ⏸ deferred (no room now), ✗ infeasible or failed: the run stops there. esc stops after the pod in hand.",
			unitsLegend, copyLegend,
		}
		if m.deps.ReadOnly {
			legend = append(legend, st.Warn.Render("read-only (--read-only): a and Y are off; y copies the command."))
		}
	default:
		title = "Keys in the table"
		groups = [][]key.Binding{
			{relabel(k.Up, "up"), relabel(k.Down, "down"), helpEntry("pgup/pgdn", "page"), helpEntry("g/G", "top, bottom"), relabel(k.Expand, "show containers"), relabel(k.Collapse, "hide containers")},
			{relabel(k.Details, "details"), relabel(k.Filter, "filter names (kind:sts ns:NAME)"), helpEntry("esc", "clear the filter"), relabel(k.Patch, "show the patch"), relabel(k.Copy, "copy its command"), relabel(k.Apply, "dry run; Y applies"), relabel(k.Undo, "undo kgotop's last change"), relabel(k.Resize, "undo it in the running pods (in place)")},
			{helpEntry("s/>", "sort by the next column"), relabel(k.SortPrev, "by the column before"), relabel(k.Reverse, "reverse the sort")},
			sortKeys(k),
			{relabel(k.Command, "command (:q :ns :NAME)"), relabel(k.Refresh, "refresh now"), relabel(k.Help, "this help"), relabel(k.Quit, "quit (in a view: back)")},
		}
		legend = []string{
			"ADVICE " + st.Bad.Render("●2") + " " + st.Warn.Render("▲3") + " ·1: critical, warning and info advice; - none. TOP ADVICE (wide terminals): the most urgent change; held:, only with others: or no patch: before it when p would leave it out of the patch, and p says why.",
			"Order (by advice, the default): most urgent first: critical, then warning, then info; within a severity what fails (OOMKills, crash loops, throttling) before what only saves (request cuts), and a workload with no pod ready (READY 0/2) before one that serves; then the counts of critical, warning and info advice.",
			"WORKLOAD (2): two containers (→ shows them); READY 1/2: pods ready of those wanted. CPU and MEM sum the containers.",
			st.Bad.Render("Red") + ": over a limit, OOMKilled, crash-looping. " + st.Warn.Render("Yellow") + ": past 90% of a limit, failing probes, restarts. " +
				st.Dim.Render("Dim") + ": idle (under 10% of the request) or unknown.",
			"CPU, MEM: used/request/limit of the busiest replica (- not set); the bar is full at the limit (at the request when there is no limit); a % past 90%.",
			"GO: the version from go_info; 1.22? from an image tag; go? Go env vars set; ? no sign of Go.",
			"WORKLOAD · resized 12m ago (rolled out, patched): kgotop changed it in the last day; its details follow the change up, and u undoes it.",
			"RESTARTS: how many, the last reason, how long ago. PROBES: L✗9 nine liveness failures (R readiness, S startup), k3 three liveness restarts; - probes set and passing; none no probes.",
			unitsLegend, copyLegend, mouseLegend,
		}
		if m.deps.About != "" {
			legend = append([]string{m.deps.About}, legend...)
		}
	}
	out := []string{st.Emphasis.Render(" " + title)}
	out = append(out, helpColumns(groups, m.width-1, st)...)
	out = append(out, "")
	for _, l := range legend {
		for i, w := range strings.Split(ansi.Wrap(l, m.width-5, ""), "\n") {
			out = append(out, ifElse(i == 0, "  ", "    ")+w)
		}
	}
	return out
}

// sortKeys are the keys that sort by one column, "again: reverse" said once.
func sortKeys(k KeyMap) []key.Binding {
	var out []key.Binding
	for c := range numSortable {
		if b := k.SortBy[c]; b.Enabled() {
			out = append(out, b)
		}
	}
	if n := len(out); n > 0 {
		out[n-1] = relabel(out[n-1], out[n-1].Help().Desc+" (each again: reversed)")
	}
	return out
}

// The help's lines every view shares.
const (
	unitsLegend = "Units: memory a container uses, and its requests and limits, are Kubernetes quantities, written Mi and Gi as the API and kubectl top write them; the Go runtime's numbers (heap, GC goal, GOMEMLIMIT) are written MiB and GiB, as Go writes them. Both are powers of two: 1Mi = 1MiB."
	copyLegend  = "y sends the text to the terminal's clipboard (OSC 52; under tmux only with set-clipboard on), to the local clipboard when a tool for it is installed, and always to copied.txt in kgotop's state folder, which the footer names."
	mouseLegend = "Mouse: the wheel scrolls, a click selects a line and a second click opens it, a click on a column title sorts by it. Hold shift to select text; :mouse gives the mouse back to the terminal."
)

// helpEnd is the help's last scroll offset: the first line shown when
// its end is.
func (m Model) helpEnd() int { return max(len(m.helpView())-m.bodyHeight(), 0) }

// helpKey scrolls the help with the keys that scroll, when it is longer
// than the screen, and closes it on any other key.
func (m Model) helpKey(msg tea.KeyPressMsg) Model {
	k, end := m.keys, m.helpEnd()
	page := max(m.bodyHeight()-2, 1)
	switch {
	case end > 0 && key.Matches(msg, k.Up):
		m.helpOffset--
	case end > 0 && key.Matches(msg, k.Down):
		m.helpOffset++
	case end > 0 && key.Matches(msg, k.PageUp):
		m.helpOffset -= page
	case end > 0 && key.Matches(msg, k.PageDown):
		m.helpOffset += page
	case end > 0 && key.Matches(msg, k.Top):
		m.helpOffset = 0
	case end > 0 && key.Matches(msg, k.Bottom):
		m.helpOffset = end
	default:
		m.showHelp, m.helpOffset = false, 0
	}
	m.helpOffset = max(min(m.helpOffset, end), 0)
	return m
}

// helpColumns lays groups of keys out side by side as far as width allows,
// the rest under them: every key is shown, none is cut.
func helpColumns(groups [][]key.Binding, width int, st Styles) []string {
	type block struct {
		lines []string
		width int
	}
	blocks := make([]block, 0, len(groups))
	for _, g := range groups {
		kw := 0
		for _, b := range g {
			kw = max(kw, ansi.StringWidth(b.Help().Key))
		}
		var bl block
		for _, b := range g {
			l := st.Key.Render(padRight(b.Help().Key, kw)) + "  " + b.Help().Desc
			bl.lines = append(bl.lines, l)
			bl.width = max(bl.width, ansi.StringWidth(l))
		}
		blocks = append(blocks, bl)
	}
	const gap = 3
	var out []string
	for len(blocks) > 0 {
		n, w := 1, blocks[0].width
		for n < len(blocks) && w+gap+blocks[n].width <= width {
			w += gap + blocks[n].width
			n++
		}
		rows := 0
		for _, b := range blocks[:n] {
			rows = max(rows, len(b.lines))
		}
		for r := range rows {
			var sb strings.Builder
			sb.WriteString(" ")
			for i, b := range blocks[:n] {
				l := ""
				if r < len(b.lines) {
					l = b.lines[r]
				}
				if i < n-1 {
					l = padRight(l, b.width+gap)
				}
				sb.WriteString(l)
			}
			out = append(out, strings.TrimRight(sb.String(), " "))
		}
		blocks = blocks[n:]
		if len(blocks) > 0 {
			out = append(out, "")
		}
	}
	return out
}
