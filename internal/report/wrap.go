package report

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
)

// glue joins two words that must stay on one line (a date and its time, an
// evidence label and its value); it prints as a plain space.
const glue = "\u00a0"

// para is one paragraph of text output: prose that wraps at spaces, or a
// verbatim line (a command, a line of code) that never wraps, so that it can
// be copied whole; a terminal soft-wraps it if it must.
type para struct {
	// text starts with the paragraph's indent.
	text string
	// hang is how much further in than the first line continuation lines
	// start.
	hang     int
	verbatim bool
	// style, when set, colours the text (not the indent).
	style *lipgloss.Style
}

// prose is a paragraph that wraps with continuation lines two columns in.
func prose(text string) para { return para{text: text, hang: 2} }

// styled returns p with the given style.
func (p para) styled(s lipgloss.Style) para {
	p.style = &s
	return p
}

// writeParas writes the paragraphs, wrapped to width, one line each.
func writeParas(b *strings.Builder, ps []para, width int) {
	for _, p := range ps {
		lines := []string{p.text}
		if !p.verbatim {
			lines = wrap(p.text, width, p.hang)
		}
		for _, l := range lines {
			if p.style != nil {
				body := strings.TrimLeft(l, " ")
				l = l[:len(l)-len(body)] + p.style.Render(body)
			}
			b.WriteString(l + "\n")
		}
	}
}

// wrap breaks s at spaces into lines no wider than width. The leading
// spaces of s are its indent; continuation lines are indented hang more.
// It never breaks a word: a word wider than the room left sits whole on a
// line of its own, past the width. A lone "·" stays with the word before it,
// so no line starts with a separator; glued words stay together.
func wrap(s string, width, hang int) []string {
	if lipgloss.Width(s) <= width {
		return []string{strings.ReplaceAll(s, glue, " ")}
	}
	body := strings.TrimLeft(s, " ")
	indent := len(s) - len(body)
	var words []string
	for _, w := range strings.Split(body, " ") {
		switch {
		case w == "":
		case w == "·" && len(words) > 0:
			words[len(words)-1] += " ·"
		default:
			words = append(words, w)
		}
	}
	var (
		lines []string
		line  = strings.Repeat(" ", indent)
		used  = indent
		empty = true
	)
	for _, w := range words {
		ww := lipgloss.Width(w)
		if !empty && used+1+ww > width {
			lines = append(lines, line)
			line, used, empty = strings.Repeat(" ", indent+hang), indent+hang, true
		}
		if !empty {
			line += " "
			used++
		}
		line += w
		used += ww
		empty = false
	}
	lines = append(lines, line)
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(l, glue, " ")
	}
	return lines
}

// truncate cuts s to width, ending it with "…" when it had to cut.
func truncate(s string, width int) string {
	if lipgloss.Width(s) <= width {
		return s
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		rw := lipgloss.Width(string(r))
		if used+rw > width-1 {
			break
		}
		b.WriteRune(r)
		used += rw
	}
	return b.String() + "…"
}

// plural counts a thing: "1 restart", "3 restarts".
func plural[T ~int | ~int32 | ~int64](n T, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
