package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/kgotop/kgotop/internal/model"
)

// Usage bars: each is barMin to barMax cells wide, as the width allows,
// followed by room for the percentage shown past 90% (" 93%", "100%").
const (
	barMin   = 4
	barGood  = 6 // what the bars grow to before the TOP ADVICE column shows
	barMax   = 20
	pctWidth = 5
)

// topMin is the narrowest the TOP ADVICE column is worth showing at.
const topMin = 28

// layout is how the table's columns fit a width: each column's width (0 when
// hidden), the width of the usage bars (0 when hidden), and the gap between columns.
type layout struct {
	width [numColumns]int
	bar   int
	gap   int
}

// colLimits are the narrowest and widest each column may be.
var colLimits = [numColumns][2]int{
	colName: {9, 40}, colKind: {4, 7}, colReady: {5, 7}, colGo: {3, 8},
	colCPU: {9, 20}, colMem: {9, 20}, colRestarts: {14, 32}, colProbes: {5, 14}, colAdvice: {6, 14},
	colTop: {topMin, 60},
}

// flexible columns shrink to their narrowest, words cut whole, before a
// column is dropped; they get their width back first when there is room.
var flexible = []column{colName, colProbes, colRestarts}

// A step makes the table narrower; fit takes as few as it must, in order.
type step int

const (
	stepGap step = iota
	stepKind
	stepShrink
	stepBars
	stepProbes
	stepGo
	stepCPU
	stepMem
	numSteps
)

// widths are the widest text of each column, and the widest name alone: a
// workload's without its marks (" (2)", " · resized 12m ago"), or a
// container's under it. The name column gives up its marks first, and the
// names themselves last (see fit).
type widths struct {
	col  [numColumns]int
	name int
}

// contentWidths returns the widest text of each column, titles included;
// TOP ADVICE is 0 when no row has advice.
func contentWidths(rows []workloadRow) widths {
	var w widths
	for i := range rows {
		for c := range numColumns {
			w.col[c] = max(w.col[c], rows[i].widths.col[c])
		}
		w.name = max(w.name, rows[i].widths.name)
	}
	for c := range numColumns {
		switch {
		case c == colCPU || c == colMem: // their titles run on over their bars
		case c == colTop && w.col[c] == 0:
		default:
			w.col[c] = max(w.col[c], ansi.StringWidth(columnTitles[c])+1) // room for the sort arrow
		}
	}
	return w
}

// grow widens w to hold what o holds too.
func (w widths) grow(o widths) widths {
	for c := range numColumns {
		w.col[c] = max(w.col[c], o.col[c])
	}
	w.name = max(w.name, o.name)
	return w
}

// measure returns the widest text of each column in a row and its
// containers, and the widest name of them, the workload's being name wide.
func (r *workloadRow) measure(name int) widths {
	w := widths{name: name}
	measure := func(l *line, indent int) {
		for c := range numColumns {
			w.col[c] = max(w.col[c], ansi.StringWidth(l.cells[c].Text))
		}
		w.col[colName] = max(w.col[colName], ansi.StringWidth(l.cells[colName].Text)+indent) // under the workload
	}
	measure(&r.line, 0)
	for j := range r.containers {
		measure(&r.containers[j].line, 4)
		w.name = max(w.name, ansi.StringWidth(r.containers[j].cells[colName].Text)+4)
	}
	return w
}

// fit lays the columns out in total cells. It starts from every column at
// its content's width with gaps of two and bars of barMin, takes the fewest
// steps that make it fit (gaps of one, no KIND, flexible columns shrunk,
// no bars, no PROBES, no GO, no CPU, no MEM: the compact table of a narrow
// terminal keeps the name, READY, RESTARTS and advice; never the keep column, the one sorted by, or
// none when keep is numColumns), then hands what is left over back: to the
// flexible columns, to the bars, to a TOP ADVICE column, and to the bars again.
func fit(content widths, total int, keep column) layout {
	var l layout
	for n := step(0); n <= numSteps; n++ {
		var used int
		l, used = narrow(content, total, n, keep)
		if used <= total {
			return l.spread(content, total-used)
		}
	}
	return l
}

// narrow lays the table out after the first n steps, and returns its width.
func narrow(content widths, total int, n step, keep column) (layout, int) {
	l := layout{bar: barMin, gap: 2}
	for c := range numColumns {
		l.width[c] = min(max(content.col[c], colLimits[c][0]), colLimits[c][1])
	}
	l.width[colTop] = 0 // shown only with room to spare
	for s := range n {
		switch s {
		case stepGap:
			l.gap = 1
		case stepKind:
			l.drop(colKind, keep)
		case stepShrink:
			l.shrink(content, total)
		case stepBars:
			l.bar = 0
		case stepProbes:
			l.drop(colProbes, keep)
		case stepGo:
			l.drop(colGo, keep)
		case stepCPU:
			l.drop(colCPU, keep)
		case stepMem:
			l.drop(colMem, keep)
		}
	}
	return l, l.used()
}

// shrink narrows the flexible columns by what the table is over total:
// the names' marks first, then RESTARTS and PROBES, the names last (a
// container's name under its workload is cut to nothing first, where a
// restart's reason cut short still reads).
func (l *layout) shrink(content widths, total int) {
	nameFloor := min(max(content.name, colLimits[colName][0]), colLimits[colName][1])
	for _, s := range []struct {
		c     column
		floor int
	}{{colName, nameFloor}, {colRestarts, colLimits[colRestarts][0]}, {colProbes, colLimits[colProbes][0]}, {colName, colLimits[colName][0]}} {
		if used := l.used(); used > total && l.width[s.c] > s.floor {
			l.width[s.c] -= min(used-total, l.width[s.c]-s.floor)
		}
	}
}

// drop hides column c, unless it is keep.
func (l *layout) drop(c, keep column) {
	if c != keep {
		l.width[c] = 0
	}
}

// used is the width of the table laid out as l, the cursor mark included.
func (l layout) used() int {
	used, n := 1, 0
	for _, w := range l.width {
		if w > 0 {
			used += w
			n++
		}
	}
	if l.bar > 0 {
		used += 2 * (1 + l.bar + pctWidth)
	}
	return used + l.gap*max(n-1, 0)
}

// spread hands spare cells out: flexible columns back to their content,
// the bars up to barGood, a TOP ADVICE column, the bars up to barMax.
func (l layout) spread(content widths, spare int) layout {
	for _, c := range flexible {
		if l.width[c] > 0 {
			add := min(spare, min(content.col[c], colLimits[c][1])-l.width[c])
			l.width[c] += max(add, 0)
			spare -= max(add, 0)
		}
	}
	grow := func(to int) {
		if l.bar > 0 && l.bar < to {
			add := min(spare/2, to-l.bar)
			l.bar += add
			spare -= 2 * add
		}
	}
	grow(barGood)
	if content.col[colTop] > 0 && spare >= l.gap+topMin {
		l.width[colTop] = min(spare-l.gap, content.col[colTop], colLimits[colTop][1])
		spare -= l.gap + l.width[colTop]
	}
	grow(barMax)
	return l
}

// view renders the column titles and the visible lines, exactly height
// lines of width cells.
func (t tableModel) view(width, height int, empty string, st Styles) []string {
	l := t.layout(width)
	out := make([]string, 0, height)
	if len(t.rows) == 0 {
		out = append(out, "") // no titles laid out for rows yet to come: they would move once the rows come
	} else {
		out = append(out, st.Column.Render(padRight(l.titles(t.sortCol, t.reverse), width)))
	}

	if len(t.lines) == 0 {
		msg := "  No workloads yet."
		if q := t.filter.Value(); empty != "" && len(t.rows) == 0 {
			msg = empty
		} else if q != "" {
			msg = fmt.Sprintf("  No workload matches %q (esc clears the filter).", q)
		} else if len(t.rows) == 0 {
			msg = "  No workloads in this namespace (or none match the selector)."
		}
		out = append(out, st.Dim.Render(msg))
	}
	start, end := t.offset, min(t.offset+height-1, len(t.lines))
	above, below := t.moreAbove(), t.moreBelow()
	if end != t.offset+t.height {
		above, below = 0, 0 // drawn in another height than the window's
	}
	if above > 0 {
		out = append(out, st.Dim.Render(fmt.Sprintf(" ↑ %d more (pgup)", above)))
		start++
	}
	if below > 0 {
		end--
	}
	for i := start; i < end; i++ {
		tl := t.lines[i]
		r := &t.rows[tl.w]
		ln, indent := &r.line, ""
		if tl.c >= 0 {
			ln, indent = &r.containers[tl.c].line, "  └ "
		}
		if i == t.cursor {
			sel := st.selected()
			line := l.render(ln, indent, true, "▌", sel)
			out = append(out, line+sel.render(model.Normal, strings.Repeat(" ", max(width-ansi.StringWidth(line), 0))))
			continue
		}
		out = append(out, l.render(ln, indent, true, " ", st))
	}
	if below > 0 {
		out = append(out, st.Dim.Render(fmt.Sprintf(" ↓ %d more (pgdn)", below)))
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
			if l.bar == 0 && ansi.StringWidth(columnTitles[colCPU])+1 > l.width[colCPU] {
				text, _, _ = strings.Cut(text, " ") // both short, or neither
			}
		}
		if c == sortCol {
			text += ifElse(reverse, "↑", "↓")
		}
		ln.cells[c].Text = text
	}
	return l.render(&ln, "", false, " ", Styles{})
}

// shown are the columns the layout shows, in order.
func (l layout) shown() []column {
	out := make([]column, 0, numColumns)
	for c := range numColumns {
		if l.width[c] > 0 {
			out = append(out, c)
		}
	}
	return out
}

// span is how wide column c is drawn: a usage column with its bar.
func (l layout) span(c column) int {
	if l.bar > 0 && (c == colCPU || c == colMem) {
		return l.width[c] + 1 + l.bar + pctWidth
	}
	return l.width[c]
}

// render lays one line out. With a zero Styles nothing is coloured (the
// selected line and the titles take one style for the whole line).
func (l layout) render(ln *line, indent string, withBars bool, mark string, st Styles) string {
	var b strings.Builder
	b.WriteString(st.render(model.Normal, mark))
	gap := st.render(model.Normal, strings.Repeat(" ", l.gap))
	for i, c := range l.shown() {
		w := l.width[c]
		if i > 0 {
			b.WriteString(gap)
		}
		text := ln.cells[c].Text
		if c == colName {
			text = indent + text
		}
		usage := l.bar > 0 && (c == colCPU || c == colMem)
		if !withBars && usage {
			w += 1 + l.bar + pctWidth // a title over its bar
			b.WriteString(padRight(truncateWords(text, w), w))
			continue
		}
		b.WriteString(st.render(ln.cells[c].Level, padRight(truncateWords(text, w), w)))
		if usage {
			b.WriteString(st.render(model.Normal, " "))
			frac := ln.cpu
			if c == colMem {
				frac = ln.mem
			}
			b.WriteString(st.render(ifElse(frac < 0, model.Idle, ln.cells[c].Level), padRight(bar(frac, l.bar), l.bar+pctWidth)))
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

// truncateWords cuts s to w cells at a space, marking the cut with " …", so
// that no number or duration is cut in two ("3 OOMKilled …", not
// "3 OOMKilled 2h2…"); text without a space to cut at is cut anywhere.
func truncateWords(s string, w int) string {
	if len(s) <= w || ansi.StringWidth(s) <= w {
		return s
	}
	for i := len(s) - 1; i > 0; i-- {
		if s[i] == ' ' && s[i-1] != ' ' && s[i-1] != '\xb7' { // never after "·" ("ledger · resized 3m ago")
			head := s[:i]
			hw := ansi.StringWidth(head)
			if hw+2 <= w {
				return head + " …"
			}
			if last := head[len(head)-1]; hw+1 <= w && (last < '0' || last > '9') {
				return head + "…" // "103 CrashLoop…": a word, not a number, is marked
			}
		}
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
