package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/model"
)

// panelHeight is the height of the advice panel in a body of h lines:
// compactPanel on a short terminal, else panelLines, grown into the room
// the table's lines leave, to list the selected workload's other advice.
func (m Model) panelHeight(h int) int {
	if h < compactBody {
		return compactPanel
	}
	spare := h - 1 - len(m.table.lines) // the column titles and the lines
	room := min(spare, panelMax)
	if n := len(m.fullPanel(true)); n <= room {
		return max(panelLines, n)
	}
	return max(panelLines, min(len(m.fullPanel(false)), room))
}

// panelAdvice is the advice the panel is about: the selected workload's,
// or its container's when the cursor is on a container; the most urgent
// first, the order kept on a tie.
func (m Model) panelAdvice() []advisor.Advice {
	r, container, ok := m.table.current()
	if !ok {
		return nil
	}
	as := r.advice
	if container != "" {
		as = forContainer(as, container)
	}
	return worstFirst(as)
}

// worstFirst returns the advice with the most urgent first, the undo of
// kgotop's change before the advice it holds back, the order of the rest of
// one severity kept.
func worstFirst(as []advisor.Advice) []advisor.Advice {
	order := func(a advisor.Advice) int {
		n := 4
		switch a.Severity {
		case advisor.Critical:
			n = 0
		case advisor.Warning:
			n = 2
		}
		return n + ifElse(a.Undoes(), 0, 1)
	}
	out := slices.Clone(as)
	slices.SortStableFunc(out, func(a, b advisor.Advice) int { return order(a) - order(b) })
	return out
}

// panelView is the advice panel under the table, n lines: why the selected
// workload stands out, what to change, the rest of its advice when there is
// room, and the keys that act on it.
func (m Model) panelView(n int) []string {
	st := m.styles
	out := []string{st.Rule.Render(strings.Repeat("─", m.width))}
	r, container, ok := m.table.current()
	if !ok {
		return out
	}
	name := r.cells[colName].Text
	if container != "" {
		name = r.ref.Name + "/" + container
	}
	as := m.panelAdvice()
	if len(as) == 0 {
		if !r.sampled {
			return append(out, " "+st.Emphasis.Render(name)+"  "+st.Dim.Render("no advice yet: no usage samples to judge from (metrics come every window)"))
		}
		return append(out, " "+st.Emphasis.Render(name)+"  "+st.Good.Render("no advice: usage fits its requests and limits, nothing to change"))
	}
	for _, evidence := range []bool{true, false} {
		if full := m.fullPanel(evidence); len(full) <= n {
			return full
		}
	}
	a := as[0]
	mark, lvl := severityMark(a.Severity)
	hint := st.Dim.Render("   enter details · " + m.copyHint(r))
	if n <= compactPanel {
		head := " " + st.render(lvl, mark) + " " + st.Emphasis.Render(name) + "  " + adviceChange(a)
		if ansi.StringWidth(hint) > m.width {
			keys := ifElse(r.patch.ready(), " · p patch · a dry run · y copy", " · y copy")
			if undoFirst(r.advice) {
				keys = " · u undo · a dry run it"
			}
			hint = st.Dim.Render("   enter details" + keys)
		}
		return append(out, truncate(head, m.width), truncate(hint, m.width))
	}
	head := " " + st.render(lvl, mark+" "+string(a.Severity)) + " " + st.Emphasis.Render(name) + "  "
	reason := wrapLines(a.Reason, m.width-ansi.StringWidth(head)-1, 2)
	out = append(out, head+reason[0])
	out = append(out, ifElse(len(reason) > 1, strings.Repeat(" ", ansi.StringWidth(head))+reason[min(1, len(reason)-1)], ""))
	change := "   " + adviceChange(a) + " · confidence " + string(a.Confidence.Level)
	if a.Confidence.Note != "" {
		change += ": " + a.Confidence.Note
	}
	rest := as[1:]
	shown := min(len(rest), n-panelLines)
	if left := len(rest) - shown; left > 0 {
		change = fmt.Sprintf("%s · and %d more", change, left)
	}
	out = append(out, truncate(change, m.width))
	for _, b := range rest[:shown] {
		mark, lvl := severityMark(b.Severity)
		out = append(out, truncate("   "+st.render(lvl, mark)+" "+adviceChange(b)+st.Dim.Render(" · "+truncateWords(b.Reason, m.width)), m.width))
	}
	return append(out, truncate(hint, m.width))
}

// fullPanel is the advice panel with room to spare: every piece of the
// selected workload's advice with its reason whole, and its evidence when
// asked, for tall terminals.
func (m Model) fullPanel(evidence bool) []string {
	st := m.styles
	out := []string{st.Rule.Render(strings.Repeat("─", m.width))}
	r, container, ok := m.table.current()
	as := m.panelAdvice()
	if !ok || len(as) == 0 {
		return out
	}
	name := r.cells[colName].Text
	if container != "" {
		name = r.ref.Name + "/" + container
	}
	wrapped := func(indent, text string) []string {
		var lines []string
		for _, l := range strings.Split(ansi.Wrap(text, max(m.width-len(indent)-1, 20), ""), "\n") {
			lines = append(lines, indent+l)
		}
		return lines
	}
	for i, a := range as {
		mark, lvl := severityMark(a.Severity)
		head := "   " + st.render(lvl, mark) + " " + adviceChange(a)
		if i == 0 {
			head = " " + st.render(lvl, mark+" "+string(a.Severity)) + " " + st.Emphasis.Render(name) + "  " + adviceChange(a)
		}
		// Where its history came from, on the line when it fits.
		conf, from := " · confidence "+string(a.Confidence.Level), a.Confidence.Source
		if from != "" && ansi.StringWidth(head+conf)+2+ansi.StringWidth(from) <= m.width {
			conf, from = conf+": "+from, ""
		}
		out = append(out, head+st.Dim.Render(conf))
		if from != "" {
			for _, l := range wrapped("     ", "history "+from) {
				out = append(out, st.Dim.Render(l))
			}
		}
		out = append(out, wrapped("     ", a.Reason)...)
		if evidence && len(a.Evidence) > 0 {
			ev := make([]string, len(a.Evidence))
			for i, e := range a.Evidence {
				ev[i] = model.Labelled(e.Label, e.Value, " ")
			}
			for _, l := range wrapped("     ", "evidence: "+strings.Join(ev, " · ")) {
				out = append(out, st.Dim.Render(l))
			}
		}
	}
	return append(out, truncate(st.Dim.Render("   enter details · "+m.copyHint(r)), m.width))
}

// copyHint says what p, a and y do for a row: y names what it copies.
func (m Model) copyHint(r *workloadRow) string {
	hint := r.patch.hint(r.ref.Kind)
	if undoFirst(r.advice) {
		hint = "u opens the undo of kgotop's change · a dry-runs it"
		if m.undoInPlace(r) {
			hint = "i undoes it in the running pods · u opens the undo · a the template only"
		}
	}
	if r.patch.ready() {
		return hint
	}
	if what, _, ok := copyTarget(r.patch, snippets(m.workload(r.ref), r.advice)); ok {
		hint = "y copy " + what + " · " + hint
	}
	return hint
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
