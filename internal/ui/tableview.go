package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// barWidth is the width of a usage bar, with its percentage when past 90%:
// "███▊", "████▋ 93%".
const barWidth = 9

// layout is how the table's columns fit a width: each column's width (0 when
// hidden), whether the usage bars show, and the gap between columns.
type layout struct {
	width [numColumns]int
	bars  bool
	gap   int
}

// colLimits are the narrowest and widest each column may be.
var colLimits = [numColumns][2]int{
	colName: {12, 40}, colKind: {4, 7}, colReady: {5, 7}, colGo: {3, 8},
	colCPU: {9, 20}, colMem: {9, 20}, colRestarts: {14, 26}, colProbes: {5, 14}, colAdvice: {6, 14},
}

// flexible columns shrink to their narrowest before a column is dropped.
var flexible = []column{colRestarts, colName, colProbes}

// dropOrder is what goes first when the terminal is narrow; -1 means the bars.
var dropOrder = []column{colKind, -1, colProbes, colGo}

// contentWidths returns the widest text of each column, titles included.
func contentWidths(rows []workloadRow) [numColumns]int {
	var w [numColumns]int
	for c := range numColumns {
		w[c] = ansi.StringWidth(columnTitles[c]) + 1 // room for the sort arrow
	}
	// The usage titles run on over their bars.
	w[colCPU], w[colMem] = 0, 0
	for i := range rows {
		for c := range numColumns {
			w[c] = max(w[c], rows[i].widths[c])
		}
	}
	return w
}

// measure returns the widest text of each column in a row and its containers.
func (r *workloadRow) measure() [numColumns]int {
	var w [numColumns]int
	measure := func(l *line, indent int) {
		for c := range numColumns {
			w[c] = max(w[c], ansi.StringWidth(l.cells[c].text)+indent*b2i(c == colName))
		}
	}
	measure(&r.line, 0)
	for j := range r.containers {
		measure(&r.containers[j].line, 4)
	}
	return w
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fit lays the columns out in total cells: it keeps every column with gaps
// of two when it can, then tries gaps of one, shrinks the flexible columns,
// and drops columns in dropOrder until the table fits.
func fit(content [numColumns]int, total int) layout {
	var l layout
	for drop := 0; drop <= len(dropOrder); drop++ {
		for _, gap := range []int{2, 1} {
			if l, ok := tryFit(content, total, dropOrder[:drop], gap); ok {
				return l
			}
		}
	}
	l, _ = tryFit(content, total, dropOrder, 1)
	return l
}

func tryFit(content [numColumns]int, total int, dropped []column, gap int) (layout, bool) {
	l := layout{bars: true, gap: gap}
	hidden := [numColumns]bool{}
	for _, c := range dropped {
		if c < 0 {
			l.bars = false
		} else {
			hidden[c] = true
		}
	}
	used, n := 1, 0 // the cursor mark
	for c := range numColumns {
		if hidden[c] {
			continue
		}
		l.width[c] = min(max(content[c], colLimits[c][0]), colLimits[c][1])
		used += l.width[c]
		n++
	}
	if l.bars {
		used += 2 * (barWidth + 1)
	}
	used += gap * (n - 1)
	for _, c := range flexible {
		if used <= total {
			break
		}
		if hidden[c] {
			continue
		}
		cut := min(used-total, l.width[c]-colLimits[c][0])
		l.width[c] -= cut
		used -= cut
	}
	return l, used <= total
}

// view renders the column titles and the visible lines, exactly height
// lines of width cells.
func (t tableModel) view(width, height int, st Styles) []string {
	l := fit(t.widths, width)
	out := make([]string, 0, height)
	out = append(out, st.Column.Render(padRight(l.titles(t.sortCol, t.reverse), width)))

	if len(t.lines) == 0 {
		msg := "  No workloads yet."
		if q := t.filter.Value(); q != "" {
			msg = fmt.Sprintf("  No workload matches %q (esc clears the filter).", q)
		} else if len(t.rows) == 0 {
			msg = "  No workloads in this namespace (or none match the selector)."
		}
		out = append(out, st.Dim.Render(msg))
	}
	end := min(t.offset+height-1, len(t.lines))
	for i := t.offset; i < end; i++ {
		tl := t.lines[i]
		r := &t.rows[tl.w]
		ln, indent := &r.line, ""
		if tl.c >= 0 {
			ln, indent = &r.containers[tl.c].line, "  └ "
		}
		if i == t.cursor {
			out = append(out, st.Selected.Render(padRight(l.render(ln, indent, true, "▌", Styles{}), width)))
			continue
		}
		out = append(out, l.render(ln, indent, true, " ", st))
	}
	for len(out) < height {
		out = append(out, "")
	}
	return out
}

// titles lays out the column titles, the sort column marked with an arrow.
// The usage titles run on over their bars, or shorten when there are none.
func (l layout) titles(sortCol column, reverse bool) string {
	var ln line
	for c := range numColumns {
		text := columnTitles[c]
		if c == colCPU || c == colMem {
			if !l.bars && ansi.StringWidth(columnTitles[colCPU])+1 > l.width[colCPU] {
				text, _, _ = strings.Cut(text, " ") // both short, or neither
			}
		}
		if c == sortCol {
			text += pick(reverse, "↑", "↓")
		}
		ln.cells[c].text = text
	}
	return l.render(&ln, "", false, " ", Styles{})
}

// render lays one line out. With a zero Styles nothing is coloured (the
// selected line and the titles take one style for the whole line).
func (l layout) render(ln *line, indent string, withBars bool, mark string, st Styles) string {
	var b strings.Builder
	b.WriteString(mark)
	gap := strings.Repeat(" ", l.gap)
	first := true
	for c := range numColumns {
		w := l.width[c]
		if w == 0 {
			continue
		}
		if !first {
			b.WriteString(gap)
		}
		first = false
		text := ln.cells[c].text
		if c == colName {
			text = indent + text
		}
		if !withBars && l.bars && (c == colCPU || c == colMem) {
			w += 1 + barWidth // a title over its bar
			b.WriteString(padRight(truncate(text, w), w))
			continue
		}
		b.WriteString(st.render(ln.cells[c].lvl, padRight(truncate(text, w), w)))
		if l.bars && (c == colCPU || c == colMem) {
			b.WriteByte(' ')
			frac := ln.cpu
			if c == colMem {
				frac = ln.mem
			}
			b.WriteString(st.render(pick(frac < 0, idle, ln.cells[c].lvl), padRight(bar(frac, 4), barWidth)))
		}
	}
	return b.String()
}

// truncate cuts s to w cells, marking the cut with an ellipsis.
func truncate(s string, w int) string {
	if len(s) <= w { // ASCII fast path: bytes bound cells from above
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// padRight pads s with spaces to w cells.
func padRight(s string, w int) string {
	if n := w - ansi.StringWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}
