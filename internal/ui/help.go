package ui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
)

// footerKey is a key the footer offers; when the line is too narrow, the
// keys of lowest prio go first, so quit and help stay.
type footerKey struct {
	b    key.Binding
	prio int
}

// Footer priorities: what stays longest on a narrow terminal.
const (
	prioQuit = 100
	prioHelp = 90
	prioBack = 80
	prioMain = 70 // the key the view is for: enter, Y, space
	prioAct  = 60 // p, a, y
	prioMove = 30
	prioMore = 20
)

// footerView is the bottom line: the filter being typed, a notice, or the
// keys that work in the view shown.
func (m Model) footerView() string {
	switch {
	case m.view == viewTable && m.table.filtering():
		f := m.keys.Filtering
		return truncate(m.table.filter.view(m.styles)+m.styles.Dim.Render("   "+helpText(f.Keep)+" · "+helpText(f.Clear)), m.width)
	case m.notice.Text != "":
		return truncate(" "+m.styles.render(m.notice.Level, m.notice.Text), m.width)
	}
	return " " + footerLine(m.footerKeys(), m.width-1, m.styles)
}

// footerKeys are the keys that do something in the view shown now.
func (m Model) footerKeys() []footerKey {
	k := m.keys
	help, quit := footerKey{k.Help, prioHelp}, footerKey{k.Quit, prioQuit}
	switch {
	case m.showHelp:
		return []footerKey{{helpEntry("any key", "closes this help"), prioMain}, quit}
	case m.view == viewDetail:
		out := scrollKeys(m.detail.offset > 0, m.detail.offset < m.detail.maxOffset())
		switch {
		case m.detail.patch.ready():
			out = append(out, footerKey{k.Patch, prioAct}, footerKey{k.Apply, prioAct - 5}, footerKey{k.Copy, prioAct - 10})
		case m.detail.patch.changes:
			out = append(out, footerKey{relabel(k.Patch, "why no patch"), prioAct})
		}
		return append(out, footerKey{k.Back, prioBack}, help, quit)
	case m.view == viewPatch:
		return append(m.patch.footerKeys(k), help, quit)
	}
	return []footerKey{
		{helpEntry("↑↓", "move"), prioMove}, {helpEntry("→", "containers"), prioMore}, {k.Details, prioMain},
		{k.Filter, prioAct - 10}, {k.Sort, prioAct - 15}, {k.Patch, prioAct}, {k.Apply, prioAct - 5}, {k.Copy, prioAct - 20}, help, quit,
	}
}

// scrollKeys are the keys that scroll a view, in the directions it can go.
func scrollKeys(up, down bool) []footerKey {
	switch {
	case up && down:
		return []footerKey{{helpEntry("↑↓", "scroll"), prioMove}, {helpEntry("pgup/pgdn", "page"), prioMore}}
	case down:
		return []footerKey{{helpEntry("↓/j", "down"), prioMove}, {helpEntry("pgdn", "page down"), prioMore}}
	case up:
		return []footerKey{{helpEntry("↑/k", "up"), prioMove}, {helpEntry("pgup", "page up"), prioMore}}
	}
	return nil
}

// footerKeys are the patch view's keys in the state it is in.
func (p patchModel) footerKeys(k KeyMap) []footerKey {
	back := footerKey{k.Back, prioBack}
	choose := []footerKey{{helpEntry("↑↓", "choose"), prioMove}, {k.Toggle, prioMain - 5}}
	switch {
	case p.busy():
		return []footerKey{back}
	case p.err != nil && (len(p.advice) == 0 || errors.Is(p.err, advisor.ErrNotPatchable)):
		return []footerKey{back}
	case p.err != nil:
		return append(choose, back)
	case p.state == patchConfirm:
		return []footerKey{{k.Confirm, prioMain}, {relabel(k.Back, "cancel"), prioBack}, {k.Copy, prioAct - 10}}
	case p.state == patchApplied:
		return []footerKey{{k.Copy, prioAct - 10}, back}
	}
	out := choose
	out = append(out, footerKey{k.Copy, prioAct - 10})
	if !p.readOnly {
		apply := k.Apply
		if p.state == patchFailed {
			apply = relabel(apply, "dry run again")
		}
		out = append(out, footerKey{apply, prioAct})
	}
	return append(out, back)
}

// footerLine joins keys as "enter details • q quit" in width cells,
// leaving out the keys of lowest prio (the last of them first) until it fits.
func footerLine(keys []footerKey, width int, st Styles) string {
	sep := " • "
	item := func(f footerKey) string { return helpText(f.b) }
	for len(keys) > 1 {
		w := ansi.StringWidth(sep) * (len(keys) - 1)
		for _, f := range keys {
			w += ansi.StringWidth(item(f))
		}
		if w <= width {
			break
		}
		low := len(keys) - 1
		for i := len(keys) - 1; i >= 0; i-- {
			if keys[i].prio < keys[low].prio {
				low = i
			}
		}
		keys = append(keys[:low:low], keys[low+1:]...)
	}
	parts := make([]string, len(keys))
	for i, f := range keys {
		parts[i] = st.Key.Render(f.b.Help().Key) + " " + f.b.Help().Desc
	}
	return truncate(strings.Join(parts, st.Dim.Render(sep)), width)
}

// helpText is a binding's help: "enter keep".
func helpText(b key.Binding) string { return b.Help().Key + " " + b.Help().Desc }

// helpView is the help of the view under it: its keys, and what its
// symbols and colours mean.
func (m Model) helpView() []string {
	st := m.styles
	k := m.keys
	var title string
	var groups [][]key.Binding
	var legend []string
	switch m.view {
	case viewDetail:
		title = "Keys in the details"
		groups = [][]key.Binding{
			{relabel(k.Up, "scroll up"), relabel(k.Down, "scroll down"), helpEntry("pgup/pgdn", "page"), helpEntry("g/G", "top, bottom")},
			{relabel(k.Patch, "show the patch"), relabel(k.Copy, "copy its command"), relabel(k.Apply, "dry run; Y applies")},
			{relabel(k.Back, "back to the table"), relabel(k.Refresh, "refresh now"), relabel(k.Help, "this help"), relabel(k.Quit, "quit")},
		}
		legend = []string{
			"CPU, MEM: now, P90 and peak of the busiest replica; the sparkline has one bar per metrics window, full at the limit (┤ names the scale).",
			st.Bad.Render("●") + " critical, " + st.Warn.Render("▲") + " warning, · info advice; ✗ failed probes.",
			"p, a and y act on the patch of the whole workload, every container's changes in it.",
		}
	case viewPatch:
		title = "Keys in the patch view"
		groups = [][]key.Binding{
			{relabel(k.Up, "previous advice"), relabel(k.Down, "next advice"), relabel(k.Toggle, "include or leave out")},
			{relabel(k.Copy, "copy the command"), relabel(k.Apply, "dry run (changes nothing)"), relabel(k.Confirm, "apply, once a dry run passed")},
			{relabel(k.Back, "cancel, or go back"), relabel(k.Refresh, "refresh now"), relabel(k.Help, "this help"), relabel(k.Quit, "quit")},
		}
		legend = []string{
			"Nothing changes in the cluster until a dry run passes and you press Y; what is applied is the patch shown.",
			"[x] advice in the patch, [ ] left out; ! advice that assumes advice left out.",
		}
		if m.deps.ReadOnly {
			legend = append(legend, st.Warn.Render("read-only (--read-only): a and Y are off; y copies the command."))
		}
	default:
		title = "Keys in the table"
		groups = [][]key.Binding{
			{relabel(k.Up, "up"), relabel(k.Down, "down"), helpEntry("pgup/pgdn", "page"), helpEntry("g/G", "top, bottom"), relabel(k.Expand, "show containers"), relabel(k.Collapse, "hide containers")},
			{relabel(k.Details, "details"), relabel(k.Filter, "filter by name"), relabel(k.Back, "clear the filter"), relabel(k.Sort, "sort by next column"), relabel(k.Reverse, "reverse the sort")},
			{relabel(k.Patch, "show the patch"), relabel(k.Copy, "copy its command"), relabel(k.Apply, "dry run; Y applies"), relabel(k.Refresh, "refresh now"), relabel(k.Help, "this help"), relabel(k.Quit, "quit")},
		}
		legend = []string{
			"ADVICE " + st.Bad.Render("●2") + " " + st.Warn.Render("▲3") + " ·1: critical, warning and info advice; - none. TOP ADVICE (wide terminals): the most urgent change.",
			st.Bad.Render("Red") + ": over a limit, OOMKilled, crash-looping. " + st.Warn.Render("Yellow") + ": past 90% of a limit, failing probes, restarts. " +
				st.Dim.Render("Dim") + ": idle (under 10% of the request) or unknown.",
			"CPU, MEM: used/request/limit of the busiest replica (- not set); the bar fills to the limit, or the request; a % past 90%.",
			"GO: the version from go_info; 1.22? from an image tag; go? Go env vars set; ? no sign of Go.",
			"RESTARTS: how many, the last reason, how long ago. PROBES: L✗9 nine liveness failures (R readiness, S startup), k3 three liveness restarts; - probes set and passing; none no probes.",
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
